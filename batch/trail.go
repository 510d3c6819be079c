package batch

import (
	"fmt"
	"strings"
	"time"
)

// Causes of the events every store appends, written here once so that every
// backend keeps the same audit trail.
const (
	CauseBatchPlanned   = "batch planned" // the batch was created (actor: its planner)
	CausePlannedAgain   = "planned again" // the batch was planned again (actor: the planner)
	CauseItemPlanned    = "planned"       // an item was created, Planned
	CauseClaimed        = "claimed for sending"
	CauseRunStarted     = "run started" // a process took the batch's lock
	CauseRunEnded       = "run ended"   // it gave the lock back
	CausePolicyStricter = "approval rules made stricter"
	CauseReconciliation = "reconciliation recorded"
	CauseLateAnswer     = "answer after its attempt was closed" // a recovery had closed it: kept with the item as evidence
	causeApprovedBy     = "approved by "
)

// The events below are what a store appends for each step; the store sets the
// time (At) and the ids.

// BatchPlannedEvent is a new batch's first event.
func BatchPlannedEvent(b Batch, items int) Event {
	return Event{BatchID: b.ID, Cause: CauseBatchPlanned, Actor: b.CreatedBy,
		Detail: fmt.Sprintf("%d items, total %d %s, sheet %s", items, b.TotalAmount, b.Currency, b.SheetName)}
}

// ItemPlannedEvent is a new item's first event: it enters the machine Planned.
func ItemPlannedEvent(it Item) Event {
	detail := "reference " + it.Reference + " via " + it.Provider
	if it.RetryOf != 0 {
		detail += fmt.Sprintf("; pays again failed item %d", it.RetryOf)
	}
	return Event{BatchID: it.BatchID, ItemID: it.ID, To: Planned, Cause: CauseItemPlanned, Detail: detail}
}

// ClaimedEvent is an item claimed for sending under attempt.
func ClaimedEvent(it Item, attempt int64) Event {
	return Event{BatchID: it.BatchID, ItemID: it.ID, From: Planned, To: Submitting, Cause: CauseClaimed,
		Detail: fmt.Sprintf("attempt %d", attempt)}
}

// Event is the event a state change appends (c.To not empty).
func (c Change) Event(batchID int64) Event {
	var ref, via string
	if c.ProviderReference != "" {
		ref = "provider_reference " + c.ProviderReference
	}
	if c.Provider != "" {
		via = "now via " + c.Provider
	}
	return Event{BatchID: batchID, ItemID: c.ItemID, From: c.From, To: c.To, Cause: c.Cause, Detail: details(ref, via, c.Message),
		Actor: c.Actor}
}

// RunStartedEvent is o taking the batch's lock; held is the holder it took
// over from (PID 0: none).
func RunStartedEvent(batchID int64, o, held Owner) Event {
	detail := fmt.Sprintf("pid %d on %s", o.PID, o.Host)
	if held.PID != 0 {
		detail += fmt.Sprintf(", taken over from pid %d (no longer running) which held it since %s", held.PID, Stamp(held.At))
	}
	return Event{BatchID: batchID, Cause: CauseRunStarted, Detail: detail}
}

// RunEndedEvent is o giving the batch's lock back.
func RunEndedEvent(batchID int64, o Owner) Event {
	return Event{BatchID: batchID, Cause: CauseRunEnded, Detail: fmt.Sprintf("pid %d on %s", o.PID, o.Host)}
}

// ApprovedEvent is a's approval of the batch's plan hash.
func ApprovedEvent(batchID int64, a Approval, note string) Event {
	return Event{BatchID: batchID, Cause: causeApprovedBy + a.By, Actor: a.By,
		Detail: details("plan hash "+a.Hash, note)}
}

// PlannedAgainEvent is by planning the batch again; pol is the batch's policy
// after the plan made it stricter.
func PlannedAgainEvent(batchID int64, by, planHash, detail string, pol Policy) Event {
	return Event{BatchID: batchID, Cause: CausePlannedAgain, Actor: by,
		Detail: details("by "+by, "plan hash "+planHash, "approval rules: "+pol.String(), detail)}
}

// PolicyEvent is actor making the batch's approval rules stricter, now pol.
func PolicyEvent(batchID int64, pol Policy, actor string) Event {
	return Event{BatchID: batchID, Cause: CausePolicyStricter, Detail: "now " + pol.String(), Actor: actor}
}

// ReconciliationEvent is r's findings being stored.
func ReconciliationEvent(batchID int64, r Reconciliation) Event {
	return Event{BatchID: batchID, Cause: CauseReconciliation,
		Detail: fmt.Sprintf("at %s: %d mismatch(es), %d could not be checked", Stamp(r.At), len(r.Mismatches), len(r.Unchecked))}
}

// details joins the parts of an event's detail that are not empty.
func details(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "; ")
}

// IsPlanEvent reports whether e records a person planning its batch (Planners).
func IsPlanEvent(e Event) bool {
	return e.ItemID == 0 && e.Actor != "" && (e.Cause == CauseBatchPlanned || e.Cause == CausePlannedAgain)
}

// RequestSummary is what an attempt asks of the provider, for people reviewing
// it. It holds no secret: those travel in headers and tokens, never here.
func RequestSummary(it Item) string {
	return fmt.Sprintf("pay %d to %s via %s under reference %s", it.Amount, it.Phone, it.Provider, it.Reference)
}

// Interrupted is the response recorded on an attempt whose answer was never
// recorded (closed as OutcomeUnknown).
const Interrupted = "interrupted: the run ended before the answer was recorded"

// StampFormat is how stores write times: RFC 3339 in UTC, to the nanosecond.
const StampFormat = time.RFC3339Nano

// Stamp writes t as stores keep it.
func Stamp(t time.Time) string { return t.UTC().Format(StampFormat) }
