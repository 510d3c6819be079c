package ledger

import (
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/testsupport/pgtest"
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
	t.Parallel()
	st := openTemp(t)
	ctx := context.Background()
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000"} {
		got, err := st.Pragma(ctx, pragma)
		require.NoError(t, err)
		assert.Equal(t, want, got, pragma)
	}
}

func TestFilesAre0600(t *testing.T) {
	t.Parallel()
	st := openTemp(t)
	seed(t, st, 1) // a write makes SQLite create -wal and -shm
	for _, suffix := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(st.Path() + suffix)
		require.NoError(t, err, suffix)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "ledger%s", suffix)
	}
}

func TestMigrationsAreVersionedAndIdempotent(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		st, err := Open(context.Background(), loc)
		require.NoError(t, err)
		v, err := st.SchemaVersion(context.Background())
		require.NoError(t, err)
		names, err := fs.Glob(migrations, "migrations/[0-9]*[0-9]_*[a-z].sql")
		require.NoError(t, err)
		n := 0
		for _, name := range names {
			if !strings.HasSuffix(name, ".postgres.sql") {
				// the version is the last migration's number
				num, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
				require.NoError(t, err)
				n = max(n, num)
			}
		}
		assert.Equal(t, n, v, "every migration applied")
		st.Close()
		st, err = Open(context.Background(), loc)
		require.NoError(t, err)
		st.Close()
	})
}

func TestEventsAreAppendOnly(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		st := openAt(t, loc)
		seed(t, st, 1)
		_, err := st.db.Exec(`UPDATE events SET cause = 'edited'`)
		require.ErrorContains(t, err, "append-only")
		_, err = st.db.Exec(`DELETE FROM events`)
		require.ErrorContains(t, err, "append-only")
	})
}

func TestReusedPidIsNotTheHolder(t *testing.T) {
	t.Parallel()
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

func TestALedgerNamedWithURICharactersIsThatFile(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"paie#2.db", "paie?mode=ro.db", "100%.db", "a b#c?d%20e.db"} {
		dir := t.TempDir()
		path := filepath.Join(dir, name)
		st, err := Open(context.Background(), path)
		require.NoError(t, err, name)
		seed(t, st, 1)
		require.NoError(t, st.Close())
		_, err = os.Stat(path)
		require.NoError(t, err, "%s: the ledger is the file named", name)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			assert.True(t, strings.HasPrefix(e.Name(), name), "%s: no other file (%s) was opened", name, e.Name())
		}
		st, err = Open(context.Background(), path)
		require.NoError(t, err, name)
		bs, err := st.Batches(context.Background())
		require.NoError(t, err)
		assert.Len(t, bs, 1, "%s: opened again, the same ledger", name)
		require.NoError(t, st.Close())
	}
}

// eachBackend runs test, in parallel subtests, on the location of a fresh
// ledger of each backend: a SQLite file, and a PostgreSQL schema when
// BULKPAY_TEST_POSTGRES names a server.
func eachBackend(t *testing.T, test func(t *testing.T, loc string)) {
	t.Helper()
	for name, location := range pgtest.Backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, location(t))
		})
	}
}

// openAt opens the ledger at loc, closed when the test ends.
func openAt(t *testing.T, loc string, opts ...Option) *Store {
	t.Helper()
	st, err := Open(context.Background(), loc, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

// another is the location of another fresh ledger of loc's backend.
func another(t *testing.T, loc string) string {
	if IsPostgres(loc) {
		return pgtest.PostgresDSN(t)
	}
	return filepath.Join(t.TempDir(), "another.db")
}
