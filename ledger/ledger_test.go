package ledger

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

func seed(t *testing.T, st *Store, n int) (batch.Batch, []batch.Item) {
	t.Helper()
	b := batch.Batch{Reference: "b-1", SheetHash: "h", SheetName: "s.xlsx", Currency: "XAF", TotalAmount: int64(n) * 1000}
	items := make([]batch.Item, n)
	for i := range items {
		items[i] = batch.Item{Row: i + 2, Name: "N", Phone: "23767712345" + string(rune('0'+i)), Country: "CM", Operator: "MTN",
			Mode: batch.ModeMobileMoney, Amount: 1000, Reference: "ref-" + string(rune('a'+i)), Provider: "campay"}
	}
	require.NoError(t, st.CreateBatch(context.Background(), &b, items))
	return b, items
}

func TestDSNGivesWALAndFullSync(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000"} {
		got, err := st.Pragma(ctx, pragma)
		require.NoError(t, err)
		assert.Equal(t, want, got, pragma)
	}
}

func TestFilesAre0600(t *testing.T) {
	st := openTemp(t)
	seed(t, st, 1) // a write makes SQLite create -wal and -shm
	for _, suffix := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(st.Path() + suffix)
		require.NoError(t, err, suffix)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "ledger%s", suffix)
	}
}

func TestMigrationsAreVersionedAndIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	st, err := Open(context.Background(), path)
	require.NoError(t, err)
	v, _ := st.Pragma(context.Background(), "user_version")
	names, err := fs.Glob(migrations, "migrations/*.sql")
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(len(names)), v, "every migration applied")
	st.Close()
	st, err = Open(context.Background(), path)
	require.NoError(t, err)
	st.Close()
}

func TestCreateFindAndClaim(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	b, _ := seed(t, st, 3)
	got, err := st.Batch(ctx, "b-1")
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID)
	byID, err := st.Batch(ctx, "1")
	require.NoError(t, err)
	assert.Equal(t, "b-1", byID.Reference)
	_, err = st.Batch(ctx, "nope")
	require.ErrorIs(t, err, batch.ErrBatchNotFound)

	claims, err := st.Claim(ctx, b.ID, "campay", 2)
	require.NoError(t, err)
	require.Len(t, claims, 2)
	assert.Equal(t, 2, claims[0].Item.Row, "claimed in sheet order")
	assert.Equal(t, batch.Submitting, claims[0].Item.State)
	sub, _ := st.Items(ctx, b.ID, batch.Submitting)
	assert.Len(t, sub, 2, "the claim is committed")
	att, _ := st.Attempts(ctx, claims[0].Item.ID)
	require.Len(t, att, 1)
	assert.Equal(t, batch.KindSend, att[0].Kind)
	assert.Equal(t, claims[0].Item.Reference, att[0].Reference)
	assert.True(t, att[0].FinishedAt.IsZero())

	none, err := st.Claim(ctx, b.ID, "other", 5)
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestApplyFollowsTheStateMachine(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	b, _ := seed(t, st, 1)
	c, err := st.Claim(ctx, b.ID, "campay", 1)
	require.NoError(t, err)
	it := c[0].Item

	err = st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Submitting, To: batch.Pending, Cause: "accepted",
		ProviderReference: "P-1", Attempt: &batch.AttemptEnd{ID: c[0].AttemptID, Outcome: batch.OutcomeAccepted, ProviderReference: "P-1"}})
	require.NoError(t, err)

	err = st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Pending, To: batch.Planned, Cause: "x"})
	require.ErrorIs(t, err, batch.ErrIllegalMove)

	err = st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Submitting, To: batch.Unknown, Cause: "stale"})
	require.ErrorIs(t, err, batch.ErrStale, "a change is conditional on the state it comes from")

	err = st.Apply(ctx, batch.Change{ItemID: it.ID, Attempt: &batch.AttemptEnd{ID: c[0].AttemptID, Outcome: batch.OutcomeUnknown}})
	require.ErrorIs(t, err, batch.ErrStale, "an attempt closes once")

	require.NoError(t, st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Pending, To: batch.Succeeded, Cause: "final"}))
	err = st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Succeeded, To: batch.Failed, Cause: "x"})
	require.ErrorIs(t, err, batch.ErrIllegalMove, "terminal states never move")

	items, _ := st.Items(ctx, b.ID)
	assert.Equal(t, batch.Succeeded, items[0].State)
	assert.Equal(t, "P-1", items[0].ProviderReference)

	evs, err := st.Events(ctx, b.ID, it.ID)
	require.NoError(t, err)
	var path []batch.State
	for _, e := range evs {
		path = append(path, e.To)
	}
	assert.Equal(t, []batch.State{batch.Planned, batch.Submitting, batch.Pending, batch.Succeeded}, path)
}

func TestApplyIsAtomic(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	b, _ := seed(t, st, 1)
	c, _ := st.Claim(ctx, b.ID, "campay", 1)
	id := c[0].Item.ID
	err := st.Apply(ctx,
		batch.Change{ItemID: id, From: batch.Submitting, To: batch.Unknown, Cause: "a"},
		batch.Change{ItemID: id, From: batch.Unknown, To: batch.Planned, Cause: "illegal"})
	require.Error(t, err)
	items, _ := st.Items(ctx, b.ID)
	assert.Equal(t, batch.Submitting, items[0].State, "nothing of a failed group is kept")
}

func TestEventsAreAppendOnly(t *testing.T) {
	st := openTemp(t)
	seed(t, st, 1)
	_, err := st.db.Exec(`UPDATE events SET cause = 'edited'`)
	require.ErrorContains(t, err, "append-only")
	_, err = st.db.Exec(`DELETE FROM events`)
	require.ErrorContains(t, err, "append-only")
}

func TestLock(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	b, _ := seed(t, st, 1)
	me := batch.Owner{PID: 1000, Host: "h", At: time.Now()}
	other := batch.Owner{PID: 2000, Host: "h", At: time.Now()}
	alive := map[int]bool{1000: true, 2000: true}
	st.alive = func(pid int, _ string) bool { return alive[pid] }

	require.NoError(t, st.Lock(ctx, b.ID, me))
	require.NoError(t, st.Lock(ctx, b.ID, me), "the holder may take it again")
	err := st.Lock(ctx, b.ID, other)
	var le *batch.LockedError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 1000, le.PID)
	assert.Contains(t, err.Error(), "batch b-1 is being run by pid 1000")

	alive[1000] = false // the holder was killed
	require.NoError(t, st.Lock(ctx, b.ID, other), "a dead holder's lock is taken over")
	require.NoError(t, st.Unlock(ctx, b.ID, other))
	require.NoError(t, st.Lock(ctx, b.ID, me))
	evs, _ := st.Events(ctx, b.ID, 0)
	var causes []string
	for _, e := range evs {
		if e.ItemID == 0 {
			causes = append(causes, e.Cause)
		}
	}
	assert.Equal(t, []string{"batch planned", "run started", "run started", "run started", "run ended", "run started"}, causes)
}

func TestReusedPidIsNotTheHolder(t *testing.T) {
	me := os.Getpid()
	start := ProcessStart(me)
	if start == "" {
		t.Skip("no /proc here")
	}
	assert.True(t, processAlive(me, start), "this process, same start time")
	assert.False(t, processAlive(me, start+"1"), "same pid, another start: a reused pid")
	assert.True(t, processAlive(me, ""), "no start recorded: the pid alone decides")
	assert.False(t, processAlive(0, ""))
}
