package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
)

func newCancelCmd(a *app) *cobra.Command {
	var d cli.DecisionFlags
	cmd := &cobra.Command{
		Use:     "cancel BATCH --note TEXT",
		Short:   "Cancel a batch's payouts never sent (those sent or in doubt finish or settle)",
		Args:    cobra.ExactArgs(1),
		PreRunE: func(*cobra.Command, []string) error { return d.Check() },
		RunE: a.ledger().Stored(func(ctx context.Context, st batch.Store, b batch.Batch) error {
			res, err := batch.Cancel(ctx, st, b, batch.CancelRequest{Actor: d.Actor(), Note: d.Note,
				Owner: door.ProcessOwner(time.Now())})
			if err != nil {
				return err
			}
			return render.Cancelled(a.stdout, b, res)
		}),
	}
	d.Register(cmd.Flags(), "why the payouts are cancelled", "who cancels", `say why the payouts are cancelled (e.g. --note "wrong month")`)
	return cmd
}
