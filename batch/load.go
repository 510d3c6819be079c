package batch

import (
	"context"
	"fmt"
)

// BatchReader reads batches and their items.
type BatchReader interface {
	Batch(ctx context.Context, key string) (Batch, error)
	Items(ctx context.Context, batchID int64, states ...State) ([]Item, error)
}

// Load reads the batch named by key (its id or its reference) with its items,
// in sheet order: what every command about one batch starts with.
func Load(ctx context.Context, st BatchReader, key string) (Batch, []Item, error) {
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

// BatchLister lists every batch and reads their items.
type BatchLister interface {
	Batches(ctx context.Context) ([]Batch, error)
	Items(ctx context.Context, batchID int64, states ...State) ([]Item, error)
}

// List is every batch's standing, newest first.
func List(ctx context.Context, st BatchLister) ([]Summary, error) {
	bs, err := st.Batches(ctx)
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	out := make([]Summary, 0, len(bs))
	for _, b := range bs {
		items, err := st.Items(ctx, b.ID)
		if err != nil {
			return nil, fmt.Errorf("read the items of batch %s: %w", b.Reference, err)
		}
		out = append(out, Summarize(b, items))
	}
	return out, nil
}
