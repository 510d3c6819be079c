package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/reports"
)

func newReportCmd(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report BATCH",
		Short: "Write the batch's reports to DIR/<reference>/: reconciliation.xlsx, reconciliation.csv, summary.json",
		Args:  cobra.ExactArgs(1),
		RunE: a.ledger().Stored(func(ctx context.Context, st batch.Store, b batch.Batch) error {
			dir, err := reports.FromLedger(ctx, st, b, providers.Or(out, a.cfg.ReportsDir))
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, dir)
			return nil
		}),
	}
	cmd.Flags().StringVar(&out, "out", "", "reports directory (default ./bulkpay-reports, or the config's reports_dir)")
	return cmd
}
