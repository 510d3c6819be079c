package cli

import (
	"context"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/ledger"
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
