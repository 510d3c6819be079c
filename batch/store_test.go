package batch_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
)

// errStore is the failure a test makes the store answer with (Memory.Fail).
var errStore = errors.New("the ledger failed")

// seed stores b with its items, each moved to the state it names, in st.
func seed(t *testing.T, st *batchtest.Memory, b batch.Batch, items ...batch.Item) (batch.Batch, []batch.Item) {
	t.Helper()
	b, stored, err := batchtest.Seed(context.Background(), st, b, items...)
	require.NoError(t, err)
	return b, stored
}

// stored is the batch st holds under key, as it holds it now.
func stored(t *testing.T, st batch.BatchReader, key string) batch.Batch {
	t.Helper()
	b, err := st.Batch(context.Background(), key)
	require.NoError(t, err)
	return b
}

// notes lists what was recorded about batch id, as "cause: detail", in
// order: its events about the batch as a whole, but for those the store
// writes itself when the batch is planned, locked, given stricter rules or
// reconciled.
func notes(t *testing.T, st batch.Trail, id int64) []string {
	t.Helper()
	var out []string
	for _, e := range batchEvents(t, st, id) {
		switch e.Cause {
		case batch.CauseBatchPlanned, batch.CausePlannedAgain, batch.CauseRunStarted, batch.CauseRunEnded,
			batch.CausePolicyStricter, batch.CauseReconciliation:
			continue
		}
		out = append(out, e.Cause+": "+e.Detail)
	}
	return out
}

// batchEvents lists batch id's events about the batch as a whole.
func batchEvents(t *testing.T, st batch.Trail, id int64) []batch.Event {
	t.Helper()
	evs, err := st.Events(context.Background(), id, 0)
	require.NoError(t, err)
	var out []batch.Event
	for _, e := range evs {
		if e.ItemID == 0 {
			out = append(out, e)
		}
	}
	return out
}

// counted is how many of batch id's events have the cause.
func counted(t *testing.T, st batch.Trail, id int64, cause string) int {
	t.Helper()
	n := 0
	for _, e := range batchEvents(t, st, id) {
		if e.Cause == cause {
			n++
		}
	}
	return n
}
