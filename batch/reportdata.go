package batch

import (
	"context"
	"fmt"
)

// ReportData is everything a batch's reports show: its items (a failed item
// retried since says where), the attempts of those in doubt or in review, and
// the findings of its latest reconciliation.
type ReportData struct {
	Batch          Batch
	Items          []Item
	Attempts       map[int64][]Attempt
	Reconciliation Reconciliation
}

// Report gathers b's report from the ledger; items are b's items as read.
func Report(ctx context.Context, st Reader, b Batch, items []Item) (ReportData, error) {
	rec, err := st.Reconciliation(ctx, b.ID)
	if err != nil {
		return ReportData{}, fmt.Errorf("read reconciliation: %w", err)
	}
	r, err := RetriesOf(ctx, st, b)
	if err != nil {
		return ReportData{}, fmt.Errorf("read the retries of batch %s: %w", b.Reference, err)
	}
	items = WithRetryNotes(items, r)
	d := ReportData{Batch: b, Items: items, Attempts: map[int64][]Attempt{}, Reconciliation: rec}
	for _, it := range items {
		if it.State == Review || it.State == Unknown {
			atts, err := st.Attempts(ctx, it.ID)
			if err != nil {
				return ReportData{}, fmt.Errorf("read the attempts of row %d: %w", it.Row, err)
			}
			d.Attempts[it.ID] = atts
		}
	}
	return d, nil
}
