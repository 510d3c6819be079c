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

	// ErrInvalid: the input was refused; nothing was sent.
	ErrInvalid = errors.New("invalid input, nothing was sent")
	// ErrHeld: another live run holds the batch; nothing was sent by this one.
	// A *LockedError is one.
	ErrHeld = errors.New("the batch is held by another run")
	// ErrRefused: a rule of the organisation refused the run or the approval
	// (approval missing, four eyes, a provider balance short, a repeat
	// payment); nothing was sent. A *Refusal is one.
	ErrRefused = errors.New("refused by policy, nothing was sent")
	// ErrFailed: the batch is finished but some payouts failed.
	ErrFailed = errors.New("some payouts failed")
	// ErrUnfinished: some payouts are pending, unknown or wait for review.
	ErrUnfinished = errors.New("some payouts are not final yet")
	// ErrMismatch: the providers' records and the ledger disagree.
	ErrMismatch = errors.New("the providers' records and the ledger disagree")
	// ErrFindings: the ledger breaks its invariants (Verify found something).
	ErrFindings = errors.New("the ledger breaks its invariants")
)

// Refusal is a run or an approval a rule refused: Rule names it ("approval",
// "four_eyes", "balance", "repeat"), Reason says why and what to do. Nothing
// was sent. It is ErrRefused for errors.Is.
type Refusal struct {
	Rule   string
	Reason string
}

func (e *Refusal) Error() string { return e.Reason }

// Is makes a Refusal count as ErrRefused.
func (e *Refusal) Is(target error) bool { return target == ErrRefused }

// refuse wraps a rule's refusal, keeping its words.
func refuse(rule string, err error) error {
	if err == nil {
		return nil
	}
	return &Refusal{Rule: rule, Reason: err.Error()}
}

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

// Is makes a LockedError count as ErrHeld.
func (e *LockedError) Is(target error) bool { return target == ErrHeld }

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
