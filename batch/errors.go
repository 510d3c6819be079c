package batch

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrIllegalMove: a transition the state machine forbids.
	ErrIllegalMove = errors.New("illegal state change")
	// ErrStale: the item was not in the expected state (another writer moved it).
	ErrStale = errors.New("item changed under us")
	// ErrBatchNotFound: no batch with that id or reference.
	ErrBatchNotFound = errors.New("batch not found")
	// ErrBatchExists: a batch with that reference is already in the ledger
	// (another run planned it first).
	ErrBatchExists = errors.New("batch already planned")
	// ErrInterrupted: the run was cancelled; rerun to finish.
	ErrInterrupted = errors.New("interrupted")
)

// LockedError says another live process holds the batch.
type LockedError struct {
	Reference string
	PID       int
	Host      string
	Since     time.Time
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("batch %s is being run by pid %d on %s since %s", e.Reference, e.PID, e.Host, e.Since.Format(time.RFC3339))
}

// ChangedError says a batch reference already names a different sheet.
type ChangedError struct {
	Reference string
	Changes   []string // human lines: "row 5: amount 150000 → 160000"
	More      int      // changes not listed
}

func (e *ChangedError) Error() string {
	msg := fmt.Sprintf("batch %s already exists with a different sheet (%d change(s))", e.Reference, len(e.Changes)+e.More)
	for _, c := range e.Changes {
		msg += "\n  " + c
	}
	if e.More > 0 {
		msg += fmt.Sprintf("\n  ... and %d more", e.More)
	}
	return msg + "\nuse --reference to pay it as a new batch, or restore the original sheet to resume"
}
