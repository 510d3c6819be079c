package ledger

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/testsupport"
	"bulkpay/providers/providerstest"
)

// copyMainFile copies the ledger's main file alone, without its -wal and -shm,
// as a backup of only bulkpay.db would, and opens the copy.
func copyMainFile(t *testing.T, st *Store) *Store {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy.db")
	testsupport.CopyFile(t, st.Path(), dst)
	cp, err := Open(context.Background(), dst)
	require.NoError(t, err)
	t.Cleanup(func() { cp.Close() })
	return cp
}

func TestMainFileAloneHoldsWhatMayHaveBeenSent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := providerstest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	st, err := Open(ctx, filepath.Join(t.TempDir(), "ledger.db"), WithClock(clk.Now), WithCheckpoints(5*time.Second, 1000))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	b, items := seed(t, st, 3)

	cp := copyMainFile(t, st)
	got, err := cp.Batch(ctx, "b-1")
	require.NoError(t, err, "a planned batch is in the main file")
	planned, err := cp.Items(ctx, got.ID)
	require.NoError(t, err)
	require.Len(t, planned, 3)
	for i, it := range planned {
		assert.Equal(t, items[i].Reference, it.Reference, "the references to send are in the main file")
	}

	claims, err := st.Claim(ctx, b.ID, "campay", 1)
	require.NoError(t, err)
	require.Len(t, claims, 1)
	sub, err := copyMainFile(t, st).Items(ctx, b.ID, batch.Submitting)
	require.NoError(t, err)
	require.Len(t, sub, 1, "a claimed item (its request may leave now) is in the main file")
	assert.Equal(t, claims[0].Item.Reference, sub[0].Reference)

	accept := func(c batch.Claim, ref string) {
		require.NoError(t, st.Apply(ctx, batch.Change{ItemID: c.Item.ID, From: batch.Submitting, To: batch.Pending, Cause: "accepted",
			ProviderReference: ref, Attempt: &batch.AttemptEnd{ID: c.AttemptID, Outcome: batch.OutcomeAccepted, ProviderReference: ref}}))
	}
	accept(claims[0], "P-1")
	pend, err := copyMainFile(t, st).Items(ctx, b.ID, batch.Pending)
	require.NoError(t, err)
	assert.Empty(t, pend, "an answer alone waits for the next checkpoint")

	clk.Add(5 * time.Second)
	require.NoError(t, st.Note(ctx, b.ID, "tick", "a write after the interval"))
	pend, err = copyMainFile(t, st).Items(ctx, b.ID, batch.Pending)
	require.NoError(t, err)
	require.Len(t, pend, 1, "the interval passed: the next write checkpoints")
	assert.Equal(t, "P-1", pend[0].ProviderReference)
}

func TestCheckpointAfterEnoughWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := providerstest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	st, err := Open(ctx, filepath.Join(t.TempDir(), "ledger.db"), WithClock(clk.Now), WithCheckpoints(time.Hour, 3))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	b, _ := seed(t, st, 1)
	count := func() int {
		evs, err := copyMainFile(t, st).Events(ctx, b.ID, 0)
		require.NoError(t, err)
		return len(evs)
	}
	base := count()
	require.NoError(t, st.Note(ctx, b.ID, "one", ""))
	require.NoError(t, st.Note(ctx, b.ID, "two", ""))
	assert.Equal(t, base, count(), "two writes: no checkpoint yet")
	require.NoError(t, st.Note(ctx, b.ID, "three", ""))
	assert.Equal(t, base+3, count(), "the third write checkpoints")
}

func TestCheckFindsADamagedPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openTemp(t)
	b, _ := seed(t, st, 3)
	require.NoError(t, st.Check(ctx), "a sound ledger passes")
	var page int64
	require.NoError(t, st.db.QueryRowContext(ctx, `SELECT rootpage FROM sqlite_master WHERE name = 'items_fingerprint'`).Scan(&page))
	require.NoError(t, st.Close())

	testsupport.DamagePage(t, st.Path(), page)
	st2, err := Open(ctx, st.Path())
	require.NoError(t, err, "the damage is where opening does not look")
	defer st2.Close()
	_, err = st2.Items(ctx, b.ID)
	require.NoError(t, err, "nor where reading a batch looks: only a check finds it")
	err = st2.Check(ctx)
	require.ErrorIs(t, err, ErrDamaged)
	assert.Contains(t, err.Error(), st.Path())
}

func TestConcurrentOpenOfANewLedger(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, path string) {
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := Open(context.Background(), path)
				if err == nil {
					err = st.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for _, err := range errs {
			assert.NoError(t, err, "every opener migrates or finds the ledger migrated")
		}
		st, err := Open(context.Background(), path)
		require.NoError(t, err)
		defer st.Close()
		v, err := st.SchemaVersion(context.Background())
		require.NoError(t, err)
		hist, err := history()
		require.NoError(t, err)
		assert.Equal(t, latest(hist), v)
	})
}

func TestSameBatchPlannedTwiceIsErrBatchExists(t *testing.T) {
	t.Parallel()
	st := openTemp(t)
	seed(t, st, 1)
	again := batch.Batch{Reference: "b-1", SheetHash: "h", SheetName: "s.xlsx", Currency: "XAF", TotalAmount: 1000}
	err := st.CreateBatch(context.Background(), &again, []batch.Item{{Row: 2, Name: "N", Phone: "237677123450", Country: "CM",
		Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 1000, Reference: "ref-other", Provider: "campay"}})
	require.ErrorIs(t, err, batch.ErrBatchExists)
	assert.Contains(t, err.Error(), `"b-1"`)
	assert.NotContains(t, err.Error(), "UNIQUE constraint", "no raw SQL for people")
}

func TestZombieHolderIsNotAlive(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	cmd := exec.Command("true")
	require.NoError(t, cmd.Start())
	pid := cmd.Process.Pid
	start := ProcessStart(pid)
	testsupport.WaitExited(t, pid)
	require.NotEmpty(t, ProcessStart(pid), "exited, not reaped: still in /proc")
	assert.False(t, processAlive(pid, start), "a zombie is not alive")
	assert.False(t, processAlive(pid, ""), "a zombie is not alive, start time or not")
	require.NoError(t, cmd.Wait())
}

func TestZombieHoldersLockIsTakenOver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openTemp(t)
	b, _ := seed(t, st, 1)
	cmd := exec.Command("true")
	require.NoError(t, cmd.Start())
	pid := cmd.Process.Pid
	host, _ := os.Hostname()
	require.NoError(t, st.Lock(ctx, b.ID, batch.Owner{PID: pid, Host: host, Start: ProcessStart(pid), At: time.Now()}))
	testsupport.WaitExited(t, pid)
	me := batch.Owner{PID: os.Getpid(), Host: host, Start: ProcessStart(os.Getpid()), At: time.Now()}
	require.NoError(t, st.Lock(ctx, b.ID, me), "the holder exited; its parent not having reaped it changes nothing")
	require.NoError(t, cmd.Wait())
}

func TestReadingADamagedPageSaysTheLedgerIsDamaged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openTemp(t)
	b, _ := seed(t, st, 3)
	var page int64
	require.NoError(t, st.db.QueryRowContext(ctx, `SELECT rootpage FROM sqlite_master WHERE name = 'items'`).Scan(&page))
	require.NoError(t, st.Close())
	testsupport.DamagePage(t, st.Path(), page)

	st2, err := Open(ctx, st.Path())
	require.NoError(t, err)
	defer st2.Close()
	_, err = st2.Items(ctx, b.ID)
	require.ErrorIs(t, err, ErrDamaged, "not a raw driver error")

	notADB := filepath.Join(t.TempDir(), "garbage.db")
	require.NoError(t, os.WriteFile(notADB, []byte(strings.Repeat("this is not a ledger ", 500)), 0o600))
	_, err = Open(ctx, notADB)
	require.ErrorIs(t, err, ErrDamaged)
}

// A claim that cannot reach the main file is undone: its items are planned
// again with their attempts closed as not processed, so none waits in doubt
// (or for a person) for a request that never left.
func TestClaimThatCannotReachTheMainFileIsUndone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "ledger.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	b, _ := seed(t, st, 2)
	st.claimCheckpoint = func(context.Context) error { return ErrCheckpoint }

	claims, err := st.Claim(ctx, b.ID, "campay", 2)
	require.ErrorIs(t, err, ErrCheckpoint)
	assert.Empty(t, claims)
	items, err := st.Items(ctx, b.ID)
	require.NoError(t, err)
	for _, it := range items {
		assert.Equal(t, batch.Planned, it.State, "row %d", it.Row)
		attempts, err := st.Attempts(ctx, it.ID)
		require.NoError(t, err)
		require.Len(t, attempts, 1)
		assert.Equal(t, batch.OutcomeNotProcessed, attempts[0].Outcome)
	}

	st.claimCheckpoint = nil
	claims, err = st.Claim(ctx, b.ID, "campay", 2)
	require.NoError(t, err)
	assert.Len(t, claims, 2, "claimed again once the main file can take it")
}

// A claim whose checkpoint another process's reader holds up waits for the
// reader instead of failing: concurrent runs on one ledger do not fail each
// other's claims.
func TestAClaimWaitsForAReaderThatHoldsUpItsCheckpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ledger.db")
	st, err := Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	b, _ := seed(t, st, 2)

	// another process reads the ledger as it stands, and keeps reading
	other, err := sql.Open("sqlite3", DSN(path))
	require.NoError(t, err)
	t.Cleanup(func() { other.Close() })
	conn, err := other.Conn(ctx)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, "BEGIN")
	require.NoError(t, err)
	var n int
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM items").Scan(&n))

	// a handle that does not wait on its own (no busy timeout): the claim's
	// checkpoint finds the reader at once, as it finds another checkpointer
	st = openDSN(t, path, map[string]string{"_busy_timeout": "0"})
	var once sync.Once
	tries := 0
	st.checkpointIncomplete = func() {
		tries++
		once.Do(func() { // the reader ends once the claim has had to wait
			_, err := conn.ExecContext(ctx, "COMMIT")
			assert.NoError(t, err)
			assert.NoError(t, conn.Close())
		})
	}
	claims, err := st.Claim(ctx, b.ID, "campay", 2)
	require.NoError(t, err, "the claim waited for the reader")
	assert.Len(t, claims, 2)
	assert.Positive(t, tries, "the reader held the first checkpoint up")
}
