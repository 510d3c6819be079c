package batch

import (
	"context"
	"errors"
	"time"
)

// The stores batch consumes, one interface per consumer. ledger.Store (SQLite)
// and batchtest.Memory implement all of them (Store), and both pass the
// contract suite in batch/batchtest.
//
// Every store keeps these rules: an item's state changes only along the state
// machine (CheckMove) and only from the state the change names (ErrStale
// otherwise); terminal states never move back; a write is all or nothing; every
// state change and every step a person or a run takes is appended to the events
// with its time, cause and actor; a batch id the store does not hold gives
// ErrBatchNotFound, an item id ErrItemNotFound.

// ErrItemNotFound: no item with that id.
var ErrItemNotFound = errors.New("item not found")

// BatchReader finds stored batches.
type BatchReader interface {
	// Batch finds a batch by reference or, failing that, by numeric id; none
	// gives ErrBatchNotFound.
	Batch(ctx context.Context, key string) (Batch, error)
	// Batches lists every batch, newest first.
	Batches(ctx context.Context) ([]Batch, error)
}

// ItemReader reads a batch's items.
type ItemReader interface {
	// Items returns a batch's items in sheet order, optionally only those in
	// states. A batch the store does not hold has none.
	Items(ctx context.Context, batchID int64, states ...State) ([]Item, error)
	// ItemsAfter returns one page of a batch's items in sheet order: at most
	// limit of those whose row is after the row given (0: from the first),
	// optionally only those in states. EachItem reads a batch this way
	// without holding it.
	ItemsAfter(ctx context.Context, batchID int64, after, limit int, states ...State) ([]Item, error)
	// Totals counts a batch's items by state and sums their amounts, without
	// reading the items: states no item stands in are absent. A batch the
	// store does not hold has none.
	Totals(ctx context.Context, batchID int64) (map[State]Total, error)
}

// RunReader is what a run reads besides its claims, without reading the
// whole batch.
type RunReader interface {
	// ProviderTotals is Totals by provider: how many of a batch's items each
	// provider holds in each state. A batch the store does not hold has none.
	ProviderTotals(ctx context.Context, batchID int64) (map[string]map[State]Total, error)
	// OpenByProvider counts a batch's items not yet in a final state by
	// provider, without reading the items or those already final (a resumed
	// run asks it, whatever the batch's size). A batch the store does not hold
	// has none.
	OpenByProvider(ctx context.Context, batchID int64) (map[string]int, error)
	// Item returns one item as it stands now; an id the store does not hold
	// gives ErrItemNotFound.
	Item(ctx context.Context, itemID int64) (Item, error)
	// LaneItemsAfter returns, in sheet order, up to limit of a batch's items that
	// provider pays and that stand in state, from the first row after
	// afterRow: a page of them, so that a run never reads them all at once.
	LaneItemsAfter(ctx context.Context, batchID int64, provider string, state State, afterRow, limit int) ([]Item, error)
}

// Total is how many items stand in one state and what they amount to.
type Total struct {
	Items  int
	Amount int64
}

// Trail reads what happened to a batch: its items, their attempts and the
// events. Verify consumes it.
type Trail interface {
	ItemReader
	// Attempts lists an item's attempts, oldest first.
	Attempts(ctx context.Context, itemID int64) ([]Attempt, error)
	// Events lists a batch's events (itemID 0: all of them), oldest first.
	Events(ctx context.Context, batchID, itemID int64) ([]Event, error)
}

// Notes appends batch-level events.
type Notes interface {
	// Note appends a batch-level event.
	Note(ctx context.Context, batchID int64, cause, detail string) error
}

// ActorNotes appends batch-level events a person's step caused.
type ActorNotes interface {
	// NoteBy appends a batch-level event with the person who took the step.
	NoteBy(ctx context.Context, batchID int64, cause, detail, actor string) error
}

// ContactBook remembers the payees each provider already knows (CinetPay's
// contacts), so that a rerun does not add them again.
type ContactBook interface {
	// Contacts lists the phones a provider already knows as contacts.
	Contacts(ctx context.Context, provider string) (map[string]bool, error)
	// RememberContacts records phones a provider now knows; known ones are kept.
	RememberContacts(ctx context.Context, provider string, phones []string) error
}

// RunStore is what the Runner records a run in: every step is written before
// it is acted upon.
type RunStore interface {
	ItemReader
	RunReader
	ContactBook
	// Claim moves up to limit Planned items of provider, in sheet order, to
	// Submitting and opens a send attempt for each, committed before it
	// returns: the intent is durable before any request leaves. Items listed in
	// except are left alone.
	Claim(ctx context.Context, batchID int64, provider string, limit int, except ...int64) ([]Claim, error)
	// StartAttempt opens an attempt for an item without changing its state (a
	// resend of the same reference), committed before it returns. Attempts the
	// item still has open are closed as unknown (interrupted). An empty request
	// is described from the item.
	StartAttempt(ctx context.Context, itemID int64, kind string, request string) (int64, error)
	// Apply records changes in one transaction: all of them or none. Each state
	// change is conditional on the item still being in From, checked against
	// the state machine, and appended to the events.
	Apply(ctx context.Context, changes ...Change) error
}

// HoldingStore is a RunStore that tells a claimed request that never left
// from one that may have: a claim it makes held is released, durably, just
// before its request is written, so that an item a crash leaves submitting
// with its attempt still held provably sent nothing and is planned again
// (same reference) instead of going to a person. The runner holds the claims
// of providers that cannot be asked about our reference (My-CoolPay, Camoo),
// where an item in doubt would need a person; the others settle by asking.
type HoldingStore interface {
	RunStore
	// ClaimHeld is Claim whose send attempts are opened held.
	ClaimHeld(ctx context.Context, batchID int64, provider string, limit int, except ...int64) ([]Claim, error)
	// StartHeld is StartAttempt (the request described from the item) whose
	// attempt is opened held: a resend of a request the provider proved it
	// did not process.
	StartHeld(ctx context.Context, itemID int64, kind string) (int64, error)
	// Release records that a held attempt's request is about to leave. It
	// returns only once that is as durable as the claim was (for SQLite: in
	// the main file, not only the -wal); an attempt that is not open and held
	// gives ErrStale. Nothing may be sent when it fails.
	Release(ctx context.Context, attemptID int64) error
	// Attempts lists an item's attempts, oldest first (those still held
	// open with OutcomeHeld).
	Attempts(ctx context.Context, itemID int64) ([]Attempt, error)
}

// PlanStore is what planning consumes: Prepare finds or creates the batch,
// Repeats looks for the same payments in other batches, and a plan made again
// is recorded with its planner.
type PlanStore interface {
	ItemReader
	// Batch finds a batch by reference or id (ErrBatchNotFound).
	Batch(ctx context.Context, key string) (Batch, error)
	// CreateBatch stores a planned batch and its items (all Planned) in one
	// transaction, with a planning event for the batch (its actor CreatedBy)
	// and each item, and fills in their IDs, the batch's ItemCount and
	// CreatedAt. A reference the store already holds gives ErrBatchExists and
	// stores nothing.
	CreateBatch(ctx context.Context, b *Batch, items []Item) error
	// CreateBatchFrom stores a planned batch whose items fill adds through
	// the draft as they are planned, in one transaction: the batch, with b's
	// ItemCount and totals, and its planning event first, then each item
	// with its own. After fill returns, b's PlanHash is stored and b's
	// ItemCount must be what was added. An error from fill, or a count that
	// differs, stores nothing. A reference the store already holds gives
	// ErrBatchExists. While fill runs the store serves only the draft.
	CreateBatchFrom(ctx context.Context, b *Batch, fill func(d BatchDraft) error) error
	// Repeats finds, for each fingerprint, the first item of another batch
	// that carries it.
	Repeats(ctx context.Context, batchID int64, fingerprints []string) (map[string]Repeat, error)
	// RecordPlan records that by planned the batch again, with the plan hash,
	// and makes its approval rules at least as strict as pol, in one
	// transaction.
	RecordPlan(ctx context.Context, batchID int64, by, planHash, detail string, pol Policy) error
	// RecordPolicy makes the batch's approval rules at least as strict as pol;
	// a change is recorded in the events with actor.
	RecordPolicy(ctx context.Context, batchID int64, pol Policy, actor string) error
}

// BatchDraft is a new batch being stored by CreateBatchFrom.
type BatchDraft interface {
	// Add stores items (Planned) with their planning events and fills in
	// their IDs and BatchID.
	Add(ctx context.Context, items []Item) error
	// Repeats is PlanStore.Repeats, from inside the draft's transaction.
	Repeats(ctx context.Context, fingerprints []string) (map[string]Repeat, error)
}

// ApprovalStore is what approval and four-eyes consume.
type ApprovalStore interface {
	Notes
	// Planners lists who planned the batch, from its plan events, oldest first
	// (a name may appear more than once).
	Planners(ctx context.Context, batchID int64) ([]string, error)
	// RecordPolicy makes the batch's approval rules at least as strict as pol.
	RecordPolicy(ctx context.Context, batchID int64, pol Policy, actor string) error
	// Approve records a person's approval of the batch's plan hash, in the
	// events too (the approver as actor).
	Approve(ctx context.Context, batchID int64, a Approval, note string) error
}

// SessionStore is what a paying session takes and gives back: the store's
// integrity, where the batch is paid, and the batch's lock.
type SessionStore interface {
	Notes
	// Check says whether the store is sound enough to pay from (SQLite's
	// quick_check for the ledger); money moves only after it passed.
	Check(ctx context.Context) error
	// SetEndpoint records where the batch is paid from now on, with an event
	// saying why and who decided.
	SetEndpoint(ctx context.Context, batchID int64, e Endpoint, cause, detail, actor string) error
	// Lock takes the batch for this process; a lock whose holder is gone is
	// taken over (the takeover is in the events). A live holder gives a
	// *LockedError.
	Lock(ctx context.Context, batchID int64, o Owner) error
	// Unlock releases a lock this owner holds; anyone else's is left alone.
	Unlock(ctx context.Context, batchID int64, o Owner) error
}

// Reconciliations keeps each batch's latest reconciliation, so that every
// report and status shown later still carries its findings.
type Reconciliations interface {
	// SaveReconciliation replaces the batch's findings with r's, in one
	// transaction, and appends an event.
	SaveReconciliation(ctx context.Context, batchID int64, r Reconciliation) error
	// Reconciliation returns the batch's latest findings (At zero if none).
	Reconciliation(ctx context.Context, batchID int64) (Reconciliation, error)
}

// ReconcileStore is what reconciliation consumes: the items, every provider
// reference the store knows (to tell a stray payout from ours), and where the
// findings are kept.
type ReconcileStore interface {
	ItemReader
	Notes
	Reconciliations
	// ProviderReferences lists every provider reference the store knows (of
	// items and of attempts), by provider.
	ProviderReferences(ctx context.Context) (map[string]map[string]bool, error)
}

// Reader is what status, lists and reports read.
type Reader interface {
	BatchReader
	Trail
	// Reconciliation returns the batch's latest findings (At zero if none).
	Reconciliation(ctx context.Context, batchID int64) (Reconciliation, error)
	// Planners lists who planned the batch, oldest first.
	Planners(ctx context.Context, batchID int64) ([]string, error)
}

// Store is every interface above: a durable store a whole command runs on.
type Store interface {
	Reader
	RunStore
	PlanStore
	ApprovalStore
	SessionStore
	ReconcileStore
	ActorNotes
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
	// OutcomeHeld is an open attempt's while it is held (HoldingStore): its
	// item is claimed, its request not yet released to leave. An open attempt
	// still held provably sent nothing.
	OutcomeHeld = "held"
)

// Attempt kinds.
const (
	KindSend   = "send"   // first sending of an item's reference
	KindRetry  = "retry"  // the same reference again after a request that was not processed
	KindSettle = "settle" // the same reference again to learn the fate of an unknown
)

// Change is one step to record: an attempt's end, a state change, or both.
type Change struct {
	ItemID int64
	// Lease, when set, makes the change a recovery of a stopped worker's
	// claim: it applies only while the item is still held under exactly this
	// lease (another worker may have recovered and claimed it again since).
	Lease             *Lease
	From, To          State // To empty: no state change
	Cause             string
	Message           string // the item's message, kept for people (alone: updates the message only)
	ProviderReference string // set on the item when not empty
	ProviderFee       int64
	ProviderNet       int64
	NotifyDigest      string // set on the item when not empty (TokenDigest of the provider's callback token)
	Provider          string // failover: the item moves to this provider (with To = Planned)
	CloseOpen         bool   // close attempts a crashed run left open (recovery)
	Actor             string // who decided it when a person did (review), empty for a run
	Attempt           *AttemptEnd
	// Evidence, with no To, appends the change to the item's events (Cause,
	// and Message as the detail) without moving the item or changing its
	// message: what came back too late to act upon, kept for a person or a
	// reconciliation.
	Evidence bool
}

// AttemptEnd closes an attempt with what came back.
type AttemptEnd struct {
	ID                int64
	Outcome           string
	ProviderReference string
	Response          string // what the provider answered, never a secret
	// WhileHeld closes the attempt only if it is still held (HoldingStore):
	// one released meanwhile gives ErrStale, its request may be leaving.
	WhileHeld bool
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
	Actor   string // the person who took the step, empty for a run
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
