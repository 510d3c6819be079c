package main

import (
	"context"

	"bulkpay/batch"
	"bulkpay/ledger"
)

// loaded is a batch read from the ledger with its items; close the store when done.
type loaded struct {
	st    *ledger.Store
	b     batch.Batch
	items []batch.Item
}

// loadBatch opens the ledger and reads the batch named by key (id or reference).
func (a *app) loadBatch(ctx context.Context, key string) (*loaded, error) {
	st, err := a.openLedger(ctx)
	if err != nil {
		return nil, err
	}
	b, err := st.Batch(ctx, key)
	if err != nil {
		st.Close()
		return nil, err
	}
	items, err := st.Items(ctx, b.ID)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &loaded{st: st, b: b, items: items}, nil
}
