package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/render"
)

func newBalanceCmd(a *app) *cobra.Command {
	var sandboxURL string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "balance",
		Short: "Show each provider's balance (CamPay per carrier)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			conn, err := a.cfg.Connect(cmd.Context(), a.target(sandboxURL))
			if err != nil {
				return err
			}
			defer conn.Close()
			bals, failed := batch.Balances(cmd.Context(), conn.Lanes, nil)
			lines := render.NewBalanceLines(bals, a.cfg.Currency)
			if asJSON {
				if err := render.JSON(a.stdout, lines); err != nil {
					return err
				}
				return failed
			}
			if conn.Sandbox {
				fmt.Fprintf(a.stdout, "SANDBOX: no real money moves (%s)\n", conn.Where)
			}
			render.Balances(a.stdout, lines, a.cfg.Currency)
			return failed
		},
	}
	cmd.Flags().StringVar(&sandboxURL, "sandbox", "", "ask the sandbox at this `URL`")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
