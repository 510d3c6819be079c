package main

import (
	"context"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
)

func newStatusCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status BATCH",
		Short: "Show a batch's standing: items by state and amounts (BATCH is its id or reference)",
		Args:  cobra.ExactArgs(1),
		RunE: a.ledger().Stored(func(ctx context.Context, st batch.Store, b batch.Batch) error {
			s, links, err := door.Status(ctx, st, b)
			if err != nil {
				return err
			}
			return render.StatusReport(a.stdout, b, s, links, a.commands().View(b, s, ""), asJSON)
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
