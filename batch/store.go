package batch

import (
	"context"
	"time"
)

// Store is the durable ledger the runner writes every step to before acting on it.
// ledger.Store implements it.
type Store interface {
	// CreateBatch stores a planned batch and its items (all Planned) in one
	// transaction, with a planning event per item, and fills in their IDs. A
	// reference the ledger already holds gives ErrBatchExists.
	CreateBatch(ctx context.Context, b *Batch, items []Item) error
	// Batch finds a batch by numeric id or by reference.
	Batch(ctx context.Context, key string) (Batch, error)
	// Batches lists every batch, newest first.
	Batches(ctx context.Context) ([]Batch, error)
	// Items returns a batch's items in sheet order, optionally only those in states.
	Items(ctx context.Context, batchID int64, states ...State) ([]Item, error)
	// Claim moves up to limit Planned items of provider to Submitting and opens an
	// attempt for each, committed before it returns: the intent is durable before
	// any request leaves. Items listed in except are left alone.
	Claim(ctx context.Context, batchID int64, provider string, limit int, except ...int64) ([]Claim, error)
	// StartAttempt opens an attempt for an item without changing its state (a
	// settling resend of the same reference), committed before it returns.
	StartAttempt(ctx context.Context, itemID int64, kind string, request string) (int64, error)
	// Apply records changes in one transaction. Each state change is conditional
	// on the item still being in From, checked against the state machine, and
	// appended to the events.
	Apply(ctx context.Context, changes ...Change) error
	// Attempts lists an item's attempts, oldest first.
	Attempts(ctx context.Context, itemID int64) ([]Attempt, error)
	// Events lists a batch's events (itemID 0: all of them), oldest first.
	Events(ctx context.Context, batchID, itemID int64) ([]Event, error)
	// Note appends a batch-level event.
	Note(ctx context.Context, batchID int64, cause, detail string) error
	// Repeats finds, for each fingerprint, an item of another batch that carries it.
	Repeats(ctx context.Context, batchID int64, fingerprints []string) (map[string]Repeat, error)
	// Approve records a person's approval of the batch's plan hash, in the events too.
	Approve(ctx context.Context, batchID int64, a Approval, note string) error
	// Contacts lists the phones a provider already knows as contacts.
	Contacts(ctx context.Context, provider string) (map[string]bool, error)
	// RememberContacts records phones a provider now knows.
	RememberContacts(ctx context.Context, provider string, phones []string) error
	// Lock takes the batch for this process; a lock whose holder is gone is taken
	// over. A live holder gives a *LockedError.
	Lock(ctx context.Context, batchID int64, o Owner) error
	// Unlock releases a lock this owner holds.
	Unlock(ctx context.Context, batchID int64, o Owner) error
}

// Claim is an item moved to Submitting with its open attempt.
type Claim struct {
	Item      Item
	AttemptID int64
}

// Attempt outcomes.
const (
	OutcomeAccepted     = "accepted"      // the provider took the payout (pending or final)
	OutcomeRefused      = "refused"       // definite refusal, no money moved
	OutcomeNotProcessed = "not_processed" // never reached the provider, or refused before processing
	OutcomeUnknown      = "unknown"       // may have been processed
	OutcomeDuplicate    = "duplicate"     // provider says the reference was already used
)

// Attempt kinds.
const (
	KindSend   = "send"   // first sending of an item's reference
	KindRetry  = "retry"  // the same reference again after a request that was not processed
	KindSettle = "settle" // the same reference again to learn the fate of an unknown
)

// Change is one step to record: an attempt's end, a state change, or both.
type Change struct {
	ItemID            int64
	From, To          State // To empty: no state change
	Cause             string
	Message           string // the item's message, kept for people (alone: updates the message only)
	ProviderReference string // set on the item when not empty
	ProviderFee       int64
	ProviderNet       int64
	Provider          string // failover: the item moves to this provider (with To = Planned)
	CloseOpen         bool   // close attempts a crashed run left open (recovery)
	Attempt           *AttemptEnd
}

// AttemptEnd closes an attempt with what came back.
type AttemptEnd struct {
	ID                int64
	Outcome           string
	ProviderReference string
	Response          string // what the provider answered, never a secret
}

// Attempt is one request sent (or about to be sent) for an item.
type Attempt struct {
	ID                int64
	ItemID            int64
	Provider          string
	Reference         string
	Kind              string
	Request           string
	StartedAt         time.Time
	FinishedAt        time.Time
	Outcome           string
	ProviderReference string
	Response          string
}

// Event is one line of the append-only audit trail.
type Event struct {
	ID      int64
	BatchID int64
	ItemID  int64
	At      time.Time
	From    State
	To      State
	Cause   string
	Detail  string
}

// Owner identifies the process holding a batch.
type Owner struct {
	PID   int
	Host  string
	Start string // the process's start time, to tell it from a later process given the same pid
	At    time.Time
}

// Reconciliation is what the latest reconciliation of a batch found: where the
// providers' records and the ledger disagree, and what could not be checked.
type Reconciliation struct {
	At         time.Time // when it ran; zero: never reconciled
	Mismatches []Mismatch
	Unchecked  []Unchecked
}

// Reconciliations keeps each batch's latest reconciliation, so that every report
// and status shown later still carries its findings. ledger.Store implements it.
type Reconciliations interface {
	// SaveReconciliation replaces the batch's findings with r's, in one
	// transaction, and appends an event.
	SaveReconciliation(ctx context.Context, batchID int64, r Reconciliation) error
	// Reconciliation returns the batch's latest findings (At zero if none).
	Reconciliation(ctx context.Context, batchID int64) (Reconciliation, error)
}
