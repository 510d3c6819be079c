package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/internal/door"
	"bulkpay/ledger"
	"bulkpay/sheet"
)

// RunE is what a cobra command runs.
type RunE = func(*cobra.Command, []string) error

// Ledger opens the ledger a command works on.
type Ledger func(ctx context.Context) (*ledger.Store, error)

// Run is the RunE of a command that works on the ledger: run gets it open,
// and it is closed after.
func (open Ledger) Run(run func(ctx context.Context, st *ledger.Store, args []string) error) RunE {
	return func(cmd *cobra.Command, args []string) error {
		st, err := open(cmd.Context())
		if err != nil {
			return err
		}
		defer st.Close()
		return run(cmd.Context(), st, args)
	}
}

// Named is the RunE of a command on what its first argument names (a
// user): run gets the ledger and the name.
func (open Ledger) Named(run func(ctx context.Context, st *ledger.Store, name string) error) RunE {
	return open.Run(func(ctx context.Context, st *ledger.Store, args []string) error { return run(ctx, st, args[0]) })
}

// Stored is the RunE of a command about one stored batch, its first argument
// (an id or a reference), that reads its items only as it needs them: run
// gets the ledger and the batch.
func (open Ledger) Stored(run func(ctx context.Context, st batch.Store, b batch.Batch) error) RunE {
	return open.Run(func(ctx context.Context, st *ledger.Store, args []string) error {
		b, err := st.Batch(ctx, args[0])
		if err != nil {
			return err
		}
		return run(ctx, st, b)
	})
}

// Batch is the RunE of a command about one stored batch, its first argument
// (an id or a reference): run gets the ledger and the batch with its items.
func (open Ledger) Batch(run func(ctx context.Context, st batch.Store, b batch.Batch, items []batch.Item) error) RunE {
	return open.Run(func(ctx context.Context, st *ledger.Store, args []string) error {
		b, items, err := batch.Load(ctx, st, args[0])
		if err != nil {
			return err
		}
		return run(ctx, st, b, items)
	})
}

// Plan reads, screens and plans the sheet at path as pf asks under cfg, paid
// through t, and stores its batch when it is valid (door.PlanStreamNames):
// the ledger is opened only then, or with early before reading; st is it,
// to be closed, or nil.
func (open Ledger) Plan(ctx context.Context, cfg config.Config, t config.Target, path string, pf PlanFlags, early bool,
	save batch.SaveRequest) (s batch.Streamed, res sheet.Result, st *ledger.Store, names door.Names, err error) {
	p, err := pf.Plan(path, cfg, time.Now())
	if err != nil {
		return s, res, nil, names, err
	}
	opened := func(ctx context.Context) (batch.PlanStore, error) {
		var err error
		st, err = open(ctx)
		return st, err
	}
	s, res, names, err = door.PlanStreamNames(ctx, cfg, t, p, opened, early, save)
	return s, res, st, names, err
}
