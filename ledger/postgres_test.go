package ledger

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/testsupport/pgtest"
)

// TestTwoLedgersOnOneSchemaNeverClaimAnItemTwice: two processes' ledgers on
// the same PostgreSQL schema claim from one batch at once; each item is
// claimed exactly once (writers take turns, a claim skips what the other took).
func TestTwoLedgersOnOneSchemaNeverClaimAnItemTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.PostgresDSN(t)
	a, b := openAt(t, dsn), openAt(t, dsn)
	const n = 60
	bt := batch.Batch{Reference: "shared", SheetHash: "h", SheetName: "s.csv", Currency: "XAF", TotalAmount: n * 1000}
	items := make([]batch.Item, n)
	for i := range items {
		items[i] = batch.Item{Row: i + 2, Name: "N", Phone: "2376770000" + strconv.Itoa(10+i), Country: "CM", Operator: "MTN",
			Mode: batch.ModeMobileMoney, Amount: 1000, Reference: "shared-" + strconv.Itoa(i), Provider: "campay"}
	}
	require.NoError(t, a.CreateBatch(ctx, &bt, items))

	claimed := make([][]int64, 2)
	var wg sync.WaitGroup
	for w, st := range []*Store{a, b} {
		for range 3 { // several callers per process too
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range n { // bounded: at most one claim per item
					cs, err := st.Claim(ctx, bt.ID, "campay", 2)
					if !assert.NoError(t, err) || len(cs) == 0 {
						return
					}
					for _, c := range cs {
						claimedMu.Lock()
						claimed[w] = append(claimed[w], c.Item.ID)
						claimedMu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()
	seen := map[int64]int{}
	for _, ids := range claimed {
		for _, id := range ids {
			seen[id]++
		}
	}
	assert.Len(t, seen, n, "every item claimed")
	for id, k := range seen {
		assert.Equal(t, 1, k, "item %d claimed %d times", id, k)
	}
	attempts := 0
	for _, it := range items {
		as, err := a.Attempts(ctx, it.ID)
		require.NoError(t, err)
		attempts += len(as)
	}
	assert.Equal(t, n, attempts, "one attempt per item")
}

var claimedMu sync.Mutex

// TestAWriterHeldTooLongIsErrBusy: a write waits for another process's
// write lock as long as the DSN's lock_timeout (10 s unless it says), then
// fails with ErrBusy, as SQLite's busy timeout does.
func TestAWriterHeldTooLongIsErrBusy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.PostgresDSN(t)
	holder := openAt(t, dsn)
	impatient := openAt(t, dsn+"&lock_timeout=50ms")
	b, _ := seed(t, holder, 1)
	tx, err := holder.db.BeginTx(ctx, nil) // takes the ledger's write lock
	require.NoError(t, err)
	defer tx.Rollback()
	err = impatient.Note(ctx, b.ID, "note", "while the lock is held")
	require.ErrorIs(t, err, ErrBusy)
	require.NoError(t, tx.Rollback())
	require.NoError(t, impatient.Note(ctx, b.ID, "note", "once it is let go"))
}
