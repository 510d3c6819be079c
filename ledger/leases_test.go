package ledger

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"bulkpay/internal/testsupport/pgtest"
)

func seedPlanned(t *testing.T, st *Store, ref string, n int) batch.Batch {
	t.Helper()
	items := make([]batch.Item, n)
	for i := range items {
		items[i] = batch.Item{Provider: "campay", Phone: "237677100000", Country: "CM", Operator: "MTN"}
	}
	b, _, err := batchtest.Seed(context.Background(), st, batch.Batch{Reference: ref, Currency: "XAF"}, items...)
	require.NoError(t, err)
	return b
}

func TestLeasesAreRecordedRenewedAndListed(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st := openAt(t, loc)
		assert.Equal(t, IsPostgres(loc), st.Shared(), "only a server ledger is shared by several workers")
		b := seedPlanned(t, st, "leases", 4)

		until := time.Date(2026, 11, 30, 9, 0, 30, 0, time.UTC)
		leased, err := st.ClaimLeased(ctx, b.ID, "campay", 2, batch.Lease{Worker: "h1/10/a", Until: until})
		require.NoError(t, err)
		require.Len(t, leased, 2)
		plain, err := st.Claim(ctx, b.ID, "campay", 1)
		require.NoError(t, err)
		require.Len(t, plain, 1)

		got, err := st.SubmittingLeases(ctx, b.ID)
		require.NoError(t, err)
		require.Len(t, got, 3)
		byID := map[int64]batch.Lease{}
		for _, l := range got {
			assert.Equal(t, batch.Submitting, l.Item.State)
			byID[l.Item.ID] = l.Lease
		}
		for _, c := range leased {
			assert.Equal(t, batch.Lease{Worker: "h1/10/a", Until: until}, byID[c.Item.ID], "row %d", c.Item.Row)
		}
		assert.Equal(t, batch.Lease{}, byID[plain[0].Item.ID], "claimed under the batch's lock: no lease")

		n, err := st.Renew(ctx, batch.Lease{Worker: "h1/10/a", Until: until.Add(time.Minute)})
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		require.NoError(t, st.Apply(ctx, batch.Change{ItemID: leased[0].Item.ID, From: batch.Submitting, To: batch.Pending,
			Cause: "provider accepted the payout", Attempt: &batch.AttemptEnd{ID: leased[0].AttemptID, Outcome: batch.OutcomeAccepted}}))
		n, err = st.Renew(ctx, batch.Lease{Worker: "h1/10/a", Until: until.Add(2 * time.Minute)})
		require.NoError(t, err)
		assert.Equal(t, 1, n, "an item answered is no longer held")
		n, err = st.Renew(ctx, batch.Lease{Worker: "h9/99/z", Until: until})
		require.NoError(t, err)
		assert.Zero(t, n)
		got, err = st.SubmittingLeases(ctx, b.ID)
		require.NoError(t, err)
		require.Len(t, got, 2)
	})
}

// TestLeasesKeepTheServersClock: on PostgreSQL a lease ends its length
// after the server's clock, whatever the worker's host clock says, and is
// judged against the server's clock (LeaseNow); a SQLite file keeps the
// expiry its process gives and its process's clock.
func TestLeasesKeepTheServersClock(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st := openAt(t, loc)
		b := seedPlanned(t, st, "clock", 3)
		pg := IsPostgres(loc)

		// a host an hour behind the server: the expiry it computes is long past
		behind := time.Now().Add(-time.Hour).Add(time.Minute).UTC().Round(0)
		before, err := st.LeaseNow(ctx)
		require.NoError(t, err)
		slow, err := st.ClaimLeased(ctx, b.ID, "campay", 1, batch.Lease{Worker: "slow/1/a", Until: behind, For: time.Minute})
		require.NoError(t, err)
		require.Len(t, slow, 1)
		after, err := st.LeaseNow(ctx)
		require.NoError(t, err)
		// a host a day ahead whose worker died at once: its lease is a microsecond long
		ahead := time.Now().Add(24 * time.Hour).UTC().Round(0)
		fast, err := st.ClaimLeased(ctx, b.ID, "campay", 1, batch.Lease{Worker: "fast/2/b", Until: ahead, For: time.Microsecond})
		require.NoError(t, err)
		require.Len(t, fast, 1)

		leases := map[string]batch.Lease{}
		got, err := st.SubmittingLeases(ctx, b.ID)
		require.NoError(t, err)
		for _, l := range got {
			leases[l.Lease.Worker] = l.Lease
		}
		now, err := st.LeaseNow(ctx)
		require.NoError(t, err)
		if pg {
			until := leases["slow/1/a"].Until
			assert.False(t, until.Before(before.Add(time.Minute)), "%s: a minute after the server's clock", until)
			assert.False(t, until.After(after.Add(time.Minute)), "%s: a minute after the server's clock", until)
			assert.False(t, leases["slow/1/a"].Expired(now), "live on the server's clock")
			assert.True(t, leases["fast/2/b"].Expired(now), "run out on the server's clock")
		} else {
			assert.Equal(t, behind, leases["slow/1/a"].Until, "SQLite keeps the expiry its process gives")
			assert.Equal(t, ahead, leases["fast/2/b"].Until)
			assert.True(t, leases["slow/1/a"].Expired(now))
			assert.False(t, leases["fast/2/b"].Expired(now))
		}

		// a renewal from the slow host
		before, err = st.LeaseNow(ctx)
		require.NoError(t, err)
		n, err := st.Renew(ctx, batch.Lease{Worker: "slow/1/a", Until: behind.Add(time.Second), For: 2 * time.Minute})
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		after, err = st.LeaseNow(ctx)
		require.NoError(t, err)
		got, err = st.SubmittingLeases(ctx, b.ID)
		require.NoError(t, err)
		for _, l := range got {
			leases[l.Lease.Worker] = l.Lease
		}
		until := leases["slow/1/a"].Until
		if pg {
			assert.False(t, until.Before(before.Add(2*time.Minute)), "%s: renewed on the server's clock", until)
			assert.False(t, until.After(after.Add(2*time.Minute)), "%s: renewed on the server's clock", until)
		} else {
			assert.Equal(t, behind.Add(time.Second), until)
		}

		// a recovery applies only under the lease it judged, stamped as stored
		l := leases["fast/2/b"]
		c, ok := batch.Recovery(batch.Leased{Item: fast[0].Item, Lease: l}, now.Add(25*time.Hour))
		require.True(t, ok)
		require.NoError(t, st.Apply(ctx, c))
		it, err := st.Item(ctx, fast[0].Item.ID)
		require.NoError(t, err)
		assert.Equal(t, batch.Unknown, it.State)
	})
}

func TestWorkersClaimDisjointItemsOnPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.PostgresDSN(t)
	ctx := context.Background()
	const workers, items = 3, 60
	stores := make([]*Store, workers)
	for i := range stores {
		stores[i] = openAt(t, dsn)
	}
	b := seedPlanned(t, stores[0], "disjoint", items)
	var mu sync.Mutex
	claimedBy := map[int64]int{}
	var wg sync.WaitGroup
	for w, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range items { // bounded: at most one claim per item
				cs, err := st.ClaimLeased(ctx, b.ID, "campay", 2, batch.Lease{Worker: string(rune('a' + w)), Until: time.Now().Add(time.Minute)})
				if !assert.NoError(t, err) || len(cs) == 0 {
					return
				}
				mu.Lock()
				for _, c := range cs {
					claimedBy[c.Item.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Len(t, claimedBy, items, "every item claimed")
	for id, n := range claimedBy {
		assert.Equal(t, 1, n, "item %d claimed once", id)
	}
}

func TestPostgresPaceSlotsAreSharedAndFreedByADeadWorker(t *testing.T) {
	t.Parallel()
	dsn := pgtest.PostgresDSN(t)
	ctx := context.Background()
	a, b := openAt(t, dsn), openAt(t, dsn)

	r1, err := a.Take(ctx, "campay", 0, 2)
	require.NoError(t, err)
	r2, err := b.Take(ctx, "campay", 0, 2)
	require.NoError(t, err)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = b.Take(cctx, "campay", 0, 2)
	assert.ErrorIs(t, err, context.Canceled, "both slots are held, one by each worker")
	other, err := b.Take(ctx, "mycoolpay", 0, 1)
	require.NoError(t, err, "another provider has slots of its own")
	other()

	r2()
	r3, err := b.Take(ctx, "campay", 0, 2)
	require.NoError(t, err, "a slot given back is free")
	r3()

	r1()

	// a worker that dies holding a slot: its connections close, the server frees it
	_, err = a.Take(ctx, "camoo", 0, 1)
	require.NoError(t, err)
	// as when its process is killed: the server ends its session
	var ended int
	require.NoError(t, b.pacer.turns.QueryRowContext(ctx, `WITH k AS (SELECT hashtextextended('bulkpay pace slot ' || current_schema() || ' camoo', 0) AS key)
		SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l, k WHERE l.locktype = 'advisory' AND l.objsubid = 1
		AND l.classid::bigint = ((k.key >> 32) & 4294967295) AND l.objid::bigint = (k.key & 4294967295)`).Scan(&ended))
	require.Equal(t, 1, ended, "the dead worker's session held the slot")
	bctx, stop := context.WithTimeout(ctx, 30*time.Second) // a bound, not a measure: the slot is free at once
	defer stop()
	r4, err := b.Take(bctx, "camoo", 0, 1)
	require.NoError(t, err)
	r4()
}

func TestPostgresPaceKeepsTheRateAcrossWorkers(t *testing.T) {
	t.Parallel()
	dsn := pgtest.PostgresDSN(t)
	ctx := context.Background()
	a, b := openAt(t, dsn), openAt(t, dsn)
	for i := range 6 {
		st := []*Store{a, b}[i%2]
		release, err := st.Take(ctx, "camoo", 20, 0)
		require.NoError(t, err)
		release()
	}
	var grants string
	require.NoError(t, a.pacer.turns.QueryRowContext(ctx, `SELECT grants FROM provider_pace WHERE pace_key = 'camoo'`).Scan(&grants))
	assert.Len(t, parseGrants(grants), 6, "both workers' turns recorded in the one row, on the server's clock")
}

func TestNoAttemptStartsOnAFinalItem(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st := openAt(t, loc)
		_, items, err := batchtest.Seed(ctx, st, batch.Batch{Reference: "final", Currency: "XAF"},
			batch.Item{Provider: "campay", State: batch.Unknown}, batch.Item{Provider: "campay", State: batch.Succeeded})
		require.NoError(t, err)

		// a worker settles the unknown one; another, which read it
		// unknown a moment before, then finds it final
		mine, err := st.StartAttempt(ctx, items[0].ID, batch.KindSettle, "")
		require.NoError(t, err)
		require.NoError(t, st.Apply(ctx, batch.Change{ItemID: items[0].ID, From: batch.Unknown, To: batch.Succeeded, CloseOpen: true,
			Cause: "settled: the provider reported the payout", Attempt: &batch.AttemptEnd{ID: mine, Outcome: batch.OutcomeAccepted}}))
		_, err = st.StartAttempt(ctx, items[0].ID, batch.KindSettle, "")
		assert.ErrorIs(t, err, batch.ErrStale, "settled meanwhile: no attempt for it any more")
		_, err = st.StartAttempt(ctx, items[1].ID, batch.KindSettle, "")
		assert.ErrorIs(t, err, batch.ErrStale)
		as, err := st.Attempts(ctx, items[0].ID)
		require.NoError(t, err)
		for _, a := range as {
			assert.False(t, a.FinishedAt.IsZero(), "attempt %d closed", a.ID)
		}
	})
}

// TestRenewFindsItsItemsThroughTheClaimedByIndex: items_claimed_by holds only
// the items claimed under a lease (migration 0018), and Renew still finds its
// items through it, not by reading every item: SQLite's plan names the index;
// PostgreSQL's does with sequential scans discouraged, as a large table would
// (on a few rows a scan is cheaper, and the planner rightly takes it).
func TestRenewFindsItsItemsThroughTheClaimedByIndex(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st := openAt(t, loc)
		tx, err := st.db.BeginTx(ctx, nil)
		require.NoError(t, err)
		defer tx.Rollback()
		var plan []string
		if IsPostgres(loc) {
			_, err = tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`)
			require.NoError(t, err)
			rows, err := tx.QueryContext(ctx, `EXPLAIN `+renewLeases, "2026-11-30T09:00:00Z", "h1/10/a")
			require.NoError(t, err)
			for rows.Next() {
				var line string
				require.NoError(t, rows.Scan(&line))
				plan = append(plan, line)
			}
			require.NoError(t, rows.Err())
		} else {
			rows, err := tx.QueryContext(ctx, `EXPLAIN QUERY PLAN `+renewLeases, "2026-11-30T09:00:00Z", "h1/10/a")
			require.NoError(t, err)
			for rows.Next() {
				var id, parent, unused int
				var detail string
				require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
				plan = append(plan, detail)
			}
			require.NoError(t, rows.Err())
		}
		t.Logf("plan:\n%s", strings.Join(plan, "\n"))
		assert.Contains(t, strings.Join(plan, "\n"), "items_claimed_by")
	})
}
