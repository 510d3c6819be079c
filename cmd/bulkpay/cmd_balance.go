package main

import (
	"cmp"
	"context"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/door"
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
			connect := func(ctx context.Context) (*batch.Connection, error) { return a.cfg.Connect(ctx, a.target(sandboxURL)) }
			bals, err := door.AskBalances(cmd.Context(), connect, a.cfg.Currency)
			if bals.Lines == nil {
				return err
			}
			return cmp.Or(render.BalancesReport(a.stdout, bals.Lines, a.cfg.Currency, bals.Sandbox, bals.Where, asJSON), err)
		},
	}
	cmd.Flags().StringVar(&sandboxURL, "sandbox", "", "ask the sandbox at this `URL`")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
