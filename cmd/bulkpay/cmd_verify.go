package main

import (
	"context"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/render"
)

func newVerifyCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "verify BATCH",
		Short: "Check the ledger's invariants for a batch (legal state paths, one payout per item, sums); exit 1 with findings",
		Args:  cobra.ExactArgs(1),
		RunE: a.ledger().Batch(func(ctx context.Context, st batch.Store, b batch.Batch, items []batch.Item) error {
			findings, err := batch.Verify(ctx, st, b)
			if err != nil {
				return err
			}
			return render.Verified(a.stdout, b, len(items), findings)
		}),
	}
}
