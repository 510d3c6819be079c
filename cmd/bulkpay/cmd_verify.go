package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"bulkpay/batch"
)

func newVerifyCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "verify BATCH",
		Short: "Check the ledger's invariants for a batch (legal state paths, one payout per item, sums); exit 1 with findings",
		Args:  cobra.ExactArgs(1),
		RunE: a.onBatch(func(ctx context.Context, st batch.Store, b batch.Batch, items []batch.Item) error {
			findings, err := batch.Verify(ctx, st, b)
			if err != nil {
				return err
			}
			for _, f := range findings {
				fmt.Fprintln(a.stdout, f)
			}
			if len(findings) > 0 {
				return fmt.Errorf("%w: %d finding(s) in batch %s", batch.ErrFindings, len(findings), b.Reference)
			}
			fmt.Fprintf(a.stdout, "batch %s: %d items, ledger consistent\n", b.Reference, len(items))
			return nil
		}),
	}
}
