package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"bulkpay/reports"
)

func newReportCmd(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report BATCH",
		Short: "Write the batch's per-item report to DIR/<reference>/reconciliation.csv",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := a.openLedger(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			b, err := st.Batch(ctx, args[0])
			if err != nil {
				return err
			}
			items, err := st.Items(ctx, b.ID)
			if err != nil {
				return err
			}
			if out == "" {
				out = a.cfg.ReportsDir
			}
			path, err := reports.WriteCSV(out, b, items)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, path)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "reports directory (default ./bulkpay-reports, or the config's reports_dir)")
	return cmd
}
