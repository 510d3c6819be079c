package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"
)

// Event types. The ledger emits link.claimed and link.expired as a link is
// claimed or expires (ledger/links.go); the others come from its triggers.
const (
	BatchPlanned   = "batch.planned"
	BatchApproved  = "batch.approved"
	BatchStarted   = "batch.started"
	BatchCompleted = "batch.completed"
	ItemSucceeded  = "item.succeeded"
	ItemFailed     = "item.failed"
	ItemReview     = "item.review"
	LinkClaimed    = "link.claimed"
	LinkExpired    = "link.expired"
)

// Types lists every event type an endpoint may subscribe to.
var Types = []string{BatchPlanned, BatchApproved, BatchStarted, BatchCompleted, ItemSucceeded, ItemFailed, ItemReview,
	LinkClaimed, LinkExpired}

// Known reports whether t is an event type bulkpay knows.
func Known(t string) bool { return slices.Contains(Types, t) }

// ErrEventNotFound: no event with that id in the outbox.
var ErrEventNotFound = errors.New("webhook event not found")

// Event is one outbox row: what is sent, and how its delivery stands at each
// endpoint that has been tried.
type Event struct {
	Seq        int64 // the outbox's order
	ID         string
	Type       string
	BatchID    int64
	ItemID     int64 // 0 for a batch event
	CreatedAt  time.Time
	WindowFrom time.Time       // deliveries are tried for Window from here: CreatedAt, or the last resend
	Object     json.RawMessage // the batch or item as it stood, never a secret
	Deliveries []Delivery      // one per endpoint tried, in endpoint order
}

// State is where one event's delivery to one endpoint stands.
type State string

const (
	Pending   State = "pending"
	Delivered State = "delivered"
	GaveUp    State = "gave_up"
)

// Delivery is one event's delivery to one endpoint.
type Delivery struct {
	EventID     string
	Endpoint    string // the endpoint's Key: its URL without query or credentials
	State       State
	Attempts    int
	NextAt      time.Time // not tried again before (zero: at once)
	LastStatus  int       // the last answer's HTTP status, 0 for none
	LastError   string
	DeliveredAt time.Time
	Log         []Attempt // every attempt, oldest first (filled by List)
}

// Attempt is one line of the delivery log: no secret, no body.
type Attempt struct {
	EventID  string
	Endpoint string
	At       time.Time
	Status   int    // HTTP status; 0: no answer
	Error    string // short; empty when the endpoint took it
}

// delivery is the event's delivery to the endpoint keyed key, pending and
// never tried when none is recorded.
func (e Event) delivery(key string) Delivery {
	for _, d := range e.Deliveries {
		if d.Endpoint == key {
			return d
		}
	}
	return Delivery{EventID: e.ID, Endpoint: key, State: Pending}
}

// Store is the outbox the Deliverer works from; the ledger implements it (and
// webhookstest.Memory, for tests).
type Store interface {
	// Open lists up to limit events not yet done whose outbox order is after
	// after, in that order, each with its deliveries.
	Open(ctx context.Context, after int64, limit int) ([]Event, error)
	// Record stores how d stands now and, when a is not nil, appends the
	// attempt to the delivery log, in one transaction.
	Record(ctx context.Context, d Delivery, a *Attempt) error
	// Done marks an event done: every endpoint subscribed to it has it or
	// gave up. A resend opens it again.
	Done(ctx context.Context, eventID string) error
}

// Journal is what the webhooks commands read and change besides delivering.
type Journal interface {
	Store
	// List returns up to limit events, newest first, with their deliveries
	// and each delivery's log.
	List(ctx context.Context, limit int) ([]Event, error)
	// Resend opens the event again: every delivery is pending, due at once
	// with no attempt counted, and retried for Window from at. The log keeps
	// the earlier attempts. None: ErrEventNotFound.
	Resend(ctx context.Context, eventID string, at time.Time) error
}

// Body is the JSON posted for e: the same bytes at every attempt.
func Body(e Event) ([]byte, error) {
	return json.Marshal(struct {
		ID     string          `json:"id"`
		Type   string          `json:"type"`
		Time   time.Time       `json:"time"`
		Object json.RawMessage `json:"object"`
	}{e.ID, e.Type, e.CreatedAt.UTC(), e.Object})
}
