package batch

import "fmt"

// State is where one payout item stands. See DESIGN.md for the machine.
type State string

const (
	Planned    State = "planned"
	Submitting State = "submitting"
	Pending    State = "pending"
	Succeeded  State = "succeeded"
	Failed     State = "failed"
	Unknown    State = "unknown"
	Review     State = "review"
	Rejected   State = "rejected"
	// Cancelled: a person cancelled the item before it was ever sent (Cancel).
	Cancelled State = "cancelled"
	// ToConfirm: the name registered behind the number does not match the
	// sheet's (or the account is inactive); an approver confirms the row, with
	// a note, before it can be paid (ConfirmName), or cancels it.
	ToConfirm State = "to_confirm"
)

// States lists every state in a stable order (for counts and reports).
var States = []State{Planned, Submitting, Pending, Succeeded, Failed, Unknown, Review, Rejected, Cancelled, ToConfirm}

// transitions is the whole state machine. submitting → planned is taken only when
// the provider proves the request was not processed (a refused connection, a 429)
// and the retry budget is spent: nothing moved, so the item waits for the next run.
// Only a planned item may be cancelled: one that was claimed may have left.
var transitions = map[State][]State{
	Planned:    {Submitting, Rejected, Cancelled, ToConfirm},
	ToConfirm:  {Planned, Rejected, Cancelled},
	Submitting: {Pending, Succeeded, Failed, Unknown, Planned},
	Unknown:    {Pending, Succeeded, Failed, Review},
	Pending:    {Succeeded, Failed},
	Review:     {Succeeded, Failed},
}

// Terminal reports whether s never changes again.
func (s State) Terminal() bool {
	return s == Succeeded || s == Failed || s == Rejected || s == Cancelled
}

// Valid reports whether s is one of the known states.
func (s State) Valid() bool {
	for _, x := range States {
		if x == s {
			return true
		}
	}
	return false
}

// CanMove reports whether the machine allows from → to.
func CanMove(from, to State) bool {
	for _, t := range transitions[from] {
		if t == to {
			return true
		}
	}
	return false
}

// CheckMove returns an error naming the move when the machine forbids it.
func CheckMove(from, to State) error {
	if !CanMove(from, to) {
		return fmt.Errorf("%w: %s → %s", ErrIllegalMove, from, to)
	}
	return nil
}
