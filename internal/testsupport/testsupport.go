// Package testsupport holds what tests in several packages share: a process
// left unreaped, a ledger file copied or damaged, a buffer that a child
// process writes to while the test reads it (a fresh PostgreSQL schema for a
// ledger is in pgtest, which links a driver). Only tests import it.
package testsupport

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

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
