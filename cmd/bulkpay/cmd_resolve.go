package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/render"
)

func newResolveCmd(a *app) *cobra.Command {
	var as string
	var d cli.DecisionFlags
	cmd := &cobra.Command{
		Use:   "resolve BATCH ITEM --as succeeded|failed --note TEXT",
		Short: "Record a person's decision on an item in review (ITEM is its row or reference)",
		Args:  cobra.ExactArgs(2),
		PreRunE: func(*cobra.Command, []string) error {
			if to := batch.State(as); to != batch.Succeeded && to != batch.Failed {
				return cli.Usagef("--as must be succeeded or failed: say what the provider's records show")
			}
			return d.Check()
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.ledger().Batch(func(ctx context.Context, st batch.Store, b batch.Batch, items []batch.Item) error {
				dec := batch.Decision{To: batch.State(as), By: d.Actor(), Note: d.Note}
				it, err := batch.Resolve(ctx, st, items, args[1], dec)
				if err != nil {
					return err
				}
				render.Resolved(a.stdout, b, it.Row, dec, time.Now())
				return nil
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "succeeded or failed")
	d.Register(cmd.Flags(), "why: what the provider's records show", "who decides", `say what the provider's records show (e.g. --note "paid per the CamPay dashboard")`)
	return cmd
}
