package ledger

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"syscall"

	_ "github.com/mattn/go-sqlite3" // the sqlite3 driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite ledger. It is safe for concurrent use: all access goes
// through one connection, so there is one writer.
type Store struct {
	db    *sql.DB
	path  string
	alive func(pid int, start string) bool // whether a lock holder on this host still runs
}

// DSN is the connection string every ledger is opened with: WAL, synchronous FULL
// (a commit survives power loss), immediate write transactions, a busy timeout and
// foreign keys.
func DSN(file string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_sync", "FULL")
	q.Set("_txlock", "immediate")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "1")
	return "file:" + file + "?" + q.Encode()
}

// Open opens (creating if needed, mode 0600) the ledger at file and migrates it.
func Open(ctx context.Context, file string) (*Store, error) {
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", file, err)
	}
	f.Close()
	db, err := sql.Open("sqlite3", DSN(file))
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", file, err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	s := &Store{db: db, path: file, alive: processAlive}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate ledger %s: %w", file, err)
	}
	return s, nil
}

// Close closes the ledger.
func (s *Store) Close() error { return s.db.Close() }

// Path is the ledger's file.
func (s *Store) Path() string { return s.path }

// Pragma reads one pragma (journal_mode, synchronous, foreign_keys, ...).
func (s *Store) Pragma(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}

func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(names) {
		return fmt.Errorf("ledger schema version %d is newer than this bulkpay knows (%d): upgrade bulkpay", version, len(names))
	}
	for i, name := range names {
		n, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		if err != nil || n != i+1 {
			return fmt.Errorf("migration %s is out of sequence", name)
		}
		if n <= version {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", n)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// processAlive reports whether pid runs on this host (signal 0 probes it) and,
// when its start time was recorded, is still the same process: after a crash the
// pid may have been given to another one.
func processAlive(pid int, start string) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	return start == "" || ProcessStart(pid) == "" || ProcessStart(pid) == start
}

// ProcessStart is a process's start time in clock ticks since boot (Linux
// /proc/PID/stat, field 22), or "" where it cannot be read.
func ProcessStart(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return ""
	}
	return f[19] // field 22 counted from the pid
}
