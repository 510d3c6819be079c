package batch

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// FindItem finds an item by its row number or its reference.
func FindItem(items []Item, key string) (Item, error) {
	row, err := strconv.Atoi(key)
	for _, it := range items {
		if (err == nil && it.Row == row) || it.Reference == key {
			return it, nil
		}
	}
	return Item{}, fmt.Errorf("no item %s in this batch: give its row number or its reference", key)
}

// Applier records changes to items.
type Applier interface {
	Apply(ctx context.Context, changes ...Change) error
}

// Decision is a person's decision on an item in review, from the provider's records.
type Decision struct {
	To   State  // Succeeded or Failed
	By   string // who decides
	Note string // what the provider's records show
}

// Resolve records a person's decision on the item of items that key names (its
// row or its reference). Only an item in review is decided by hand.
func Resolve(ctx context.Context, st Applier, items []Item, key string, d Decision) (Item, error) {
	if d.To != Succeeded && d.To != Failed {
		return Item{}, fmt.Errorf("%w: a decision is succeeded or failed, not %q", ErrInvalid, d.To)
	}
	if strings.TrimSpace(d.Note) == "" || strings.TrimSpace(d.By) == "" {
		return Item{}, fmt.Errorf("%w: a decision names who decides and what the provider's records show", ErrInvalid)
	}
	it, err := FindItem(items, key)
	if err != nil {
		return Item{}, err
	}
	if it.State != Review {
		return Item{}, fmt.Errorf("row %d is %s, not in review: only items in review are resolved by hand", it.Row, it.State)
	}
	err = st.Apply(ctx, Change{ItemID: it.ID, From: Review, To: d.To, Actor: d.By,
		Cause:   "resolved by " + d.By,
		Message: fmt.Sprintf("%s by %s: %s", d.To, d.By, d.Note)})
	if err != nil {
		return Item{}, fmt.Errorf("record the decision on row %d: %w", it.Row, err)
	}
	it.State = d.To
	return it, nil
}

// Evidence is an item with every attempt made for it: what a person needs to
// decide an item in review.
type Evidence struct {
	Item     Item
	Attempts []Attempt
}

// InReview gathers the evidence of every item of items in review, in sheet order.
func InReview(ctx context.Context, st Trail, items []Item) ([]Evidence, error) {
	var out []Evidence
	for _, it := range items {
		if it.State != Review {
			continue
		}
		atts, err := st.Attempts(ctx, it.ID)
		if err != nil {
			return nil, fmt.Errorf("read the attempts of row %d: %w", it.Row, err)
		}
		out = append(out, Evidence{Item: it, Attempts: atts})
	}
	return out, nil
}
