package ledger

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// holdCommitter stops the committer before it takes its next group, until
// release is called; queued(k) is closed once k writes wait in the queue.
func holdCommitter(st *Store) (queued func(k int) <-chan struct{}, release func()) {
	var mu sync.Mutex
	length, waiters := 0, map[int]chan struct{}{}
	open := make(chan struct{})
	var openOnce sync.Once
	queued = func(k int) <-chan struct{} {
		mu.Lock()
		defer mu.Unlock()
		ch := make(chan struct{})
		if length >= k {
			close(ch)
		} else {
			waiters[k] = ch
		}
		return ch
	}
	c := st.group
	c.mu.Lock()
	c.beforeGroup = func() { <-open }
	c.onQueue = func(n int) {
		mu.Lock()
		defer mu.Unlock()
		length = n
		for k, ch := range waiters {
			if k <= n {
				close(ch)
				delete(waiters, k)
			}
		}
	}
	c.mu.Unlock()
	return queued, func() { openOnce.Do(func() { close(open) }) }
}

// claimedLedger is a new ledger holding one batch of n items, the first k of
// them claimed.
func claimedLedger(t *testing.T, loc string, n, k int) (*Store, batch.Batch, []batch.Item, []batch.Claim) {
	t.Helper()
	st := openAt(t, loc)
	b, items := seed(t, st, n)
	claimed, err := st.Claim(context.Background(), b.ID, "campay", k)
	require.NoError(t, err)
	return st, b, items, claimed
}

// accepted is the answer to a claim's send: the provider took the payout.
func accepted(c batch.Claim, to batch.State) batch.Change {
	return batch.Change{ItemID: c.Item.ID, From: batch.Submitting, To: to, Cause: "provider accepted the payout",
		Attempt: &batch.AttemptEnd{ID: c.AttemptID, Outcome: batch.OutcomeAccepted}}
}

// Writes made at the same time are committed in one transaction, with one
// fsync and, since claims are among them, one checkpoint; each caller gets its
// own result.
func TestWritesMadeTogetherShareOneCommit(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st, b, seeded, claimed := claimedLedger(t, loc, 24, 8)

		// 8 claims of one item, 8 answers to the claims made above, 8 attempts
		// opened on the last 8 items (the group's claims take the 8 before them)
		const n = 24
		queued, release := holdCommitter(st)
		before := st.Stats()
		claims := make([][]batch.Claim, 8)
		answers := make([]error, 8)
		attempts := make([]int64, 8)
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() { claims[i], errs[i] = st.Claim(ctx, b.ID, "campay", 1) })
			wg.Go(func() {
				answers[i] = st.Apply(ctx, accepted(claimed[i], batch.Pending))
			})
			wg.Go(func() {
				var err error
				attempts[i], err = st.StartAttempt(ctx, seeded[16+i].ID, batch.KindSettle, "")
				require.NoError(t, err)
			})
		}
		<-queued(n)
		release()
		wg.Wait()
		after := st.Stats()
		assert.Equal(t, int64(1), after.Commits-before.Commits, "one commit for the group")
		if !st.Postgres() { // a PostgreSQL commit is durable: no checkpoint
			assert.Equal(t, int64(1), after.Checkpoints-before.Checkpoints, "one checkpoint for the claims in it")
		}

		seen := map[int64]bool{}
		for i := range 8 {
			require.NoError(t, errs[i])
			require.Len(t, claims[i], 1)
			it := claims[i][0].Item
			assert.False(t, seen[it.ID], "item %d claimed twice", it.ID)
			seen[it.ID] = true
			assert.Equal(t, batch.Submitting, it.State)
			require.NoError(t, answers[i])
			got, err := st.Attempts(ctx, claimed[i].Item.ID)
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, batch.OutcomeAccepted, got[0].Outcome)
			got, err = st.Attempts(ctx, seeded[16+i].ID)
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, attempts[i], got[0].ID, "each caller got its own attempt")
		}
		pending, err := st.Items(ctx, b.ID, batch.Pending)
		require.NoError(t, err)
		assert.Len(t, pending, 8)
		submitting, err := st.Items(ctx, b.ID, batch.Submitting)
		require.NoError(t, err)
		assert.Len(t, submitting, 8, "the 8 claimed in the group")
	})
}

// A write that breaks a rule fails alone: the rest of its group is committed,
// and its own changes are all rolled back, the ones before the bad one too.
func TestOneBadWriteDoesNotPoisonItsGroup(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st, b, _, claimed := claimedLedger(t, loc, 6, 6)
		accept := func(c batch.Claim) batch.Change { return accepted(c, batch.Succeeded) }
		stale := batch.Change{ItemID: claimed[1].Item.ID, From: batch.Pending, To: batch.Succeeded, Cause: "not pending"}
		backwards := batch.Change{ItemID: claimed[2].Item.ID, From: batch.Submitting, To: batch.Planned, Cause: "fine"}
		backwards2 := batch.Change{ItemID: claimed[2].Item.ID, From: batch.Planned, To: batch.Succeeded, Cause: "not a move the state machine allows"}
		writes := [][]batch.Change{
			{accept(claimed[0])},
			{accept(claimed[1]), stale}, // all or nothing: the accept is rolled back with the stale change
			{backwards, backwards2},
			{accept(claimed[3])},
			{{ItemID: 999_999, From: batch.Submitting, To: batch.Succeeded}}, // no such item
			{accept(claimed[4])},
		}
		queued, release := holdCommitter(st)
		before := st.Stats()
		errs := make([]error, len(writes))
		var wg sync.WaitGroup
		for i, w := range writes {
			wg.Go(func() { errs[i] = st.Apply(ctx, w...) })
		}
		<-queued(len(writes))
		release()
		wg.Wait()
		assert.Equal(t, int64(1), st.Stats().Commits-before.Commits, "one commit for the group")

		for _, i := range []int{0, 3, 5} {
			require.NoError(t, errs[i], "write %d", i)
		}
		require.ErrorIs(t, errs[1], batch.ErrStale)
		require.Error(t, errs[2])
		require.ErrorIs(t, errs[4], batch.ErrItemNotFound)

		want := map[int64]batch.State{
			claimed[0].Item.ID: batch.Succeeded, claimed[1].Item.ID: batch.Submitting, claimed[2].Item.ID: batch.Submitting,
			claimed[3].Item.ID: batch.Succeeded, claimed[4].Item.ID: batch.Succeeded, claimed[5].Item.ID: batch.Submitting,
		}
		items, err := st.Items(ctx, b.ID)
		require.NoError(t, err)
		for _, it := range items {
			assert.Equal(t, want[it.ID], it.State, "row %d", it.Row)
			events, err := st.Events(ctx, b.ID, it.ID)
			require.NoError(t, err)
			moves := 0
			for _, e := range events {
				if e.From != "" {
					moves++
				}
			}
			if want[it.ID] == batch.Succeeded {
				assert.Equal(t, 2, moves, "row %d: claimed, then succeeded", it.Row)
			} else {
				assert.Equal(t, 1, moves, "row %d: claimed only; a rolled-back change leaves no event", it.Row)
			}
		}
		attempts, err := st.Attempts(ctx, claimed[1].Item.ID)
		require.NoError(t, err)
		assert.Empty(t, attempts[0].Outcome, "the rolled-back write did not close the attempt")
	})
}

// A caller whose context ends while its write waits takes it back: nothing of
// it is written, and the rest of the group is. A caller whose write the
// committer has already taken gets its result even though its context ends.
func TestCancelledCallerTakesItsWaitingWriteBack(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st, b, _, claimed := claimedLedger(t, loc, 4, 2)

		queued, release := holdCommitter(st)
		cctx, cancel := context.WithCancel(ctx)
		var first, withdrawn error
		firstDone, withdrawnDone := make(chan struct{}), make(chan struct{})
		go func() { _, first = st.Claim(ctx, b.ID, "campay", 1); close(firstDone) }()
		<-queued(1)
		go func() {
			withdrawn = st.Apply(cctx, batch.Change{ItemID: claimed[0].Item.ID, From: batch.Submitting, To: batch.Succeeded, Cause: "x"})
			close(withdrawnDone)
		}()
		<-queued(2)
		cancel()
		<-withdrawnDone // returned while the committer is still held
		release()
		<-firstDone
		require.NoError(t, first)
		require.ErrorIs(t, withdrawn, context.Canceled)
		items, err := st.Items(ctx, b.ID, batch.Submitting)
		require.NoError(t, err)
		assert.Len(t, items, 3, "the first claim committed; nothing of the withdrawn write")

		// taken, then cancelled: the write is committed and its caller told so
		st2 := openAt(t, another(t, loc))
		b2, _ := seed(t, st2, 1)
		claimed, err = st2.Claim(ctx, b2.ID, "campay", 1)
		require.NoError(t, err)
		tctx, tcancel := context.WithCancel(ctx)
		queued, release = holdCommitter(st2)
		var canceller, taken error
		var wg sync.WaitGroup
		wg.Go(func() {
			canceller = st2.submit(ctx, false, func(context.Context, *sql.Tx) error { tcancel(); return nil }).err
		})
		<-queued(1)
		wg.Go(func() {
			taken = st2.Apply(tctx, batch.Change{ItemID: claimed[0].Item.ID, From: batch.Submitting, To: batch.Succeeded, Cause: "provider accepted the payout"})
		})
		<-queued(2)
		release()
		wg.Wait()
		require.NoError(t, canceller)
		require.NoError(t, taken, "taken before its caller cancelled: committed")
		assert.Error(t, tctx.Err())
		items, err = st2.Items(ctx, b2.ID, batch.Succeeded)
		require.NoError(t, err)
		assert.Len(t, items, 1)
	})
}

// A write that panics does not take the committer down: its caller gets the
// panic as an error, its group is rolled back (its state is in doubt), and the
// next writes are committed.
func TestAPanickingWriteFailsItsGroupNotTheLedger(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st, b, _, claimed := claimedLedger(t, loc, 2, 2)
		accept := func(c batch.Claim) batch.Change { return accepted(c, batch.Pending) }

		queued, release := holdCommitter(st)
		var panicked, other error
		var wg sync.WaitGroup
		wg.Go(func() {
			panicked = st.submit(ctx, false, func(context.Context, *sql.Tx) error { panic("a bug") }).err
		})
		<-queued(1)
		wg.Go(func() { other = st.Apply(ctx, accept(claimed[0])) })
		<-queued(2)
		release()
		wg.Wait()
		require.ErrorContains(t, panicked, "ledger write panicked: a bug")
		require.Error(t, other, "its group was rolled back")
		items, err := st.Items(ctx, b.ID, batch.Pending)
		require.NoError(t, err)
		assert.Empty(t, items)

		require.NoError(t, st.Apply(ctx, accept(claimed[1])), "the committer goes on")
		items, err = st.Items(ctx, b.ID, batch.Pending)
		require.NoError(t, err)
		assert.Len(t, items, 1)
	})
}

// A group with a failing write is run again from the start, each write in its
// own savepoint: the writes that hand back what they wrote (a claim's items
// and attempts, an attempt's id) answer with what was committed, once, not
// with what the rolled-back first run wrote.
func TestAGroupRunAgainAnswersWithWhatItCommitted(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st, b, _, claimed := claimedLedger(t, loc, 10, 2)
		stale := batch.Change{ItemID: claimed[0].Item.ID, From: batch.Pending, To: batch.Succeeded, Cause: "not pending"}
		queued, release := holdCommitter(st)
		before := st.Stats()
		var (
			staleErr, claimErr, startErr error
			claims                       []batch.Claim
			settleID                     int64
			wg                           sync.WaitGroup
		)
		// the claim and the attempt run first, and are rolled back when the
		// stale change after them fails
		wg.Go(func() { claims, claimErr = st.Claim(ctx, b.ID, "campay", 3) })
		<-queued(1)
		wg.Go(func() { settleID, startErr = st.StartAttempt(ctx, claimed[1].Item.ID, batch.KindSettle, "") })
		<-queued(2)
		wg.Go(func() { staleErr = st.Apply(ctx, stale) })
		<-queued(3)
		release()
		wg.Wait()
		assert.Equal(t, int64(1), st.Stats().Commits-before.Commits, "one commit for the group, after its rerun")
		require.ErrorIs(t, staleErr, batch.ErrStale)
		require.NoError(t, claimErr)
		require.NoError(t, startErr)

		require.Len(t, claims, 3, "each claimed item once, none left from the first run")
		seen := map[int64]bool{}
		for _, c := range claims {
			assert.False(t, seen[c.Item.ID], "row %d claimed twice", c.Item.Row)
			seen[c.Item.ID] = true
			attempts, err := st.Attempts(ctx, c.Item.ID)
			require.NoError(t, err)
			require.Len(t, attempts, 1, "row %d: one attempt committed", c.Item.Row)
			assert.Equal(t, attempts[0].ID, c.AttemptID, "row %d: the claim names the committed attempt", c.Item.Row)
		}
		attempts, err := st.Attempts(ctx, claimed[1].Item.ID)
		require.NoError(t, err)
		require.Len(t, attempts, 2, "the claim's attempt, then the settle attempt")
		assert.Equal(t, attempts[1].ID, settleID, "the id handed back is the committed attempt's")
		assert.Equal(t, batch.KindSettle, attempts[1].Kind)
		submitting, err := st.Items(ctx, b.ID, batch.Submitting)
		require.NoError(t, err)
		assert.Len(t, submitting, 5, "the 2 claimed before and the 3 of the group")
	})
}
