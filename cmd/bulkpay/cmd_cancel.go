package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/door"
)

func newCancelCmd(a *app) *cobra.Command {
	var d cli.DecisionFlags
	cmd := &cobra.Command{
		Use:     "cancel BATCH --note TEXT",
		Short:   "Cancel a batch's payouts never sent (those sent or in doubt finish or settle)",
		Args:    cobra.ExactArgs(1),
		PreRunE: func(*cobra.Command, []string) error { return d.Check() },
		RunE: a.onStored(func(ctx context.Context, st batch.Store, b batch.Batch) error {
			res, err := batch.Cancel(ctx, st, b, batch.CancelRequest{Actor: d.Actor(), Note: d.Note,
				Owner: door.ProcessOwner(time.Now())})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "batch %s: %d payout(s) never sent cancelled, %s %s\n", b.Reference, res.Items,
				batch.Money(res.Amount), b.Currency)
			if n := res.LeftOpen(); n > 0 {
				fmt.Fprintf(a.stdout, "%d payout(s) already sent or in doubt are not cancelled: they finish or settle; `bulkpay resume %s` settles them\n",
					n, b.Reference)
				return batch.ErrUnfinished
			}
			return nil
		}),
	}
	d.Register(cmd.Flags(), "why the payouts are cancelled", "who cancels", `say why the payouts are cancelled (e.g. --note "wrong month")`)
	return cmd
}
