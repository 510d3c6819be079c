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
		Long:  long("worker"),
		Args:  cobra.NoArgs,
		RunE: a.ledger().Run(func(ctx context.Context, st *ledger.Store, _ []string) error {
			if !st.Shared() {
				return fmt.Errorf("%w: bulkpay worker needs a ledger several processes share: --db postgres://... (the ledger %s is a SQLite file, paid from by one process at a time: use `bulkpay resume BATCH`)",
					cli.ErrUsage, st.Path())
			}
			if sandboxURL == "" && a.ConfigPath == "" {
				return fmt.Errorf("%w: say which providers this worker pays through: --config FILE (the live providers) or --sandbox URL", cli.ErrUsage)
			}
			return door.Worker{Config: a.cfg, Target: a.target(sandboxURL), Idle: idle, Actor: cli.Login(), Say: a.say, Log: a.log,
				Crash: crashpoint.At(), Continue: func(b batch.Batch) string { return a.command("resume", b.Reference, b, sandboxURL) }}.Work(ctx, st)
		}),
	}
	cmd.Flags().StringVar(&sandboxURL, "sandbox", "", "pay the batches paid through the sandbox at this `URL`")
	cmd.Flags().DurationVar(&idle, "idle", 2*time.Second, "how long to wait between passes over the batches")
	return cmd
}
