package batch

import (
	"context"
	"fmt"
)

// Loader finds a batch and reads its items.
type Loader interface {
	ItemReader
	Batch(ctx context.Context, key string) (Batch, error)
}

// Load reads the batch named by key (its id or its reference) with its items,
// in sheet order: what every command about one batch starts with.
func Load(ctx context.Context, st Loader, key string) (Batch, []Item, error) {
	b, err := st.Batch(ctx, key)
	if err != nil {
		return Batch{}, nil, err
	}
	items, err := st.Items(ctx, b.ID)
	if err != nil {
		return Batch{}, nil, fmt.Errorf("read the items of batch %s: %w", b.Reference, err)
	}
	return b, items, nil
}

// SummaryOf is b's standing from the store's totals by state: the same
// Summary as Summarize over its items, without reading them.
func SummaryOf(ctx context.Context, st ItemReader, b Batch) (Summary, error) {
	t, err := st.Totals(ctx, b.ID)
	if err != nil {
		return Summary{}, fmt.Errorf("count the items of batch %s: %w", b.Reference, err)
	}
	return FromTotals(b, t), nil
}

// FromTotals is the Summary of a batch whose items stand as t says.
func FromTotals(b Batch, t map[State]Total) Summary {
	s := Summary{Batch: b, Counts: Counts{}, Amounts: map[State]int64{}}
	for state, tot := range t {
		if tot.Items == 0 {
			continue
		}
		s.Counts[state] = tot.Items
		s.Amounts[state] = tot.Amount
		s.Items += tot.Items
		s.TotalAmount += tot.Amount
	}
	s.SucceededAmount = s.Amounts[Succeeded]
	return s
}

// BatchLister lists every batch and reads their items or their totals.
type BatchLister interface {
	BatchReader
	ItemReader
}

// List is every batch's standing, newest first, from the store's totals.
func List(ctx context.Context, st BatchLister) ([]Summary, error) {
	bs, err := st.Batches(ctx)
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	out := make([]Summary, 0, len(bs))
	for _, b := range bs {
		sum, err := SummaryOf(ctx, st, b)
		if err != nil {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, nil
}

// Standing is a batch's standing as people are shown it.
type Standing struct {
	Summary        Summary
	Items          []Item
	Retries        Retries // what became of its failed items paid again since
	Reconciliation Reconciliation
}

// Glance reads b's standing as a summary shows it: the counts and amounts from
// the store's totals, and of the items only those a summary lists (failed and
// in review). Standing.Items then holds only those.
func Glance(ctx context.Context, st Reader, b Batch) (Standing, error) {
	sum, err := SummaryOf(ctx, st, b)
	if err != nil {
		return Standing{}, err
	}
	var items []Item
	if sum.Counts[Failed]+sum.Counts[Review] > 0 {
		if items, err = st.Items(ctx, b.ID, Failed, Review); err != nil {
			return Standing{}, fmt.Errorf("read the items of batch %s: %w", b.Reference, err)
		}
	}
	return standing(ctx, st, b, sum, items)
}

// Status reads b's standing: its items by state, what became of its failed
// items retried since, and what its latest reconciliation found.
func Status(ctx context.Context, st Reader, b Batch) (Standing, error) {
	items, err := st.Items(ctx, b.ID)
	if err != nil {
		return Standing{}, fmt.Errorf("read the items of batch %s: %w", b.Reference, err)
	}
	return standing(ctx, st, b, Summarize(b, items), items)
}

// standing is b's standing from its summary and the items read for it, with
// what became of its failed items retried since and what its latest
// reconciliation found.
func standing(ctx context.Context, st Reader, b Batch, sum Summary, items []Item) (Standing, error) {
	r, err := RetriesOf(ctx, st, b)
	if err != nil {
		return Standing{}, err
	}
	rec, err := st.Reconciliation(ctx, b.ID)
	if err != nil {
		return Standing{}, fmt.Errorf("read reconciliation: %w", err)
	}
	return Standing{Summary: sum, Items: items, Retries: r, Reconciliation: rec}, nil
}

// ItemPage is how many items EachItem reads at a time.
const ItemPage = 1000

// EachItem calls fn with each of a batch's items in sheet order (optionally
// only those in states), reading them ItemPage at a time: what a report or a
// check over a whole batch goes through without holding it. An error from fn
// stops it and is returned.
func EachItem(ctx context.Context, st ItemReader, batchID int64, fn func(Item) error, states ...State) error {
	after := 0
	for {
		page, err := st.ItemsAfter(ctx, batchID, after, ItemPage, states...)
		if err != nil {
			return err
		}
		for _, it := range page {
			if err := fn(it); err != nil {
				return err
			}
		}
		if len(page) < ItemPage {
			return nil
		}
		after = page[len(page)-1].Row
	}
}
