package main

import (
	"context"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/providers"
)

func newReconcileCmd(a *app) *cobra.Command {
	var f cli.SessionFlags
	var out string
	cmd := &cobra.Command{
		Use:   "reconcile BATCH",
		Short: "Settle what is pending or in doubt, then compare every item with the providers' own records; exit 4 when something needs a person",
		Long:  long("reconcile"),
		Args:  cobra.ExactArgs(1),
		RunE: a.ledger().Stored(func(ctx context.Context, st batch.Store, b batch.Batch) error {
			return a.payment(f).Reconcile(ctx, st, b, providers.Or(out, a.cfg.ReportsDir),
				cli.Reconciled(a.stdout, a.commands(), f.SandboxURL))
		}),
	}
	f.Register(cmd.Flags(), "the sandbox at this `URL` (the one the batch was paid through)", false)
	cmd.Flags().StringVar(&out, "out", "", "reports `DIR` (default ./bulkpay-reports, or the config's reports_dir)")
	return cmd
}
