package main

import (
	"context"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/crashpoint"
	"bulkpay/internal/door"
	"bulkpay/ledger"
)

// payment is how this command pays or settles batches, as f asks.
func (a *app) payment(f cli.SessionFlags) door.Payment {
	return door.Payment{Config: a.cfg, Target: a.target(f.SandboxURL), ChangeEndpoint: f.ChangeEndpoint,
		Wait: batch.Wait{On: f.Wait.On, Bound: f.Wait.Bound}, Actor: cli.Login(), Say: a.say, Log: a.log, Crash: crashpoint.At(),
		Continue: func(verb string, b batch.Batch) string { return a.command(verb, b.Reference, b, f.SandboxURL) }}
}

// pay runs a stored batch to the end it can reach now, then prints the summary,
// writes the report and returns the error that gives the exit code.
func (a *app) pay(ctx context.Context, st batch.Store, b batch.Batch, f cli.PayFlags) error {
	v := cli.PayView{Out: a.stdout, Errw: a.stderr, Logs: a.logs, Quiet: a.Quiet, JSON: f.JSON, Say: a.say, Commands: a.commands(),
		SandboxURL: f.SandboxURL, Ledger: ledger.Redact(a.dbPath()), ReportsDir: a.cfg.ReportsDir}
	return a.payment(f.SessionFlags).Pay(ctx, st, b, v.Request(f.AllowPartial))
}
