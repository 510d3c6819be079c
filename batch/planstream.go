package batch

import (
	"context"
	"errors"
	"fmt"
)

// RowSource reads a sheet, giving each row that passed its checks (and the
// screen) to fn, in sheet order, holding none; it returns the sheet's counts.
// An error from fn stops it and is returned; an error that stops reading
// comes back with the counts read so far.
type RowSource func(ctx context.Context, fn func(Row) error) (Tally, error)

// StreamPlan is a sheet to plan, and to store when it is valid, as it is read.
type StreamPlan struct {
	Request PlanRequest // its Rows and Tally are not used: the rows come from Rows
	Rows    RowSource
	// Store opens the store the plan is kept in, once the sheet is known to
	// be valid (or before reading, with Early); nil: the plan is only shown.
	Store func(ctx context.Context) (PlanStore, error)
	// Early opens the store before the sheet is read, so that a batch stored
	// already under the reference is checked in one reading of the sheet.
	Early bool
	Save  SaveRequest
}

// Streamed is a sheet planned as it was read and, when it was valid, stored.
type Streamed struct {
	Plan    PlannedSheet // the plan (Items nil: they went to the store)
	Store   PlanStore    // the store opened, nil if none was
	Batch   Batch        // the stored batch, when Stored
	Created bool         // the batch was created by this plan
	Stored  bool         // the plan is in the store, created or found
}

// chunk is how many planned items wait together before they are looked up
// among other batches' and stored.
const chunk = 500

// PlanStream plans the sheet sp.Rows reads as it reads it, never holding its
// rows or items, and keeps every rule SavePlan keeps.
//
// The sheet is read once to validate and plan it (counts, totals, content
// hash); nothing is stored when any row is invalid. A valid sheet whose
// reference is new is read a second time inside the store's transaction
// (CreateBatchFrom): each item is stored as it is planned, looked up among
// other batches' payments (a repeat refuses the whole batch, and the
// transaction stores nothing), and the plan hash, which covers the content
// hash, is worked out; a sheet that changed between the readings stores
// nothing. When the batch is stored already and the store was opened Early,
// one reading does: the plan hash is worked out over the stored content hash
// as the rows go by. Otherwise a second reading works out the plan hash (or,
// for a changed sheet, the changes).
//
// A stored batch with rows paid by link has their links issued (IssueLinks,
// as sp.Save says).
func PlanStream(ctx context.Context, sp StreamPlan) (Streamed, error) {
	out, err := planStream(ctx, sp)
	if err == nil && out.Stored && out.Plan.Links > 0 {
		err = issueLinks(ctx, out.Store, out.Batch, sp.Save, sp.Request.Now)
	}
	return out, err
}

func planStream(ctx context.Context, sp StreamPlan) (Streamed, error) {
	var out Streamed
	req := sp.Request
	if req.PayBy == PayByLink { // every reading sees the rows paid by link
		rows := sp.Rows
		sp.Rows = func(ctx context.Context, fn func(Row) error) (Tally, error) {
			return rows(ctx, func(r Row) error { return fn(req.payBy(r)) })
		}
	}
	base := req.base()
	var known *Batch
	open := func() error {
		if out.Store != nil {
			return nil
		}
		st, err := sp.Store(ctx)
		if err != nil {
			return err
		}
		out.Store = st
		b, err := st.Batch(ctx, base.Reference)
		switch {
		case err == nil:
			known = &b
		case !errors.Is(err, ErrBatchNotFound):
			return fmt.Errorf("find batch: %w", err)
		}
		return nil
	}
	if sp.Store != nil && sp.Early {
		if err := open(); err != nil {
			return out, err
		}
	}

	// the first reading: validate, count, sum, hash the content
	p := newPlanner(base, req.Router, base.Period)
	var guess *planHasher // the plan hash if the content is the known batch's
	if known != nil {
		g := base
		g.SheetHash = known.SheetHash
		guess = newPlanHasher(g)
	}
	tally, err := sp.Rows(ctx, func(r Row) error {
		if it, ok := p.item(r); ok && guess != nil {
			guess.add(it)
		}
		return nil
	})
	tally.refuseCounted(p.refusedRows, p.refusedAmount, p.refused)
	b := p.b
	b.SheetHash = p.sheetHash()
	out.Plan = PlannedSheet{Batch: b, Tally: tally, Lines: p.byCarrier(), Cost: p.cost, Links: p.links}
	if err != nil {
		return out, err
	}
	if guess != nil && known.SheetHash == b.SheetHash {
		out.Plan.Batch.PlanHash = guess.sum()
	}
	valid := len(tally.Errors) == 0 && b.ItemCount > 0
	if !valid || sp.Store == nil {
		if out.Plan.Batch.PlanHash == "" {
			out.Plan.Batch.PlanHash, err = rehash(ctx, sp, out.Plan.Batch)
		}
		return out, err
	}
	if err := open(); err != nil {
		return out, err
	}
	if known == nil {
		created, err := createStream(ctx, out.Store, sp, &out.Plan.Batch)
		if err == nil {
			out.Batch, out.Created, out.Stored = out.Plan.Batch, true, true
			return out, nil
		}
		if !errors.Is(err, ErrBatchExists) {
			return out, err
		}
		// another run planned it since we looked: continue with its batch
		if created, err = out.Store.Batch(ctx, base.Reference); err != nil {
			return out, fmt.Errorf("find batch: %w", err)
		}
		known = &created
	}
	if known.SheetHash != b.SheetHash {
		return out, changes(ctx, out.Store, *known, sp.Rows)
	}
	if out.Plan.Batch.PlanHash == "" {
		if out.Plan.Batch.PlanHash, err = rehash(ctx, sp, out.Plan.Batch); err != nil {
			return out, err
		}
	}
	out.Batch, err = planAgain(ctx, out.Store, out.Plan.Batch, *known, sp.Save)
	out.Stored = err == nil
	return out, err
}

// rehash reads the sheet again for the plan hash of b, whose content hash
// the first reading found.
func rehash(ctx context.Context, sp StreamPlan, b Batch) (string, error) {
	p := newPlanner(sp.Request.base(), sp.Request.Router, b.Period)
	h := newPlanHasher(b)
	if _, err := sp.Rows(ctx, func(r Row) error {
		if it, ok := p.item(r); ok {
			h.add(it)
		}
		return nil
	}); err != nil {
		return "", err
	}
	if p.sheetHash() != b.SheetHash {
		return "", fmt.Errorf("the sheet changed while it was read: plan it again")
	}
	return h.sum(), nil
}

// createStream stores b as the sheet is read again: items stored a chunk at
// a time, each chunk first looked up among other batches' payments.
func createStream(ctx context.Context, st PlanStore, sp StreamPlan, b *Batch) (Batch, error) {
	err := st.CreateBatchFrom(ctx, b, func(d BatchDraft) error {
		p := newPlanner(sp.Request.base(), sp.Request.Router, b.Period)
		h := newPlanHasher(*b)
		var repeats []Repeat
		more := 0
		pending := make([]Item, 0, chunk)
		flush := func() error {
			if len(pending) == 0 {
				return nil
			}
			if !sp.Save.AllowRepeat && b.ParentID == 0 {
				found, err := d.Repeats(ctx, fingerprints(pending))
				if err != nil {
					return fmt.Errorf("look for repeated payments: %w", err)
				}
				for _, it := range pending {
					if r, ok := found[it.Fingerprint]; ok {
						if len(repeats) == maxRepeats {
							more++
							continue
						}
						r.Row, r.Phone, r.Amount = it.Row, it.Phone, it.Amount
						repeats = append(repeats, r)
					}
				}
			}
			if len(repeats) == 0 {
				if err := d.Add(ctx, pending); err != nil {
					return err
				}
			}
			pending = pending[:0]
			return nil
		}
		if _, err := sp.Rows(ctx, func(r Row) error {
			it, ok := p.item(r)
			if !ok {
				return nil
			}
			h.add(it)
			if pending = append(pending, stored(it)); len(pending) == chunk {
				return flush()
			}
			return nil
		}); err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		if len(repeats) > 0 {
			return &RepeatError{Sheet: b.SheetName, Period: b.Period, Repeats: repeats, More: more}
		}
		if p.sheetHash() != b.SheetHash {
			return fmt.Errorf("the sheet changed while it was read: plan it again")
		}
		b.PlanHash = h.sum()
		return nil
	})
	return *b, err
}

// maxRepeats bounds the repeats a RepeatError lists; the rest are counted.
const maxRepeats = 1000

func fingerprints(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Fingerprint
	}
	return out
}

// changes reads the sheet again beside the stored batch's items, both in
// sheet order, and says how they differ (as Diff does): a *ChangedError.
func changes(ctx context.Context, st ItemReader, b Batch, rows RowSource) error {
	const show = 10
	var rowLines, removed []string
	nRow, nRemoved := 0, 0
	keep := func(list *[]string, n *int, line string) {
		if len(*list) < show {
			*list = append(*list, line)
		}
		(*n)++
	}
	cur := &itemCursor{ctx: ctx, st: st, batchID: b.ID}
	_, err := rows(ctx, func(r Row) error {
		for {
			it, ok, err := cur.peek()
			if err != nil {
				return err
			}
			if !ok || it.Row >= r.Row {
				break
			}
			keep(&removed, &nRemoved, removedLine(it))
			cur.next()
		}
		it, ok, err := cur.peek()
		if err != nil {
			return err
		}
		if !ok || it.Row != r.Row {
			keep(&rowLines, &nRow, addedLine(r))
			return nil
		}
		cur.next()
		for _, line := range rowChanges(it, r) {
			keep(&rowLines, &nRow, line)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for {
		it, ok, err := cur.peek()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		keep(&removed, &nRemoved, removedLine(it))
		cur.next()
	}
	ce := &ChangedError{Reference: b.Reference}
	lines := append(rowLines, removed...)
	total := nRow + nRemoved
	if total == 0 {
		lines, total = []string{"the rows read the same but other columns (provider, reference) differ"}, 1
	}
	ce.Changes = lines[:min(show, len(lines))]
	ce.More = total - len(ce.Changes)
	return ce
}

// itemCursor reads a batch's items in sheet order a page at a time.
type itemCursor struct {
	ctx     context.Context
	st      ItemReader
	batchID int64
	page    []Item
	i       int
	done    bool
}

func (c *itemCursor) peek() (Item, bool, error) {
	if c.i == len(c.page) && !c.done {
		after := 0
		if len(c.page) > 0 {
			after = c.page[len(c.page)-1].Row
		}
		page, err := c.st.ItemsAfter(c.ctx, c.batchID, after, ItemPage)
		if err != nil {
			return Item{}, false, fmt.Errorf("read batch items: %w", err)
		}
		c.page, c.i, c.done = page, 0, len(page) < ItemPage
	}
	if c.i == len(c.page) {
		return Item{}, false, nil
	}
	return c.page[c.i], true, nil
}

func (c *itemCursor) next() { c.i++ }
