package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/crashpoint"
	"bulkpay/internal/door"
	"bulkpay/ledger"
)

func newWorkerCmd(a *app) *cobra.Command {
	var sandboxURL string
	var idle time.Duration
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Pay every started batch of a shared PostgreSQL ledger, beside other workers, until stopped",
		Long: `Pay, pass after pass, every batch of the ledger that has been started (by run, serve
or the API) and is not finished, through the providers of the config (or the sandbox at
--sandbox URL), until SIGTERM or Ctrl-C. Several workers, on one host or several, share
the work: each item is claimed under a lease the worker renews, and the items of a worker
that died are settled by the others once its lease has run out. Each provider's rate and
concurrency hold for all workers together. Stopped, a worker sends nothing new, records
the answers under way and leaves every item resumable.
The ledger must be a PostgreSQL server (--db postgres://...): a SQLite file is paid from
by one process at a time.`,
		Args: cobra.NoArgs,
		RunE: a.onLedger(func(ctx context.Context, st *ledger.Store, _ []string) error {
			if !st.Shared() {
				return fmt.Errorf("%w: bulkpay worker needs a ledger several processes share: --db postgres://... (the ledger %s is a SQLite file, paid from by one process at a time: use `bulkpay resume BATCH`)",
					cli.ErrUsage, st.Path())
			}
			if sandboxURL == "" && a.configPath == "" {
				return fmt.Errorf("%w: say which providers this worker pays through: --config FILE (the live providers) or --sandbox URL", cli.ErrUsage)
			}
			return a.work(ctx, st, sandboxURL, idle)
		}),
	}
	cmd.Flags().StringVar(&sandboxURL, "sandbox", "", "pay the batches paid through the sandbox at this `URL`")
	cmd.Flags().DurationVar(&idle, "idle", 2*time.Second, "how long to wait between passes over the batches")
	return cmd
}

// work pays the started batches of st paid through where this worker pays,
// until ctx ends.
func (a *app) work(ctx context.Context, st *ledger.Store, sandboxURL string, idle time.Duration) error {
	t := a.target(sandboxURL)
	t.Pacer = st // every request to a provider takes its turn with the other workers'
	here := a.cfg.Endpoint(t)
	var conn *batch.Connection
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	connect := func(ctx context.Context) (*batch.Connection, error) {
		if conn == nil { // once: the clients and their paces serve every batch
			c, err := a.cfg.Connect(ctx, t)
			if err != nil {
				return nil, err
			}
			closeAll := c.Close
			if closeAll == nil {
				closeAll = func() {}
			}
			c.Close = func() {}
			conn = c
			defer func() { conn.Close = closeAll }() // the worker's own Close, at the end
			return c, nil
		}
		return conn, nil
	}
	owner := door.ProcessOwner(time.Now())
	a.say("worker %s paying the started batches of %s through %s", batch.WorkerName(owner), st.Path(), here)
	err := batch.Work(ctx, st, batch.WorkRequest{
		Mine: func(b batch.Batch) bool { return b.Endpoint.Same(here) },
		Idle: idle,
		Log:  a.log,
		Pay: func(ctx context.Context, b batch.Batch) error {
			if err := batch.AuthorizeRun(ctx, st, b, a.cfg.Policy(), b.PlanHash); err != nil {
				return err
			}
			s, err := batch.OpenSession(ctx, st, b, batch.SessionRequest{
				Endpoint: here, Actor: cli.Login(), Continue: a.command("resume", b.Reference, b, sandboxURL),
				Connect: connect, Owner: owner, Log: a.log,
			})
			if err != nil {
				return err
			}
			defer s.Close()
			_, err = s.Pay(ctx, batch.PayRequest{Run: a.cfg.RunOptions(s.Conn.Sandbox, a.log, crashpoint.At())})
			if sum, serr := batch.SummaryOf(context.WithoutCancel(ctx), st, b); serr == nil {
				a.log.Info("batch standing", "batch", b.Reference, "succeeded", sum.Counts[batch.Succeeded],
					"failed", sum.Counts[batch.Failed], "open", sum.Counts.Open())
			}
			return err
		},
	})
	if err != nil {
		return err
	}
	a.say("worker %s stopped: every item it claimed is recorded or left to the other workers", batch.WorkerName(owner))
	return nil
}
