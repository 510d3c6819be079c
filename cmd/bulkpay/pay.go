package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/crashpoint"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
	"bulkpay/ledger"
	"bulkpay/providers"
	"bulkpay/sheet"
)

// payment is how this command pays or settles batches, as f asks.
func (a *app) payment(f sessionFlags) door.Payment {
	return door.Payment{Config: a.cfg, Target: a.target(f.sandboxURL), ChangeEndpoint: f.changeEndpoint,
		Wait: batch.Wait{On: f.wait.On, Bound: f.wait.Bound}, Actor: cli.Login(), Say: a.say, Log: a.log, Crash: crashpoint.At(),
		Continue: func(verb string, b batch.Batch) string { return a.command(verb, b.Reference, b, f.sandboxURL) }}
}

// pay runs a stored batch to the end it can reach now, then prints the summary,
// writes the report and returns the error that gives the exit code.
func (a *app) pay(ctx context.Context, st batch.Store, b batch.Batch, f payFlags) error {
	return a.payment(f.sessionFlags).Pay(ctx, st, b, door.PayRequest{
		AllowPartial: f.allowPartial, Ledger: a.dbShown(), ReportsDir: a.cfg.ReportsDir,
		Short: func(b batch.Batch, needs []batch.Need) {
			fmt.Fprintf(a.stderr, "Provider balances cannot cover batch %s:\n", b.Reference)
			render.Needs(a.stderr, needs, b.Currency)
		},
		Watch: func(b batch.Batch, conn *batch.Connection, open batch.ItemSource) (batch.Observer, func(), error) {
			pr, err := render.WatchProgress(a.stderr, a.quiet, a.logs, b, open, slices.Collect(maps.Keys(conn.Lanes)))
			if err != nil {
				return nil, nil, err
			}
			return pr, pr.Done, nil
		},
		End: func(paid door.Paid, runErr error) error {
			b := paid.Batch
			if paid.LinksWaiting > 0 {
				a.say("%d payout(s) wait for their link to be claimed: `bulkpay links %s` lists them", paid.LinksWaiting, b.Reference)
			}
			return render.End(a.stdout, a.stderr, render.Ending{Standing: paid.Standing, View: a.commands().View(b, paid.Standing, f.sandboxURL),
				Err: runErr, Reports: paid.Reports, ReportsErr: paid.ReportsErr, ReportsDir: a.cfg.ReportsDir, Ledger: a.dbShown(),
				ReportCommand: a.command("report", b.Reference, b, "", "--out", "DIR"), JSON: f.asJSON, Quiet: a.quiet})
		},
	})
}

// sheet is the sheet at path, read as f asks.
func (f sheetFlags) sheet(path string) door.Sheet {
	return door.Sheet{Path: path, Name: f.sheetName, Region: f.region, AllowDuplicates: f.allowDuplicates, ExpectTotal: f.expectTotal, Limits: sheetLimits}
}

// printSheet shows a sheet's validation for people.
func printSheet(w io.Writer, path string, res sheet.Result, t batch.Tally) {
	render.SheetErrors(w, filepath.Base(path), res.Describe(), t)
}

// planSheet reads, screens and plans a sheet and stores its batch when it is
// valid (door.PlanStream), as pf asks under the config. The ledger is opened
// only then, or with early before reading: st is it, to be closed, or nil.
func (a *app) planSheet(ctx context.Context, path string, pf planFlags, early bool, save batch.SaveRequest) (
	s batch.Streamed, res sheet.Result, st *ledger.Store, names door.Names, err error) {
	open := func(ctx context.Context) (batch.PlanStore, error) {
		var err error
		st, err = a.openLedger(ctx)
		return st, err
	}
	p := door.Plan{Sheet: pf.sheet(path), Reference: pf.reference, Period: pf.period, By: providers.Or(pf.by, cli.Login()),
		Fees: a.cfg.Fees(), Policy: a.cfg.Policy(), Now: time.Now(), PayBy: pf.payBy}
	if pf.payBy != "" && pf.payBy != batch.PayByLink {
		return s, res, nil, names, fmt.Errorf("--pay-by %q: write --pay-by link, or leave it out to pay as each row says: %w", pf.payBy, batch.ErrInvalid)
	}
	s, res, names, err = door.PlanStreamNames(ctx, a.cfg, a.target(pf.sandboxURL), p, open, early, save)
	return s, res, st, names, err
}
