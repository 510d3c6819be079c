package cli

import (
	"fmt"
	"io"
	"maps"
	"slices"

	"bulkpay/batch"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
)

// PayView shows the payment of a batch to people: what the providers'
// balances cannot cover, the progress bars, how the run ended.
type PayView struct {
	Out, Errw   io.Writer
	Logs        *render.LogSink // where log lines go while the progress bars are drawn
	Quiet, JSON bool            // --quiet, --json
	Say         func(format string, args ...any)
	Commands    render.Commands
	SandboxURL  string // this command's --sandbox
	Ledger      string // the ledger as messages name it
	ReportsDir  string
}

// Request is the request that pays a batch as v shows it (door.Payment.Pay).
func (v PayView) Request(allowPartial bool) door.PayRequest {
	return door.PayRequest{
		AllowPartial: allowPartial, Ledger: v.Ledger, ReportsDir: v.ReportsDir,
		Stopping: func() {
			v.Say("interrupted: no new payout is sent; waiting for the answers to the payouts already sent")
		},
		Short: func(b batch.Batch, needs []batch.Need) {
			fmt.Fprintf(v.Errw, "Provider balances cannot cover batch %s:\n", b.Reference)
			render.Needs(v.Errw, needs, b.Currency)
		},
		Watch: func(b batch.Batch, conn *batch.Connection, open batch.ItemSource) (batch.Observer, func(), error) {
			pr, err := render.WatchProgress(v.Errw, v.Quiet, v.Logs, b, open, slices.Collect(maps.Keys(conn.Lanes)))
			if err != nil {
				return nil, nil, err
			}
			return pr, pr.Done, nil
		},
		End: func(paid door.Paid, runErr error) error {
			b := paid.Batch
			if paid.LinksWaiting > 0 {
				v.Say("%d payout(s) wait for their link to be claimed: `bulkpay links %s` lists them", paid.LinksWaiting, b.Reference)
			}
			return render.End(v.Out, v.Errw, render.Ending{Standing: paid.Standing, View: v.Commands.View(b, paid.Standing, v.SandboxURL),
				Err: runErr, Reports: paid.Reports, ReportsErr: paid.ReportsErr, ReportsDir: v.ReportsDir, Ledger: v.Ledger,
				ReportCommand: v.Commands.For("report", b.Reference, b, "", "--out", "DIR"), JSON: v.JSON, Quiet: v.Quiet})
		},
	}
}

// Reconciled shows what reconciling a batch came to: its summary (cmds
// write the commands it names, with this command's --sandbox sandboxURL),
// the findings, where the reports are and what to do next; it gives the
// error for the exit code.
func Reconciled(w io.Writer, cmds render.Commands, sandboxURL string) func(door.Reconciled) error {
	return func(r door.Reconciled) error {
		b, rec := r.Batch, r.Result.Reconciliation
		render.Summary(w, r.Result.Summary, cmds.View(b, r.Result.Standing, sandboxURL))
		render.Findings(w, rec.Mismatches, rec.Unchecked)
		if r.ReportsErr != nil {
			return r.ReportsErr
		}
		fmt.Fprintf(w, "Reports: %s\n", r.Reports)
		render.Reconciled(w, b, rec, r.Outcome, cmds.For("reconcile", b.Reference, b, sandboxURL))
		return r.Outcome
	}
}
