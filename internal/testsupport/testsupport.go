// Package testsupport holds what tests in several packages share: a process
// left unreaped, a ledger file copied or damaged, a buffer that a child
// process writes to while the test reads it, a fresh PostgreSQL schema for a
// ledger. Only tests import it.
package testsupport

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// WaitExited blocks until the child pid has exited, leaving it unreaped: a
// zombie, still in /proc, whose lock a new run must be able to take over.
func WaitExited(t testing.TB, pid int) {
	t.Helper()
	var info unix.Siginfo
	require.NoError(t, unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil))
}

// PageSize is the size of a ledger page (SQLite's default).
const PageSize = 4096

// DamagePage overwrites page (numbered from 1, as sqlite_master's rootpage) of
// the file at path with bytes that are no valid page.
func DamagePage(t testing.TB, path string, page int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	garbage := []byte(strings.Repeat("not a b-tree page ", PageSize/18+1))[:PageSize]
	_, err = f.WriteAt(garbage, (page-1)*PageSize)
	require.NoError(t, err)
}

// CopyFile copies the file src to dst, readable by its owner only.
func CopyFile(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dst, data, 0o600))
}

// BuildCommand builds the main package in dir, with the build tags given, to
// the executable dst, as `go build -tags tags -o dst .` would, and returns the
// go command's output. It goes through `go run -exec cp`: the go command keeps
// what go run links in its build cache, so a second `go test` with nothing
// changed copies the executable instead of linking it again (seconds of both
// cores for bulkpay). Unlike go build, go run links without DWARF debug
// information; nothing a test runs depends on it.
func BuildCommand(dir, dst string, tags ...string) ([]byte, error) {
	args := []string{"run"}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.Command("go", append(args, "-exec", "cp", ".", dst)...)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}

// Buffer is a bytes.Buffer that another goroutine or a child process writes
// to while the test reads it.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// PostgresEnv names the variable that holds the DSN of a PostgreSQL server
// for tests (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable).
const PostgresEnv = "BULKPAY_TEST_POSTGRES"

// RequirePostgres skips the test, with a message saying how to run it, when
// BULKPAY_TEST_POSTGRES names no server.
func RequirePostgres(t testing.TB) {
	t.Helper()
	if os.Getenv(PostgresEnv) == "" {
		t.Skipf("no PostgreSQL server for this test: set %s to a DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresEnv)
	}
}

// PostgresDSN gives the DSN of a fresh, empty schema on the server
// BULKPAY_TEST_POSTGRES names (its search_path set to it), dropped with
// everything in it when the test ends; ledger.Open(ctx, dsn) opens a ledger
// there. Without the variable the test is skipped.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	RequirePostgres(t)
	base := os.Getenv(PostgresEnv)
	u, err := url.Parse(base)
	require.NoError(t, err, "%s is not a postgres:// URL", PostgresEnv)
	var rnd [6]byte
	_, err = rand.Read(rnd[:])
	require.NoError(t, err)
	schema := "t_" + hex.EncodeToString(rnd[:])
	db, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`CREATE SCHEMA ` + schema)
	require.NoError(t, err, "create schema %s on %s", schema, PostgresEnv)
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Backends gives the ledger locations a test that holds for every backend
// runs on, by name: a SQLite file in a fresh folder always, and a fresh
// PostgreSQL schema when BULKPAY_TEST_POSTGRES is set. Each location is
// made when its subtest asks for it: call the function inside t.Run.
func Backends() map[string]func(t testing.TB) string {
	out := map[string]func(t testing.TB) string{
		"sqlite": func(t testing.TB) string { return filepath.Join(t.TempDir(), "ledger.db") },
	}
	if os.Getenv(PostgresEnv) != "" {
		out["postgres"] = PostgresDSN
	}
	return out
}
