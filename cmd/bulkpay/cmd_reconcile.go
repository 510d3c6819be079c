package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
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
		RunE: a.onStored(func(ctx context.Context, st batch.Store, b batch.Batch) error {
			return a.payment(f).Reconcile(ctx, st, b, providers.Or(out, a.cfg.ReportsDir), func(r door.Reconciled) error {
				b, rec := r.Batch, r.Result.Reconciliation
				render.Summary(a.stdout, r.Result.Summary, a.commands().View(b, r.Result.Standing, f.SandboxURL))
				render.Findings(a.stdout, rec.Mismatches, rec.Unchecked)
				if r.ReportsErr != nil {
					return r.ReportsErr
				}
				fmt.Fprintf(a.stdout, "Reports: %s\n", r.Reports)
				render.Reconciled(a.stdout, b, rec, r.Outcome, a.command("reconcile", b.Reference, b, f.SandboxURL))
				return r.Outcome
			})
		}),
	}
	f.Register(cmd.Flags(), "the sandbox at this `URL` (the one the batch was paid through)", false)
	cmd.Flags().StringVar(&out, "out", "", "reports `DIR` (default ./bulkpay-reports, or the config's reports_dir)")
	return cmd
}
