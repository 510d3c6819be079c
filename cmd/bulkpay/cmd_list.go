package main

import (
	"context"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/render"
	"bulkpay/ledger"
)

func newListCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the batches in the ledger: reference, created, state counts, amounts",
		Args:  cobra.NoArgs,
		RunE: a.ledger().Run(func(ctx context.Context, st *ledger.Store, _ []string) error {
			sums, err := batch.List(ctx, st)
			if err != nil {
				return err
			}
			return render.ListReport(a.stdout, sums, asJSON)
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
