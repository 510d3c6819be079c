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
			l, err := a.loadBatch(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer l.st.Close()
			if out == "" {
				out = a.cfg.ReportsDir
			}
			path, err := reports.WriteCSV(out, l.b, l.items)
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
