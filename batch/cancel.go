package batch

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Events a cancellation writes.
const (
	CauseCancelled      = "cancelled: never sent" // each planned item that became cancelled
	CauseBatchCancelled = "batch cancelled"       // the batch-level event, with the counts
)

// ErrNothingToCancel: the batch has no planned item left; nothing changed.
var ErrNothingToCancel = errors.New("nothing to cancel: no item of the batch is still planned")

// CancelStore is what Cancel consumes: the items, the changes, the batch's
// lock, and batch-level events with the person who took the step.
type CancelStore interface {
	ItemReader
	// Apply records changes in one transaction (RunStore.Apply).
	Apply(ctx context.Context, changes ...Change) error
	// Lock and Unlock take and give back the batch (SessionStore).
	Lock(ctx context.Context, batchID int64, o Owner) error
	Unlock(ctx context.Context, batchID int64, o Owner) error
	ActorNotes
}

// CancelRequest is who cancels a batch and why, and the process they cancel
// it from (the owner the batch's lock is taken for).
type CancelRequest struct {
	Actor string
	Note  string
	Owner Owner
}

// CancelResult is what a cancellation did: the items it cancelled, and those it
// left because they may have been sent (claimed, in flight, in doubt,
// pending or in review): they finish or settle as any other.
type CancelResult struct {
	Items  int
	Amount int64
	Left   Counts // open items left to finish or settle, by state
}

// LeftOpen is how many items the cancellation left to finish or settle.
func (c CancelResult) LeftOpen() int { return c.Left.Open() }

// Cancel moves every planned item of b, none of which was ever sent, to
// Cancelled, with an event per item and one for the batch naming the actor
// and the note. Items already claimed or sent are left alone: a payout that
// may have left is never cancelled, it finishes or settles. Cancel takes the
// batch's lock first, so that no run claims an item while it cancels; a batch
// another live process holds gives its *LockedError (ErrHeld) and changes
// nothing. A process's own lock is its own: a door that runs the batch itself
// stops that run before it cancels. A batch with nothing planned gives
// ErrNothingToCancel; a request without actor or note is ErrInvalid.
func Cancel(ctx context.Context, st CancelStore, b Batch, req CancelRequest) (CancelResult, error) {
	req.Actor, req.Note = strings.TrimSpace(req.Actor), strings.TrimSpace(req.Note)
	if req.Actor == "" {
		return CancelResult{}, fmt.Errorf("%w: a cancellation needs the person who cancels", ErrInvalid)
	}
	if req.Note == "" {
		return CancelResult{}, fmt.Errorf("%w: a cancellation needs a note saying why", ErrInvalid)
	}
	if err := st.Lock(ctx, b.ID, req.Owner); err != nil {
		return CancelResult{}, err
	}
	defer st.Unlock(context.WithoutCancel(ctx), b.ID, req.Owner)
	items, err := st.Items(ctx, b.ID)
	if err != nil {
		return CancelResult{}, fmt.Errorf("read items: %w", err)
	}
	out := CancelResult{Left: Counts{}}
	var changes []Change
	for _, it := range items {
		switch {
		case it.State == Planned || it.State == ToConfirm:
			out.Items++
			out.Amount += it.Amount
			changes = append(changes, Change{ItemID: it.ID, From: it.State, To: Cancelled, Cause: CauseCancelled,
				Message: "cancelled by " + req.Actor + ": " + req.Note, Actor: req.Actor})
		case !it.State.Terminal():
			out.Left.Add(it.State)
		}
	}
	if len(changes) == 0 {
		return out, ErrNothingToCancel
	}
	if err := st.Apply(ctx, changes...); err != nil {
		return CancelResult{}, fmt.Errorf("cancel items: %w", err)
	}
	if err := st.NoteBy(ctx, b.ID, CauseBatchCancelled, out.detail(req.Note), req.Actor); err != nil {
		return out, fmt.Errorf("record the cancellation: %w", err)
	}
	forgetNames(ctx, st, b, nil)
	return out, nil
}

// detail is the batch-level event's detail: the note, what was cancelled and
// what was left.
func (c CancelResult) detail(note string) string {
	s := fmt.Sprintf("%s; %d item(s) never sent cancelled (amount %d)", note, c.Items, c.Amount)
	if n := c.LeftOpen(); n > 0 {
		var parts []string
		for _, st := range States {
			if c.Left[st] > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", st, c.Left[st]))
			}
		}
		s += fmt.Sprintf("; %d item(s) that may have been sent left to finish or settle (%s)", n, strings.Join(parts, ", "))
	}
	return s
}
