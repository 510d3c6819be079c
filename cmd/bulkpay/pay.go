package main

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/pflag"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/crashpoint"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
)

// sessionFlags are the options of a command that opens a payment session.
type sessionFlags struct {
	sandboxURL     string
	changeEndpoint bool
	wait           cli.Wait
}

func (f *sessionFlags) register(fs *pflag.FlagSet, sandboxUsage string, wait bool) {
	if fs.Lookup("sandbox") == nil {
		fs.StringVar(&f.sandboxURL, "sandbox", "", sandboxUsage)
	}
	if wait {
		cli.RegisterWait(fs, &f.wait)
	}
	fs.BoolVar(&f.changeEndpoint, "change-endpoint", false,
		"continue a batch that has started paying through other providers than those it was paid through (--sandbox URL or the config's base_url); recorded in the events")
}

// payFlags are the options of a command that pays a batch: run, resume, retry.
type payFlags struct {
	sessionFlags
	asJSON       bool
	allowPartial bool
}

// register adds the flags; resume (run and resume, not retry) adds --wait and
// --allow-partial.
func (f *payFlags) register(fs *pflag.FlagSet, sandboxUsage, jsonUsage string, resume bool) {
	fs.BoolVar(&f.asJSON, "json", false, jsonUsage)
	f.sessionFlags.register(fs, sandboxUsage, resume)
	if resume {
		fs.BoolVar(&f.allowPartial, "allow-partial", false, "when a provider's balance is short, pay in row order while money lasts and leave the rest planned")
	}
}

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
