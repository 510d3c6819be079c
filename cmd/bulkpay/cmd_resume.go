package main

import (
	"context"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
)

func newResumeCmd(a *app) *cobra.Command {
	var f cli.PayFlags
	cmd := &cobra.Command{
		Use:   "resume BATCH",
		Short: "Finish a batch from the ledger: settle what is in doubt, send what is left, poll what is pending",
		Args:  cobra.ExactArgs(1),
		RunE: a.ledger().Stored(func(ctx context.Context, st batch.Store, b batch.Batch) error {
			if err := batch.AuthorizeRun(ctx, st, b, a.cfg.Policy(), b.PlanHash); err != nil {
				return err
			}
			return a.pay(ctx, st, b, f)
		}),
	}
	f.Register(cmd.Flags(), "pay through the sandbox at this `URL` (the one the batch was paid through)", "print the batch status as JSON at the end", true)
	return cmd
}
