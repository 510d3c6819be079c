package ledger

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"

	"bulkpay/batch"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite ledger. It is safe for concurrent use: all access goes
// through one connection, so there is one writer. Claims, answers and attempts
// opened by concurrent callers are committed in groups (group.go).
//
// The main file alone holds every reference that has been sent or may have
// been: a planned batch and every claim (the intent to send, committed before
// the request leaves) are checkpointed from the -wal into the main file before
// the call returns, and other writes are checkpointed every CheckpointEvery or
// CheckpointWrites transactions, whichever comes first. A copy of the main
// file without its -wal may lose the latest answers (their items are then
// settled with the provider as after a crash), never an item that was sent.
type Store struct {
	db     *sql.DB
	path   string                           // the file, or the PostgreSQL DSN without its password
	pg     bool                             // on a PostgreSQL server (postgres.go), not a SQLite file
	secret string                           // the DSN's password, kept out of every error
	pacer  *pgPacer                         // the providers' pace for every worker (PostgreSQL)
	local  batch.LocalPacer                 // the providers' pace in this process (SQLite)
	alive  func(pid int, start string) bool // whether a lock holder on this host still runs

	now     func() time.Time
	every   time.Duration // checkpoint when this long has passed since the last one
	everyN  int           // or after this many write transactions
	cpMu    sync.Mutex
	lastCP  time.Time
	sinceCP int
	// claimCheckpoint brings a claim into the main file (Checkpoint; a test
	// may make it fail)
	claimCheckpoint func(context.Context) error
	// checkpointIncomplete, when set, hears of each durable checkpoint that
	// must be tried again (a test)
	checkpointIncomplete func()

	commits, checkpoints atomic.Int64 // counted for Stats

	group *committer // commits the run's writes in groups (group.go)
}

// Stats counts what the ledger has made durable since it was opened.
type Stats struct {
	Commits     int64 // write transactions committed (each one fsync of the -wal at synchronous=FULL)
	Checkpoints int64 // complete checkpoints of the -wal into the main file (each syncs both files)
}

// Stats says how many commits and checkpoints the ledger has made since it was
// opened (benchmarks divide them by the payouts made).
func (s *Store) Stats() Stats {
	return Stats{Commits: s.commits.Load(), Checkpoints: s.checkpoints.Load()}
}

// Default checkpoint pace of the writes that are not claims or plans.
const (
	CheckpointEvery  = 2 * time.Second
	CheckpointWrites = 200
)

// Option changes how a ledger is opened.
type Option func(*Store)

// WithClock sets the ledger's clock: the times it stamps (events, attempts,
// items, batches) and the pace of periodic checkpoints (tests).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithProcessCheck sets how the ledger tells whether a lock holder on this host
// still runs (tests; by default the process table is asked).
func WithProcessCheck(alive func(pid int, start string) bool) Option {
	return func(s *Store) { s.alive = alive }
}

// WithCheckpoints sets the periodic checkpoint pace: after every d, or after n
// write transactions.
func WithCheckpoints(d time.Duration, n int) Option {
	return func(s *Store) { s.every, s.everyN = d, n }
}

// DSN is the connection string every ledger is opened with: WAL, synchronous FULL
// (a commit survives power loss), immediate write transactions, a busy timeout,
// foreign keys, prepared statements kept for reuse (the run's few
// statements are not parsed again for every payout), and a page cache large
// enough for a big batch.
func DSN(file string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_sync", "FULL")
	q.Set("_txlock", "immediate")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "1")
	q.Set("_stmt_cache_size", "64")
	// a page cache of 16 MiB (the default is 2 MiB): a run's claims, answers
	// and status changes reach the items, their indexes, the attempts and the
	// events near the run's front, and a page missing from the cache is read
	// again from the file and the -wal. 64 MiB cost no less CPU per payout at
	// 100k rows and took a `run` of 1M rows to 252 MB resident (target 200).
	q.Set("_cache_size", "-16384")
	// personal data erased (registered names) is overwritten in the file's
	// pages, not only unlinked, where that costs no extra write
	q.Set("_secure_delete", "FAST")
	return "file:" + uriPath.Replace(file) + "?" + q.Encode()
}

// uriPath escapes what a SQLite URI would read as the end of the file's name
// ('?' and '#') or as an escape ('%'): a ledger named "paie#2.db" is that file.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

// Open opens (creating if needed, mode 0600) the ledger at file and migrates it.
// Several processes may open a new ledger at once: one migrates, the others
// find it migrated. A file that is a postgres:// or postgresql:// DSN opens
// the ledger on that PostgreSQL server instead (postgres.go).
func Open(ctx context.Context, file string, opts ...Option) (*Store, error) {
	if IsPostgres(file) {
		return openPostgres(ctx, file, opts...)
	}
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
	s := &Store{db: db, path: file, alive: processAlive, now: time.Now, every: CheckpointEvery, everyN: CheckpointWrites}
	for _, o := range opts {
		o(s)
	}
	s.lastCP = s.now()
	if err := s.migrate(ctx); err != nil {
		db.Close()
		if de := s.asDamaged(err); de != nil {
			return nil, de
		}
		return nil, s.fail("migrate ledger "+file, err)
	}
	s.startCommitter()
	return s, nil
}

// Close commits the writes still waiting for their group, then closes the ledger.
func (s *Store) Close() error {
	s.stopCommitter()
	if s.pacer != nil {
		s.pacer.close()
	}
	return s.db.Close()
}

// Path is the ledger's file, or its PostgreSQL DSN without the password.
func (s *Store) Path() string { return s.path }

// Postgres reports whether the ledger is on a PostgreSQL server.
func (s *Store) Postgres() bool { return s.pg }

// ErrNotSQLite: a SQLite-only operation asked of a PostgreSQL ledger.
var ErrNotSQLite = errors.New("the ledger is not a SQLite file")

// Pragma reads one pragma (journal_mode, synchronous, foreign_keys, ...).
func (s *Store) Pragma(ctx context.Context, name string) (string, error) {
	if s.pg {
		return "", fmt.Errorf("read pragma %s: %w", name, ErrNotSQLite)
	}
	var v string
	err := s.db.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, s.fail("read pragma "+name, err)
}

// SchemaVersion is the number of the last migration applied to the ledger.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	q := "PRAGMA user_version"
	if s.pg {
		q = "SELECT version FROM bulkpay_schema"
	}
	var v int
	err := s.db.QueryRowContext(ctx, q).Scan(&v)
	return v, s.fail("read the ledger's schema version", err)
}

// migrate applies the migrations the ledger lacks, all in one immediate
// transaction that reads the schema version inside it: a second process
// opening the same new ledger waits for the first and then finds nothing to do.
func (s *Store) migrate(ctx context.Context) error {
	hist, err := history()
	if err != nil {
		return err
	}
	if s.pg {
		return s.migratePostgres(ctx, hist)
	}
	var current int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return err
	}
	if current == latest(hist) {
		return nil // nothing to do: no write lock needed
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var version int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
			return err
		}
		if version > latest(hist) {
			return fmt.Errorf("ledger schema version %d is newer than this bulkpay knows (%d): upgrade bulkpay", version, latest(hist))
		}
		for _, m := range after(hist, version) {
			body, err := migrations.ReadFile(m.name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.n)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ErrCheckpoint: the -wal could not be copied into the main file in full
// (another process kept reading an older state of the ledger).
var ErrCheckpoint = errors.New("ledger checkpoint incomplete")

// Checkpoint copies every committed transaction from the -wal into the main
// file and syncs it, so that the main file alone holds them. On PostgreSQL a
// commit is durable by itself: nothing to do.
func (s *Store) Checkpoint(ctx context.Context) error {
	if s.pg {
		return nil
	}
	var busy, frames, copied int
	if err := s.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(FULL)").Scan(&busy, &frames, &copied); err != nil {
		return s.fail("checkpoint ledger "+s.path, err)
	}
	if busy != 0 || copied < frames {
		return fmt.Errorf("checkpoint ledger %s: %d of %d pages copied: %w", s.path, max(copied, 0), frames, ErrCheckpoint)
	}
	s.checkpoints.Add(1)
	s.cpMu.Lock()
	s.lastCP, s.sinceCP = s.now(), 0
	s.cpMu.Unlock()
	return nil
}

// durableCheckpoint is Checkpoint for the writes that must reach the main
// file (plans, claims): another process checkpointing or reading an older
// state of the ledger at the same moment makes a checkpoint incomplete, so it
// is tried again for a while (up to checkpointPatience) before it fails.
func (s *Store) durableCheckpoint(ctx context.Context) error {
	wait, waited := 5*time.Millisecond, time.Duration(0)
	for {
		err := s.Checkpoint(ctx)
		if err == nil || !errors.Is(err, ErrCheckpoint) || waited >= checkpointPatience {
			return err
		}
		if s.checkpointIncomplete != nil {
			s.checkpointIncomplete()
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
		waited += wait
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// checkpointPatience bounds how long a durable write waits for a checkpoint
// that other processes keep from completing: the busy timeout's length.
const checkpointPatience = 10 * time.Second

// wrote counts a committed write and checkpoints when the pace says so. A
// periodic checkpoint that cannot complete now (another process reading) stays
// due and is tried again at the next write; the writes that must reach the main
// file (plans, claims) check their own and fail without it.
func (s *Store) wrote(ctx context.Context) {
	if s.pg {
		return
	}
	s.cpMu.Lock()
	s.sinceCP++
	due := s.sinceCP >= s.everyN || s.now().Sub(s.lastCP) >= s.every
	s.cpMu.Unlock()
	if due {
		_ = s.Checkpoint(context.WithoutCancel(ctx)) // still due on failure: retried at the next write
	}
}

// ErrDamaged: the ledger file fails SQLite's integrity check.
var ErrDamaged = errors.New("ledger file is damaged")

// DamagedError lists what SQLite's integrity check found wrong in the file.
type DamagedError struct {
	Path     string
	Problems []string // the first few lines of PRAGMA quick_check
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("%s: %s (%s); nothing was sent: restore the ledger from a backup taken with its -wal file, or ask for it to be repaired, before paying from it",
		ErrDamaged, e.Path, strings.Join(e.Problems, "; "))
}

func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// Check runs SQLite's quick_check over the whole ledger file: every page, every
// b-tree, every record's format. A damaged file gives a *DamagedError. On
// PostgreSQL, whose server checks its own pages, it checks that the server
// answers and that the ledger's tables are there.
func (s *Store) Check(ctx context.Context) error {
	if s.pg {
		var n int64
		err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM bulkpay_schema`).Scan(&n)
		return s.fail("check ledger "+s.path, err)
	}
	rows, err := s.db.QueryContext(ctx, "PRAGMA quick_check(10)")
	if err != nil {
		return s.damaged(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.damaged(err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return s.damaged(err)
	}
	if len(problems) > 0 {
		return &DamagedError{Path: s.path, Problems: problems}
	}
	return nil
}

// damaged maps SQLite's "malformed" and "not a database" to a *DamagedError.
func (s *Store) damaged(err error) error {
	if de := s.asDamaged(err); de != nil {
		return de
	}
	return s.fail("check ledger "+s.path, err)
}

// asDamaged is a *DamagedError for SQLite's "malformed" and "not a database"
// (SQLITE_CORRUPT, SQLITE_NOTADB), nil for any other error.
func (s *Store) asDamaged(err error) error {
	if s.pg {
		return nil
	}
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB) {
		return &DamagedError{Path: s.path, Problems: []string{se.Error()}}
	}
	return nil
}

// processAlive reports whether pid runs on this host (signal 0 probes it) and,
// when its start time was recorded, is still the same process: after a crash the
// pid may have been given to another one. A zombie (exited, not yet reaped by
// its parent) answers signal 0 but runs no more: it is not alive.
func processAlive(pid int, start string) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	state, began := procStat(pid)
	if state == "Z" || state == "X" || state == "x" {
		return false
	}
	return start == "" || began == "" || began == start
}

// ProcessStart is a process's start time in clock ticks since boot (Linux
// /proc/PID/stat, field 22), or "" where it cannot be read.
func ProcessStart(pid int) string {
	_, start := procStat(pid)
	return start
}

// procStat reads a process's state (field 3: R, S, D, Z for a zombie, X dead)
// and start time (field 22) from /proc/PID/stat; both "" where it cannot.
func procStat(pid int) (state, start string) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", ""
	}
	return parseStat(string(b))
}

func parseStat(s string) (state, start string) {
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces and parentheses
	if i < 0 {
		return "", ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return "", ""
	}
	return f[0], f[19] // fields 3 and 22 counted from the pid
}
