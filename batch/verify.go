package batch

import (
	"context"
	"fmt"
)

// Finding is one broken invariant of a batch's ledger.
type Finding struct {
	Row     int // 0 for the batch itself
	Message string
}

func (f Finding) String() string {
	if f.Row == 0 {
		return "batch: " + f.Message
	}
	return fmt.Sprintf("row %d: %s", f.Row, f.Message)
}

// Verify checks a batch's ledger: every item's events form a legal path of the
// state machine ending in its state; an item has at most one provider reference
// accepted, and none if it was cancelled; only an item in doubt has an open attempt; a succeeded item names
// the provider's reference; the batch's totals are the sums of its items.
func Verify(ctx context.Context, st Trail, b Batch) ([]Finding, error) {
	items, err := st.Items(ctx, b.ID)
	if err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	var out []Finding
	add := func(row int, format string, args ...any) {
		out = append(out, Finding{Row: row, Message: fmt.Sprintf(format, args...)})
	}
	var total int64
	for _, it := range items {
		total += it.Amount
		evs, err := st.Events(ctx, b.ID, it.ID)
		if err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		var state, before State
		for i, e := range evs {
			if i > 0 && e.From == "" && e.To == "" {
				continue // a step that moves no state (a link's code, message or claim)
			}
			before = state
			switch {
			case i == 0 && e.To != Planned:
				add(it.Row, "first event is %q, not planned", e.To)
			case i > 0 && e.From != state:
				add(it.Row, "event %d moves from %s but the item was %s", e.ID, e.From, state)
			case i > 0 && !CanMove(e.From, e.To):
				add(it.Row, "event %d is an illegal move %s → %s", e.ID, e.From, e.To)
			}
			state = e.To
		}
		if state != it.State {
			add(it.Row, "events end in %s but the item is %s", state, it.State)
		}
		atts, err := st.Attempts(ctx, it.ID)
		if err != nil {
			return nil, fmt.Errorf("read attempts: %w", err)
		}
		accepted := map[string]bool{}
		open := 0
		for _, a := range atts {
			if a.Outcome == OutcomeAccepted {
				accepted[a.Provider+"/"+a.ProviderReference] = true
			}
			if a.FinishedAt.IsZero() {
				open++
			}
		}
		if len(accepted) > 1 {
			add(it.Row, "%d different payouts were accepted for one item", len(accepted))
		}
		if it.State == Cancelled && len(accepted) > 0 {
			add(it.Row, "cancelled although a provider accepted its payout")
		}
		if open > 1 || (open == 1 && it.State != Submitting && it.State != Unknown) {
			add(it.Row, "%d attempt(s) left open while the item is %s", open, it.State)
		}
		if it.State == Succeeded && it.ProviderReference == "" && before != Review {
			add(it.Row, "succeeded without the provider's reference")
		}
	}
	if total != b.TotalAmount {
		add(0, "total_amount %d but the items add up to %d", b.TotalAmount, total)
	}
	if len(items) != b.ItemCount {
		add(0, "item_count %d but %d items", b.ItemCount, len(items))
	}
	return out, nil
}
