package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Group commits. The run's writes (claims, answers, attempts opened) come from
// many goroutines at once; each would cost a commit and its fsync of the -wal,
// and each claim a checkpoint too. Instead they queue for one committer, which
// takes every write waiting, runs them in one immediate transaction, commits
// once (one fsync), checkpoints once when the group holds a write that must
// reach the main file (a claim), and only then answers each caller with its
// own result. When a write fails, the group is run again from the start with
// each write in its own savepoint: the failed write rolls back to it alone,
// the others of its group are committed. A caller whose context ends
// while its write still waits takes it back (nothing of it is written); once
// the committer has taken it, the caller waits for the group, which is short
// and bounded by the disk.

// maxGroup bounds the writes one transaction takes, so that a caller never
// waits behind an unbounded queue.
const maxGroup = 512

// write is one caller's write waiting for its group.
type write struct {
	ctx     context.Context // the caller's, without its cancellation: a taken write is never cut off
	fn      func(ctx context.Context, tx *sql.Tx) error
	durable bool         // must be in the main file before the caller goes on
	state   atomic.Int32 // queued, taken or withdrawn
	done    chan result  // the committer's one answer
}

const (
	queued int32 = iota
	taken
	withdrawn
)

// result is what a write's caller is told: err when the write itself, its
// group's transaction or its commit failed (nothing of it is in the ledger);
// checkpoint when it was committed but could not be brought into the main file.
type result struct {
	err, checkpoint error
}

// errClosed: the ledger was closed while a write waited.
var errClosed = errors.New("ledger closed")

// committer is the goroutine that commits the queued writes in groups.
type committer struct {
	mu      sync.Mutex
	queue   []*write
	closed  bool
	wake    chan struct{} // a write was queued
	stopped chan struct{} // the goroutine has ended
	// tests: beforeGroup is called before the committer takes the queued
	// writes (it may hold the committer there); onQueue after a write was
	// queued, with the queue's length
	beforeGroup func()
	onQueue     func(n int)
}

func (s *Store) startCommitter() {
	s.group = &committer{wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	go s.commitLoop()
}

// stopCommitter commits what is queued, then ends the committer.
func (s *Store) stopCommitter() {
	c := s.group
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if !already {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	<-c.stopped
}

func (s *Store) commitLoop() {
	c := s.group
	defer close(c.stopped)
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closed {
			c.mu.Unlock()
			<-c.wake
			c.mu.Lock()
		}
		if len(c.queue) == 0 { // closed, nothing left
			c.mu.Unlock()
			return
		}
		hold := c.beforeGroup
		c.mu.Unlock()
		if hold != nil {
			hold()
		}
		// let the goroutines that are about to write queue too: a worker
		// records its last answer and claims its next item at once, and the
		// two should share the commit
		runtime.Gosched()
		c.mu.Lock()
		n := min(len(c.queue), maxGroup)
		ws := c.queue[:n:n]
		c.queue = c.queue[n:]
		if len(c.queue) == 0 {
			c.queue = nil // let the backing array go
		}
		c.mu.Unlock()
		s.commitGroup(ws)
	}
}

// submit queues fn for the committer and waits for its group. durable: the
// write must be checkpointed into the main file as well (see result). fn may
// run twice, its first run rolled back (another write of its group failed):
// what it hands back to its caller it sets afresh on each run.
func (s *Store) submit(ctx context.Context, durable bool, fn func(ctx context.Context, tx *sql.Tx) error) result {
	w := &write{ctx: context.WithoutCancel(ctx), fn: fn, durable: durable, done: make(chan result, 1)}
	c := s.group
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return result{err: errClosed}
	}
	if err := ctx.Err(); err != nil {
		c.mu.Unlock()
		return result{err: err}
	}
	c.queue = append(c.queue, w)
	n, onQueue := len(c.queue), c.onQueue
	c.mu.Unlock()
	if onQueue != nil {
		onQueue(n)
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
	select {
	case r := <-w.done:
		return r
	case <-ctx.Done():
		if w.state.CompareAndSwap(queued, withdrawn) {
			return result{err: ctx.Err()} // the committer will skip it: nothing written
		}
		return <-w.done // taken: its group is under way
	}
}

// commitGroup runs the writes in one transaction (again, each in its own
// savepoint, when one of them fails), commits, checkpoints when one of them
// is durable, and answers each.
func (s *Store) commitGroup(ws []*write) {
	group := ws[:0:0]
	for _, w := range ws {
		if w.state.CompareAndSwap(queued, taken) {
			group = append(group, w)
		}
	}
	if len(group) == 0 {
		return
	}
	results := make([]result, len(group))
	answer := func() {
		for i, w := range group {
			w.done <- results[i]
		}
	}
	defer answer()
	failAll := func(err error) {
		for i := range results {
			if results[i].err == nil {
				results[i].err = err
			}
		}
	}
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		failAll(fmt.Errorf("begin: %w", err))
		return
	}
	// lost: the transaction is gone (SQLite rolls it back whole on a full
	// disk or an I/O error) or in doubt (a write panicked): nothing of the
	// group is written
	lostAt := func(i int, lost *txLostError) {
		_ = tx.Rollback()
		results[i].err = lost.err
		failAll(fmt.Errorf("group transaction rolled back: %w", lost.cause))
	}
	// First every write plainly, one after the other: in nearly every group
	// none fails, and a savepoint is not free (SQLite copies each page a
	// write changes under one into its statement journal first, and
	// SAVEPOINT and RELEASE are two more statements per write). Alone, a
	// write that fails rolls the transaction back and is answered so.
	failed := -1
	for i, w := range group {
		if err := guarded(tx, w); err != nil {
			var lost *txLostError
			if errors.As(err, &lost) {
				lostAt(i, lost)
				return
			}
			results[i].err, failed = err, i
			break
		}
	}
	if failed >= 0 && len(group) == 1 {
		_ = tx.Rollback() // the error that made us roll back is the one to report
		return
	}
	if failed >= 0 {
		// a write failed with others beside it: the group is done again
		// from the start, each write in its own savepoint, so that one
		// write's failure rolls back its own changes alone
		_ = tx.Rollback()
		if tx, err = s.db.BeginTx(ctx, nil); err != nil {
			failAll(fmt.Errorf("begin: %w", err))
			return
		}
		clear(results) // what the first run answered is rolled back with it
		for i, w := range group {
			if err := s.runInSavepoint(tx, w); err != nil {
				var lost *txLostError
				if errors.As(err, &lost) {
					lostAt(i, lost)
					return
				}
				results[i].err = err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		failAll(fmt.Errorf("commit: %w", err))
		return
	}
	s.commits.Add(1)
	durable := false
	for i, w := range group {
		durable = durable || (w.durable && results[i].err == nil)
	}
	if !durable {
		s.wrote(ctx)
		return
	}
	checkpoint := s.durableCheckpoint
	if s.claimCheckpoint != nil {
		checkpoint = s.claimCheckpoint
	}
	if err := checkpoint(ctx); err != nil {
		for i, w := range group {
			if w.durable && results[i].err == nil {
				results[i].checkpoint = err
			}
		}
	}
}

// txLostError: a write failed and took its group's transaction with it.
type txLostError struct{ err, cause error }

func (e *txLostError) Error() string { return e.err.Error() }

// guarded runs w inside tx. A bug in one write must not take the committer,
// and with it every other caller, down: its caller gets the panic as an
// error, and the group, left in a state nobody knows, is rolled back.
func guarded(tx *sql.Tx, w *write) (err error) {
	defer func() {
		if p := recover(); p != nil {
			perr := fmt.Errorf("ledger write panicked: %v", p)
			err = &txLostError{err: perr, cause: perr}
		}
	}()
	return w.fn(w.ctx, tx)
}

// runInSavepoint runs w inside tx; a failure rolls back w's own changes only.
func (s *Store) runInSavepoint(tx *sql.Tx, w *write) (err error) {
	if _, err := tx.ExecContext(w.ctx, `SAVEPOINT w`); err != nil {
		return &txLostError{err: fmt.Errorf("savepoint: %w", err), cause: err}
	}
	err = guarded(tx, w)
	var lost *txLostError
	if errors.As(err, &lost) {
		return err
	}
	if err != nil {
		if _, rerr := tx.ExecContext(w.ctx, `ROLLBACK TO w`); rerr != nil {
			return &txLostError{err: err, cause: rerr}
		}
	}
	if err == nil && s.pg {
		// PostgreSQL: the savepoint is left in place (one round trip less
		// per write); the next write's SAVEPOINT w nests inside it, and a
		// ROLLBACK TO w goes back to the innermost: that write's alone
		return nil
	}
	if _, rerr := tx.ExecContext(w.ctx, `RELEASE w`); rerr != nil {
		return &txLostError{err: errors.Join(err, rerr), cause: rerr}
	}
	return err
}
