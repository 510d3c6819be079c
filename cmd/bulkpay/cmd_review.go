package main

import (
	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/render"
)

func newReviewCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "review BATCH",
		Short: "List the items that need a person, with the evidence: attempts, times, requests and answers",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, b, items, err := a.load(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer st.Close()
			evidence, err := batch.InReview(cmd.Context(), st, items)
			if err != nil {
				return err
			}
			render.Review(a.stdout, b, evidence)
			return nil
		},
	}
}
