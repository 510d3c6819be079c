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
		RunE: a.onStored(func(ctx context.Context, st batch.Store, b batch.Batch) error {
			s, links, err := door.Status(ctx, st, b)
			if err != nil {
				return err
			}
			if asJSON {
				return render.StatusWithLinks(a.stdout, s.Summary, s.Reconciliation, links)
			}
			render.Summary(a.stdout, s.Summary, a.commands().View(b, s, ""))
			render.LinkTotals(a.stdout, links, b)
			render.Reconciliation(a.stdout, s.Reconciliation)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
