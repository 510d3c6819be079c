package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/spf13/pflag"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/crashpoint"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
	"bulkpay/ledger"
	"bulkpay/reports"
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

// session opens a payment session on b for the command verb (the hint that
// continues a refused batch names it), checking the ledger and where b is paid.
func (a *app) session(ctx context.Context, st batch.Store, b batch.Batch, verb string, f sessionFlags) (*batch.Session, error) {
	t := a.target(f.sandboxURL)
	if ls, ok := st.(batch.LeaseStore); ok && ls.Shared() {
		t.Pacer = ls // every request to a provider takes its turn with the other workers'
	}
	cur := b
	if cur.Endpoint.IsZero() {
		cur.Endpoint = a.cfg.Endpoint(t)
	}
	a.current = &cur
	return batch.OpenSession(ctx, st, b, batch.SessionRequest{
		Endpoint: a.cfg.Endpoint(t), ChangeEndpoint: f.changeEndpoint, Actor: cli.Login(),
		Continue: a.command(verb, b.Reference, b, f.sandboxURL),
		Connect:  func(ctx context.Context) (*batch.Connection, error) { return a.cfg.Connect(ctx, t) },
		Owner:    door.ProcessOwner(time.Now()),
		Wait:     batch.Wait{On: f.wait.On, Bound: f.wait.Bound},
		Say:      a.say,
		Held:     func() { a.paying = true },
		Log:      a.log,
	})
}

// pay runs a stored batch to the end it can reach now, then prints the summary,
// writes the report and returns the error that gives the exit code.
func (a *app) pay(ctx context.Context, st batch.Store, b batch.Batch, f payFlags) error {
	s, err := a.session(ctx, st, b, "resume", f.sessionFlags)
	if err != nil {
		return err
	}
	defer s.Close()
	b = s.Batch
	res, runErr := s.Pay(ctx, batch.PayRequest{
		AllowPartial: f.allowPartial,
		Run:          a.cfg.RunOptions(s.Conn.Sandbox, a.log, crashpoint.At()),
		Short: func(needs []batch.Need) {
			fmt.Fprintf(a.stderr, "Provider balances cannot cover batch %s:\n", b.Reference)
			render.Needs(a.stderr, needs, b.Currency)
		},
		Watch: func(open batch.ItemSource) (batch.Observer, func(), error) {
			pr, err := render.WatchProgress(a.stderr, a.quiet, a.logs, b, open, slices.Collect(maps.Keys(s.Conn.Lanes)))
			if err != nil {
				return nil, nil, err
			}
			return pr, pr.Done, nil
		},
	})
	if !res.Ran {
		return runErr
	}
	if ledger.IsWriteFailure(runErr) {
		fix := "free disk space or fix the file's permissions"
		if errors.Is(runErr, ledger.ErrUnreachable) {
			fix = "bring the database server back (or check the DSN's host and port)"
		}
		runErr = fmt.Errorf("the ledger %s could not record a step (%w); nothing is sent without its intent recorded: %s, then run `%s`",
			a.dbShown(), runErr, fix, a.command("resume", b.Reference, b, f.sandboxURL))
	}
	return a.finish(ctx, st, b, runErr, f)
}

// finish prints the summary and writes the report, whatever happened in the run.
func (a *app) finish(ctx context.Context, st batch.Store, b batch.Batch, runErr error, f payFlags) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	s, err := batch.Glance(rctx, st, b)
	if err != nil {
		return errors.Join(runErr, err)
	}
	dir, werr := reports.FromLedger(rctx, st, b, a.cfg.ReportsDir)
	if ls, ok := st.(batch.LinkStore); ok {
		if waiting, err := ls.Links(rctx, b.ID, batch.LinkSent); err == nil && len(waiting) > 0 {
			a.say("%d payout(s) wait for their link to be claimed: `bulkpay links %s` lists them", len(waiting), b.Reference)
		}
	}
	return render.End(a.stdout, a.stderr, render.Ending{Standing: s, View: a.commands().View(b, s, f.sandboxURL), Err: runErr,
		Reports: dir, ReportsErr: werr, ReportsDir: a.cfg.ReportsDir, Ledger: a.dbShown(),
		ReportCommand: a.command("report", b.Reference, b, "", "--out", "DIR"), JSON: f.asJSON, Quiet: a.quiet})
}
