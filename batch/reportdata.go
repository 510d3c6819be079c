package batch

import (
	"context"
	"fmt"
)

// ReportData is everything a batch's reports show: its items (a failed item
// retried since says where), the attempts of those in doubt or in review, and
// the findings of its latest reconciliation. The items are read a page at a
// time as a report goes through them (Each), never held.
type ReportData struct {
	Batch          Batch
	Reconciliation Reconciliation
	st             Reader
	ctx            context.Context
	retries        Retries
}

// Report gathers what b's report needs from the ledger besides its items.
func Report(ctx context.Context, st Reader, b Batch) (ReportData, error) {
	rec, err := st.Reconciliation(ctx, b.ID)
	if err != nil {
		return ReportData{}, fmt.Errorf("read reconciliation: %w", err)
	}
	r, err := RetriesOf(ctx, st, b)
	if err != nil {
		return ReportData{}, fmt.Errorf("read the retries of batch %s: %w", b.Reference, err)
	}
	return ReportData{Batch: b, Reconciliation: rec, st: st, ctx: ctx, retries: r}, nil
}

// Each calls fn with each of the batch's items in sheet order (only those in
// states, when any are given), a failed item retried since saying where.
func (d ReportData) Each(fn func(Item) error, states ...State) error {
	err := EachItem(d.ctx, d.st, d.Batch.ID, func(it Item) error {
		return fn(d.retries.noted(it))
	}, states...)
	if err != nil {
		return fmt.Errorf("read the items of batch %s: %w", d.Batch.Reference, err)
	}
	return nil
}

// Attempts lists an item's attempts, oldest first: the evidence shown for
// an item in doubt or in review.
func (d ReportData) Attempts(itemID int64) ([]Attempt, error) {
	return d.st.Attempts(d.ctx, itemID)
}
