package main

import (
	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/render"
	"bulkpay/providers"
)

func newFeesCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "fees",
		Short: "List the profit configurations in force and who bears them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := a.cfg.Fees()
			f.Bearer = providers.Or(f.Bearer, batch.BearerSender)
			if !asJSON {
				render.Fees(a.stdout, f, a.cfg.Currency)
				return nil
			}
			if f.Configs == nil {
				f.Configs = []batch.ProfitConfig{}
			}
			return render.JSON(a.stdout, f)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
