package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
)

// errMismatch: the providers' records and the ledger disagree.
var errMismatch = errors.New("the providers' records and the ledger disagree")

func newReconcileCmd(a *app) *cobra.Command {
	var sandboxURL, out string
	cmd := &cobra.Command{
		Use:   "reconcile BATCH",
		Short: "Settle what is pending or in doubt, then compare every item with the providers' own records; exit 4 when something needs a person",
		Long: `Settles pending and unknown items as each provider allows (no new payout is sent), then
reads each provider's own record of every item (CamPay transaction, CinetPay check/money,
My-CoolPay checkStatus, Camoo verify) and compares status, amount and fee with the ledger;
CamPay's history over the batch's days also shows payouts that no batch in the ledger
knows. Findings are recorded in the ledger (the latest reconciliation replaces the
previous one's), shown, and put in the reports; status and every report written
later show them too.
Exit 0 when everything agrees and nothing waits for a person, 4 otherwise.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			l, err := a.loadBatch(ctx, args[0])
			if err != nil {
				return err
			}
			defer l.st.Close()
			p, release, err := a.session(ctx, l.st, l.b, sandboxURL)
			if err != nil {
				return err
			}
			defer release()
			r := &batch.Runner{Store: l.st, Lanes: p.lanes, Log: a.log, SettleOnly: true,
				PendingWait: a.cfg.PendingWait, PollInterval: a.cfg.PollInterval}
			if p.sandbox {
				r.PollInterval = 500 * time.Millisecond
			}
			if _, err := r.Run(ctx, l.b); err != nil {
				return err
			}
			items, err := l.st.Items(ctx, l.b.ID)
			if err != nil {
				return err
			}
			known, err := l.st.ProviderReferences(ctx)
			if err != nil {
				return err
			}
			provs := map[string]batch.Provider{}
			for name, lane := range p.lanes {
				provs[name] = lane.Provider
			}
			at := time.Now()
			mism, unchecked, err := batch.Reconcile(ctx, provs, l.b, items, known, at, batch.Lookups{})
			if err != nil {
				return err
			}
			wctx := context.WithoutCancel(ctx)
			rec := batch.Reconciliation{At: at, Mismatches: mism, Unchecked: unchecked}
			if err := l.st.SaveReconciliation(wctx, l.b.ID, rec); err != nil {
				return fmt.Errorf("record the findings: %w", err)
			}
			for _, m := range mism {
				if err := l.st.Note(wctx, l.b.ID, "reconcile: "+m.Kind+" mismatch", m.String()); err != nil {
					return err
				}
			}
			for _, u := range unchecked {
				a.note(wctx, l.st, l.b.ID, "reconcile: could not check", u.String())
			}
			if len(mism) == 0 && len(unchecked) == 0 {
				a.note(wctx, l.st, l.b.ID, "reconciled", "the providers' records agree with the ledger")
			}
			sum := batch.Summarize(l.b, items)
			printSummary(a.stdout, sum, a.view(ctx, l.st, l.b, items))
			for _, m := range mism {
				fmt.Fprintln(a.stdout, "MISMATCH "+m.String())
			}
			printUnchecked(a.stdout, unchecked)
			if out == "" {
				out = a.cfg.ReportsDir
			}
			dir, err := a.writeReports(ctx, l.st, l.b, items, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Reports: %s\n", dir)
			switch {
			case len(mism) > 0:
				return fmt.Errorf("%w: %d mismatch(es); they are in the events and the reports", errMismatch, len(mism))
			case len(unchecked) > 0:
				fmt.Fprintf(a.stdout, "batch %s is not reconciled: %d record(s) could not be checked; no mismatch was found in the others. Run `%s` again later.\n",
					l.b.Reference, len(unchecked), a.command("reconcile", l.b.Reference, l.b))
				return fmt.Errorf("%w: %d record(s) could not be checked", errUnfinished, len(unchecked))
			case sum.Counts.Open() > 0:
				return outcome(sum)
			}
			fmt.Fprintf(a.stdout, "batch %s: the providers' records agree with the ledger\n", l.b.Reference)
			return nil
		},
	}
	cmd.Flags().StringVar(&sandboxURL, "sandbox", "", "the sandbox at this `URL` (the one the batch was paid through)")
	a.registerChangeEndpoint(cmd.Flags())
	cmd.Flags().StringVar(&out, "out", "", "reports `DIR` (default ./bulkpay-reports, or the config's reports_dir)")
	return cmd
}
