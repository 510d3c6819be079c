package batch_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/ledger"
)

// lateStore answers its first lookup as it stood before another run planned the
// batch: not found. Its CreateBatch then meets the other run's batch.
type lateStore struct {
	batch.Store
	looked bool
}

func (s *lateStore) Batch(ctx context.Context, key string) (batch.Batch, error) {
	if !s.looked {
		s.looked = true
		return batch.Batch{}, fmt.Errorf("%w: %q", batch.ErrBatchNotFound, key)
	}
	return s.Store.Batch(ctx, key)
}

func planRows(t *testing.T, amounts ...int64) (batch.Batch, []batch.Item, []batch.Row) {
	t.Helper()
	rows := make([]batch.Row, len(amounts))
	for i, a := range amounts {
		rows[i] = batch.Row{Row: i + 2, Name: fmt.Sprintf("B %d", i), Phone: fmt.Sprintf("2376771%05d", i),
			Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: a}
	}
	router := batch.Routes{Rules: batch.DefaultRules, Configured: map[string]bool{"campay": true}}
	b, items, errs := batch.Plan("race", "s.csv", "XAF", rows, router)
	require.Empty(t, errs)
	return b, items, rows
}

func TestPrepareLosingARaceFindsTheWinnersBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	winner, err := ledger.Open(ctx, path)
	require.NoError(t, err)
	defer winner.Close()
	loser, err := ledger.Open(ctx, path)
	require.NoError(t, err)
	defer loser.Close()

	b, items, rows := planRows(t, 1000, 2000)
	won, created, err := batch.Prepare(ctx, winner, b, items, rows)
	require.NoError(t, err)
	require.True(t, created)

	tests := []struct {
		name    string
		amounts []int64
		check   func(t *testing.T, got batch.Batch, created bool, err error)
	}{
		{"same sheet: the batch the winner planned", []int64{1000, 2000}, func(t *testing.T, got batch.Batch, created bool, err error) {
			require.NoError(t, err)
			assert.False(t, created)
			assert.Equal(t, won.ID, got.ID)
		}},
		{"another sheet: refused as changed", []int64{1000, 2500}, func(t *testing.T, _ batch.Batch, _ bool, err error) {
			var ce *batch.ChangedError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, err.Error(), "row 3: amount 2000 → 2500")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, items, rows := planRows(t, tt.amounts...)
			got, created, err := batch.Prepare(ctx, &lateStore{Store: loser}, b, items, rows)
			tt.check(t, got, created, err)
		})
	}
}
