package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"bulkpay/providers"
)

func newReportCmd(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report BATCH",
		Short: "Write the batch's reports to DIR/<reference>/: reconciliation.xlsx, reconciliation.csv, summary.json",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, b, items, err := a.load(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer st.Close()
			dir, err := a.writeReports(cmd.Context(), st, b, items, providers.Or(out, a.cfg.ReportsDir))
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "reports directory (default ./bulkpay-reports, or the config's reports_dir)")
	return cmd
}
