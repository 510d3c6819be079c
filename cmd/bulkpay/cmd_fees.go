package main

import (
	"github.com/spf13/cobra"

	"bulkpay/internal/render"
)

func newFeesCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "fees",
		Short: "List the profit configurations in force and who bears them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return render.FeesReport(a.stdout, a.cfg.Fees(), a.cfg.Currency, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
