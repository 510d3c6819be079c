package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
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
				fmt.Fprintf(a.stdout, "row %d of batch %s: %s (by %s at %s)\n", it.Row, b.Reference, dec.To, dec.By, time.Now().UTC().Format(time.RFC3339))
				return nil
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "succeeded or failed")
	d.Register(cmd.Flags(), "why: what the provider's records show", "who decides", `say what the provider's records show (e.g. --note "paid per the CamPay dashboard")`)
	return cmd
}
