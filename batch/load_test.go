package batch

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadListStatusAndReport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	b, items := st.add(Batch{Reference: "paie"},
		Item{Row: 2, Amount: 1000, State: Succeeded},
		Item{Row: 3, Amount: 2000, State: Failed, Message: "refused"},
		Item{Row: 4, Amount: 500, State: Review},
		Item{Row: 5, Amount: 700, State: Unknown})
	r, _ := st.add(Batch{Reference: "paie-retry-1", ParentID: b.ID}, Item{Row: 3, Amount: 2000, State: Succeeded, RetryOf: items[1].ID})
	st.attempts[items[2].ID] = []Attempt{{ID: 1}}
	st.attempts[items[3].ID] = []Attempt{{ID: 2}, {ID: 3}}
	st.attempts[items[0].ID] = []Attempt{{ID: 4}}
	st.recs[b.ID] = Reconciliation{At: nov25, Mismatches: []Mismatch{{Row: 2, Kind: "fee"}}}

	for _, key := range []string{"paie", "1"} {
		lb, litems, err := Load(ctx, st, key)
		require.NoError(t, err, key)
		assert.Equal(t, b.ID, lb.ID)
		assert.Len(t, litems, 4)
	}
	_, _, err := Load(ctx, st, "nope")
	assert.ErrorIs(t, err, ErrBatchNotFound)

	sums, err := List(ctx, st)
	require.NoError(t, err)
	require.Len(t, sums, 2)
	assert.Equal(t, r.ID, sums[0].Batch.ID, "newest first")
	assert.Equal(t, int64(4200), sums[1].TotalAmount)
	assert.Equal(t, int64(1000), sums[1].SucceededAmount)

	s, err := Status(ctx, st, b)
	require.NoError(t, err)
	assert.Equal(t, 1, s.Summary.Counts[Failed])
	assert.Equal(t, "retried in paie-retry-1 (succeeded)", s.Retries.Note(items[1].ID))
	assert.Equal(t, nov25, s.Reconciliation.At)

	d, err := Report(ctx, st, b, items)
	require.NoError(t, err)
	assert.Equal(t, "retried in paie-retry-1 (succeeded); refused", d.Items[1].Message, "a failed item says where it went")
	assert.Len(t, d.Attempts, 2, "the evidence of the items in doubt or in review only")
	assert.Len(t, d.Attempts[items[3].ID], 2)
	assert.Len(t, d.Reconciliation.Mismatches, 1)

	st.failOn = "Reconciliation"
	_, err = Report(ctx, st, b, items)
	assert.ErrorIs(t, err, errStore)
	_, err = Status(ctx, st, b)
	assert.ErrorIs(t, err, errStore)
	st.failOn = "Items"
	_, _, err = Load(ctx, st, "paie")
	assert.ErrorContains(t, err, "read the items of batch paie")
	_, err = List(ctx, st)
	assert.ErrorIs(t, err, errStore)
}
