package batchtest

import (
	"context"
	"fmt"

	"bulkpay/batch"
)

// Seed stores b with its items in st and moves each item to the state it
// names, along the moves the state machine allows (claimed, then answered),
// as a run would have left it: an item's Message and ProviderReference are
// recorded with its last move. An item without a row gets its place in items
// (row 2 first), one without a reference a reference of its own, one without
// an amount 1000. It returns the batch and its items as stored, in order.
func Seed(ctx context.Context, st batch.Store, b batch.Batch, items ...batch.Item) (batch.Batch, []batch.Item, error) {
	want := make([]batch.Item, len(items))
	stored := make([]batch.Item, len(items))
	for i, it := range items {
		if it.Row == 0 {
			it.Row = i + 2
		}
		if it.Reference == "" {
			it.Reference = fmt.Sprintf("%s-row-%d", b.Reference, it.Row)
		}
		if it.Amount <= 0 {
			it.Amount = 1000
		}
		if it.State == "" {
			it.State = batch.Planned
		}
		want[i], stored[i] = it, it
	}
	if err := st.CreateBatch(ctx, &b, stored); err != nil {
		return b, nil, err
	}
	for i, it := range want {
		if err := moveTo(ctx, st, b.ID, stored[i], it); err != nil {
			return b, nil, fmt.Errorf("row %d: %w", it.Row, err)
		}
	}
	out, err := st.Items(ctx, b.ID)
	if err != nil {
		return b, nil, err
	}
	b, err = st.Batch(ctx, b.Reference)
	return b, inOrder(out, stored), err
}

// inOrder lists got in the order of the items given.
func inOrder(got, given []batch.Item) []batch.Item {
	byID := map[int64]batch.Item{}
	for _, it := range got {
		byID[it.ID] = it
	}
	out := make([]batch.Item, len(given))
	for i, it := range given {
		out[i] = byID[it.ID]
	}
	return out
}

// moveTo takes the planned item it to want's state.
func moveTo(ctx context.Context, st batch.Store, batchID int64, it, want batch.Item) error {
	last := func(from, to batch.State, end *batch.AttemptEnd) batch.Change {
		return batch.Change{ItemID: it.ID, From: from, To: to, Cause: "seeded", Message: want.Message,
			ProviderReference: want.ProviderReference, Attempt: end}
	}
	note := func() error {
		if want.Message == "" {
			return nil
		}
		return st.Apply(ctx, batch.Change{ItemID: it.ID, Message: want.Message})
	}
	switch want.State {
	case batch.Planned:
		return note()
	case batch.Rejected, batch.Cancelled, batch.ToConfirm: // never claimed
		return st.Apply(ctx, last(batch.Planned, want.State, nil))
	}
	attempt, err := claim(ctx, st, batchID, it)
	if err != nil {
		return err
	}
	if want.State == batch.Submitting {
		return note()
	}
	outcome := batch.OutcomeUnknown
	switch want.State {
	case batch.Pending, batch.Succeeded:
		outcome = batch.OutcomeAccepted
	case batch.Failed:
		outcome = batch.OutcomeRefused
	}
	end := &batch.AttemptEnd{ID: attempt, Outcome: outcome, ProviderReference: want.ProviderReference}
	if want.State == batch.Review {
		return st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Submitting, To: batch.Unknown, Cause: "seeded", Attempt: end},
			last(batch.Unknown, batch.Review, nil))
	}
	return st.Apply(ctx, last(batch.Submitting, want.State, end))
}

// claim claims the planned item it alone, and gives its attempt.
func claim(ctx context.Context, st batch.Store, batchID int64, it batch.Item) (int64, error) {
	planned, err := st.Items(ctx, batchID, batch.Planned)
	if err != nil {
		return 0, err
	}
	var others []int64
	for _, o := range planned {
		if o.ID != it.ID {
			others = append(others, o.ID)
		}
	}
	claims, err := st.Claim(ctx, batchID, it.Provider, 1, others...)
	if err != nil {
		return 0, err
	}
	if len(claims) != 1 || claims[0].Item.ID != it.ID {
		return 0, fmt.Errorf("item %d was not claimed", it.ID)
	}
	return claims[0].AttemptID, nil
}
