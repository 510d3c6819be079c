package main

import (
	"context"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/render"
)

func newReviewCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "review BATCH",
		Short: "List the items that need a person, with the evidence: attempts, times, requests and answers",
		Args:  cobra.ExactArgs(1),
		RunE: a.ledger().Batch(func(ctx context.Context, st batch.Store, b batch.Batch, items []batch.Item) error {
			evidence, err := batch.InReview(ctx, st, items)
			if err != nil {
				return err
			}
			render.Review(a.stdout, b, evidence)
			return nil
		}),
	}
}
