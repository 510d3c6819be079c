package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/door"
)

func newConfirmCmd(a *app) *cobra.Command {
	var d cli.DecisionFlags
	var row int
	cmd := &cobra.Command{
		Use:   "confirm BATCH --row N --note TEXT",
		Short: "Confirm, as an approver, a row whose registered name did not match, so that it is paid",
		Long:  long("confirm"),
		Args:  cobra.ExactArgs(1),
		PreRunE: func(*cobra.Command, []string) error {
			if row < 1 {
				return cli.Usagef("--row N is required: the sheet's row number the plan names")
			}
			return d.Check()
		},
		RunE: a.ledger().Stored(func(ctx context.Context, st batch.Store, b batch.Batch) error {
			c, err := door.ConfirmName(ctx, st, b, batch.ConfirmRequest{Row: row, By: d.Actor(), Note: d.Note,
				Policy: a.cfg.Policy()})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "batch %s: row %d (+%s) confirmed by %s; `bulkpay resume %s` pays it\n", b.Reference, c.Row, c.Phone,
				c.ConfirmedBy, b.Reference)
			return nil
		}),
	}
	cmd.Flags().IntVar(&row, "row", 0, "the sheet's row number to confirm")
	d.Register(cmd.Flags(), "why the name is right", "the approver who confirms", `say why the name is right (e.g. --note "married name, ID card seen")`)
	return cmd
}
