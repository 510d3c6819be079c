package batchtest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"bulkpay/batch"
)

var _ batch.Store = (*Memory)(nil)

// Memory is a batch.Store held in memory: what the ledger does, without a
// file, for tests of the use cases that run in milliseconds. It keeps the
// ledger's rules (the state machine, conditional and all-or-nothing changes,
// one event per step) and passes the same contract suite. Safe for concurrent
// use; everything it returns is a copy.
type Memory struct {
	mu    sync.Mutex
	now   func() time.Time
	alive func(pid int, start string) bool
	fail  map[string]error

	batches  []*record         // by id − 1
	items    []batch.Item      // by id − 1
	attempts []batch.Attempt   // by id − 1
	events   []batch.Event     // by id − 1
	byBatch  map[int64][]int64 // a batch's item ids
	tries    map[int64][]int64 // an item's attempt ids
	contacts map[string]map[string]bool
	shared   bool                  // several workers pay from it (WithShared)
	leases   map[int64]batch.Lease // an item's latest leased claim
	pacer    batch.LocalPacer
	links    map[string]*batch.Link // by id
	linkOf   map[int64]string       // an item's link id
	messages []batch.Message
	cbs      []batch.CallbackRecord      // the callback log
	names    map[int64][]batch.NameCheck // name checks by batch (names.go)
}

// record is a batch with what the store keeps beside it.
type record struct {
	b    batch.Batch
	lock *batch.Owner // the holder, nil when free
	rec  batch.Reconciliation
}

// Option changes a new Memory.
type Option func(*Memory)

// WithClock sets the clock the store stamps events, attempts and items with.
func WithClock(now func() time.Time) Option { return func(m *Memory) { m.now = now } }

// WithProcessCheck sets how the store tells whether a lock holder on this host
// still runs; by default every holder does.
func WithProcessCheck(alive func(pid int, start string) bool) Option {
	return func(m *Memory) { m.alive = alive }
}

// NewMemory returns an empty store.
func NewMemory(opts ...Option) *Memory {
	m := &Memory{
		now:      time.Now,
		alive:    func(int, string) bool { return true },
		fail:     map[string]error{},
		byBatch:  map[int64][]int64{},
		tries:    map[int64][]int64{},
		contacts: map[string]map[string]bool{},
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Fail makes every later call of the method named op (as "Claim", "Apply")
// fail with err, changing nothing, until Fail(op, nil): a full disk, a busy
// ledger, whatever the test needs.
func (m *Memory) Fail(op string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err == nil {
		delete(m.fail, op)
		return
	}
	m.fail[op] = err
}

// call runs fn under the store's lock, unless op was told to fail. An error
// is wrapped with what (none when what is ""), as the ledger names its
// operations.
func (m *Memory) call(op, what string, fn func() error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	err := m.fail[op]
	if err == nil {
		err = fn()
	}
	if err != nil && what != "" {
		return fmt.Errorf("%s: %w", what, err)
	}
	return err
}

// onBatch is call with the batch's record; a batch the store does not hold is
// batch.ErrBatchNotFound.
func (m *Memory) onBatch(op, what string, batchID int64, fn func(*record) error) error {
	return m.call(op, what, func() error {
		r, err := m.batch(batchID)
		if err != nil {
			return err
		}
		return fn(r)
	})
}

// stamp is the store's time now, as the ledger reads its own back.
func (m *Memory) stamp() time.Time { return m.now().UTC().Round(0) }

func utc(t time.Time) time.Time { return t.UTC().Round(0) }

func cloneBatch(b batch.Batch) batch.Batch {
	b.Fees.Configs = slices.Clone(b.Fees.Configs)
	if b.Endpoint.IsZero() {
		b.Endpoint = batch.Endpoint{}
	}
	b.Endpoint.Providers = maps.Clone(b.Endpoint.Providers)
	if len(b.Endpoint.Providers) == 0 {
		b.Endpoint.Providers = nil
	}
	return b
}

func cloneItem(it batch.Item) batch.Item {
	it.Route = slices.Clone(it.Route)
	if len(it.Route) == 0 {
		it.Route = nil
	}
	return it
}

func cloneReconciliation(r batch.Reconciliation) batch.Reconciliation {
	r.Mismatches = slices.Clone(r.Mismatches)
	r.Unchecked = slices.Clone(r.Unchecked)
	if len(r.Mismatches) == 0 {
		r.Mismatches = nil
	}
	if len(r.Unchecked) == 0 {
		r.Unchecked = nil
	}
	return r
}

// batch finds a batch by id. Called with m.mu held.
func (m *Memory) batch(id int64) (*record, error) {
	if id < 1 || id > int64(len(m.batches)) {
		return nil, fmt.Errorf("%w: id %d", batch.ErrBatchNotFound, id)
	}
	return m.batches[id-1], nil
}

// item finds an item by id. Called with m.mu held.
func (m *Memory) item(id int64) (*batch.Item, error) {
	if id < 1 || id > int64(len(m.items)) {
		return nil, fmt.Errorf("%w: id %d", batch.ErrItemNotFound, id)
	}
	return &m.items[id-1], nil
}

// appendEvent appends e stamped at. Called with m.mu held.
func (m *Memory) appendEvent(e batch.Event, at time.Time) {
	e.ID, e.At = int64(len(m.events))+1, at
	m.events = append(m.events, e)
}

// CreateBatch implements batch.PlanStore.
func (m *Memory) CreateBatch(ctx context.Context, b *batch.Batch, items []batch.Item) error {
	b.ItemCount = len(items)
	return m.CreateBatchFrom(ctx, b, func(d batch.BatchDraft) error { return d.Add(ctx, items) })
}

// CreateBatchFrom implements batch.PlanStore: the items added wait in the
// draft and are stored, with the batch, only once fill has returned.
func (m *Memory) CreateBatchFrom(ctx context.Context, b *batch.Batch, fill func(d batch.BatchDraft) error) error {
	if err := m.call("CreateBatch", "", func() error { return m.unused(b.Reference) }); err != nil {
		return err
	}
	d := &memDraft{m: m, now: m.stamp()}
	if err := fill(d); err != nil {
		return err
	}
	return m.call("CreateBatch", "", func() error {
		if err := m.unused(b.Reference); err != nil {
			return err
		}
		if len(d.items) != b.ItemCount {
			return fmt.Errorf("create batch %q: %d item(s) planned but %d added", b.Reference, b.ItemCount, len(d.items))
		}
		if err := m.checkNew(*b, d.items); err != nil {
			return fmt.Errorf("create batch %q: %w", b.Reference, err)
		}
		now := d.now
		stored := cloneBatch(*b)
		stored.ID, stored.CreatedAt, stored.Approval = int64(len(m.batches))+1, now, batch.Approval{}
		m.batches = append(m.batches, &record{b: stored})
		m.appendEvent(batch.BatchPlannedEvent(stored, stored.ItemCount), now)
		for i, it := range d.items {
			it.ID, it.BatchID, it.State, it.UpdatedAt = int64(len(m.items))+1, stored.ID, batch.Planned, now
			it.PayAmount = it.Send()
			it.ProviderReference, it.ProviderFee, it.ProviderNet, it.Message, it.Attempts, it.NotifyDigest = "", 0, 0, "", 0, ""
			m.items = append(m.items, it)
			m.byBatch[stored.ID] = append(m.byBatch[stored.ID], it.ID)
			m.appendEvent(batch.ItemPlannedEvent(it), now)
			if t := d.given[i]; t != nil {
				t.ID, t.BatchID, t.State, t.UpdatedAt = it.ID, it.BatchID, batch.Planned, now
			}
		}
		b.ID, b.CreatedAt = stored.ID, now
		return nil
	})
}

// unused refuses a reference the store holds. Called with m.mu held.
func (m *Memory) unused(ref string) error {
	for _, r := range m.batches {
		if r.b.Reference == ref {
			return fmt.Errorf("%w: %q", batch.ErrBatchExists, ref)
		}
	}
	return nil
}

// memDraft holds what a new batch's fill adds until it is stored.
type memDraft struct {
	m     *Memory
	now   time.Time
	items []batch.Item
	given []*batch.Item // the caller's items, told their IDs once stored
}

// Add implements batch.BatchDraft. The IDs are given once the batch is
// stored, as the ledger gives them: in the order added.
func (d *memDraft) Add(ctx context.Context, items []batch.Item) error {
	for i := range items {
		d.items = append(d.items, cloneItem(items[i]))
		d.given = append(d.given, &items[i])
	}
	return nil
}

// Repeats implements batch.BatchDraft.
func (d *memDraft) Repeats(ctx context.Context, fingerprints []string) (map[string]batch.Repeat, error) {
	return d.m.Repeats(ctx, 0, fingerprints)
}

// checkNew refuses what the ledger's schema refuses: a parent or a retried
// item that does not exist, a reference used twice, a row twice, an amount
// that is not positive. Called with m.mu held.
func (m *Memory) checkNew(b batch.Batch, items []batch.Item) error {
	if b.ParentID != 0 {
		if _, err := m.batch(b.ParentID); err != nil {
			return fmt.Errorf("parent: %w", err)
		}
	}
	refs := map[string]bool{}
	for _, it := range m.items {
		refs[it.Reference] = true
	}
	rows := map[int]bool{}
	for _, it := range items {
		switch {
		case refs[it.Reference]:
			return fmt.Errorf("row %d: item reference %q is already used", it.Row, it.Reference)
		case rows[it.Row]:
			return fmt.Errorf("row %d is there twice", it.Row)
		case it.Amount <= 0:
			return fmt.Errorf("row %d: amount %d is not positive", it.Row, it.Amount)
		}
		if it.RetryOf != 0 {
			if _, err := m.item(it.RetryOf); err != nil {
				return fmt.Errorf("row %d retries: %w", it.Row, err)
			}
		}
		refs[it.Reference], rows[it.Row] = true, true
	}
	return nil
}

// Batch implements batch.BatchReader.
func (m *Memory) Batch(ctx context.Context, key string) (b batch.Batch, err error) {
	err = m.call("Batch", "", func() error {
		for _, r := range m.batches {
			if r.b.Reference == key {
				b = cloneBatch(r.b)
				return nil
			}
		}
		if id, err := strconv.ParseInt(key, 10, 64); err == nil {
			if r, err := m.batch(id); err == nil {
				b = cloneBatch(r.b)
				return nil
			}
		}
		return fmt.Errorf("%w: %q", batch.ErrBatchNotFound, key)
	})
	return b, err
}

// Batches implements batch.BatchReader.
func (m *Memory) Batches(ctx context.Context) (out []batch.Batch, err error) {
	err = m.call("Batches", "list batches", func() error {
		for i := len(m.batches) - 1; i >= 0; i-- {
			out = append(out, cloneBatch(m.batches[i].b))
		}
		return nil
	})
	return out, err
}

// Items implements batch.ItemReader.
func (m *Memory) Items(ctx context.Context, batchID int64, states ...batch.State) (out []batch.Item, err error) {
	err = m.call("Items", "read items", func() error {
		out = m.itemsOf(batchID, func(it batch.Item) bool { return len(states) == 0 || slices.Contains(states, it.State) })
		return nil
	})
	return out, err
}

// ItemsAfter implements batch.ItemReader.
func (m *Memory) ItemsAfter(ctx context.Context, batchID int64, after, limit int, states ...batch.State) (out []batch.Item, err error) {
	err = m.call("ItemsAfter", "read items", func() error {
		out = m.itemsOf(batchID, func(it batch.Item) bool {
			return it.Row > after && (len(states) == 0 || slices.Contains(states, it.State))
		})
		if len(out) > limit {
			out = out[:max(limit, 0)]
		}
		return nil
	})
	return out, err
}

// Totals implements batch.ItemReader.
func (m *Memory) Totals(ctx context.Context, batchID int64) (out map[batch.State]batch.Total, err error) {
	err = m.call("Totals", "count items", func() error {
		out = map[batch.State]batch.Total{}
		for _, id := range m.byBatch[batchID] {
			it := m.items[id-1]
			t := out[it.State]
			t.Items++
			t.Amount += it.Amount
			out[it.State] = t
		}
		return nil
	})
	return out, err
}

// OpenByProvider implements batch.RunReader.
func (m *Memory) OpenByProvider(ctx context.Context, batchID int64) (out map[string]int, err error) {
	err = m.call("OpenByProvider", "count open items by provider", func() error {
		out = map[string]int{}
		for _, id := range m.byBatch[batchID] {
			if it := m.items[id-1]; !it.State.Terminal() {
				out[it.Provider]++
			}
		}
		return nil
	})
	return out, err
}

// ProviderTotals implements batch.RunReader.
func (m *Memory) ProviderTotals(ctx context.Context, batchID int64) (out map[string]map[batch.State]batch.Total, err error) {
	err = m.call("ProviderTotals", "count items by provider", func() error {
		out = map[string]map[batch.State]batch.Total{}
		for _, id := range m.byBatch[batchID] {
			it := m.items[id-1]
			if out[it.Provider] == nil {
				out[it.Provider] = map[batch.State]batch.Total{}
			}
			t := out[it.Provider][it.State]
			t.Items++
			t.Amount += it.Amount
			out[it.Provider][it.State] = t
		}
		return nil
	})
	return out, err
}

// Item implements batch.RunReader.
func (m *Memory) Item(ctx context.Context, itemID int64) (out batch.Item, err error) {
	err = m.call("Item", "read item", func() error {
		it, err := m.item(itemID)
		if err != nil {
			return err
		}
		out = cloneItem(*it)
		return nil
	})
	return out, err
}

// FindItem implements batch.ItemFinder.
func (m *Memory) FindItem(ctx context.Context, ours, provider, theirs string) (out batch.Item, found bool, err error) {
	err = m.call("FindItem", "find item", func() error {
		for _, it := range m.items {
			if (ours != "" && it.Reference == ours) ||
				(ours == "" && theirs != "" && it.Provider == provider && it.ProviderReference == theirs) {
				out, found = cloneItem(it), true
				return nil
			}
		}
		return nil
	})
	return out, found, err
}

// LaneItemsAfter implements batch.RunReader.
func (m *Memory) LaneItemsAfter(ctx context.Context, batchID int64, provider string, state batch.State, afterRow, limit int) (out []batch.Item, err error) {
	err = m.call("ItemsAfter", "read items", func() error {
		out = m.itemsOf(batchID, func(it batch.Item) bool {
			return it.Provider == provider && it.State == state && it.Row > afterRow
		})
		if len(out) > max(limit, 0) {
			out = out[:max(limit, 0)]
		}
		return nil
	})
	return out, err
}

// itemsOf lists a batch's items that keep holds, in sheet order. Called with m.mu held.
func (m *Memory) itemsOf(batchID int64, keep func(batch.Item) bool) []batch.Item {
	var out []batch.Item
	for _, id := range m.byBatch[batchID] {
		if it := m.items[id-1]; keep(it) {
			out = append(out, cloneItem(it))
		}
	}
	slices.SortFunc(out, func(a, b batch.Item) int { return cmp.Compare(a.Row, b.Row) })
	return out
}

// openAttempt opens an attempt for it. Called with m.mu held.
func (m *Memory) openAttempt(it batch.Item, kind, request string, at time.Time) int64 {
	a := batch.Attempt{ID: int64(len(m.attempts)) + 1, ItemID: it.ID, Provider: it.Provider, Reference: it.Reference,
		Kind: kind, Request: request, StartedAt: at}
	m.attempts = append(m.attempts, a)
	m.tries[it.ID] = append(m.tries[it.ID], a.ID)
	return a.ID
}

// Claim implements batch.RunStore.
func (m *Memory) Claim(ctx context.Context, batchID int64, provider string, limit int, except ...int64) (claims []batch.Claim, err error) {
	return m.claim(ctx, false, batchID, provider, limit, except...)
}

// ClaimHeld implements batch.HoldingStore.
func (m *Memory) ClaimHeld(ctx context.Context, batchID int64, provider string, limit int, except ...int64) (claims []batch.Claim, err error) {
	return m.claim(ctx, true, batchID, provider, limit, except...)
}

// Release implements batch.HoldingStore.
func (m *Memory) Release(ctx context.Context, attemptID int64) error {
	return m.call("Release", fmt.Sprintf("release attempt %d", attemptID), func() error {
		if attemptID < 1 || int(attemptID) > len(m.attempts) {
			return fmt.Errorf("%w: no attempt %d", batch.ErrStale, attemptID)
		}
		a := &m.attempts[attemptID-1]
		if a.Outcome != batch.OutcomeHeld || !a.FinishedAt.IsZero() {
			return fmt.Errorf("%w: attempt %d is not held", batch.ErrStale, attemptID)
		}
		if m.items[a.ItemID-1].State != batch.Submitting {
			return fmt.Errorf("%w: attempt %d: its item is no longer being sent", batch.ErrStale, attemptID)
		}
		a.Outcome = ""
		return nil
	})
}

func (m *Memory) claim(ctx context.Context, held bool, batchID int64, provider string, limit int, except ...int64) (claims []batch.Claim, err error) {
	return m.claimUnder(ctx, held, nil, batchID, provider, limit, except...)
}

// claimUnder is claim, recording lease (nil: under the batch's lock) with
// each claim in the same step.
func (m *Memory) claimUnder(ctx context.Context, held bool, lease *batch.Lease, batchID int64, provider string, limit int, except ...int64) (claims []batch.Claim, err error) {
	err = m.call("Claim", "claim items", func() error {
		todo := m.itemsOf(batchID, func(it batch.Item) bool {
			return it.Provider == provider && it.State == batch.Planned && it.Mode != batch.ModeLink && !slices.Contains(except, it.ID)
		})
		todo = todo[:min(len(todo), max(limit, 0))]
		now := m.stamp()
		for _, it := range todo {
			id := m.openAttempt(it, batch.KindSend, batch.RequestSummary(it), now)
			if held {
				m.attempts[id-1].Outcome = batch.OutcomeHeld
			}
			stored := &m.items[it.ID-1]
			stored.State, stored.UpdatedAt = batch.Submitting, now
			stored.Attempts++
			if lease == nil {
				delete(m.leases, it.ID) // claimed under the batch's lock
			} else {
				if m.leases == nil {
					m.leases = map[int64]batch.Lease{}
				}
				m.leases[it.ID] = batch.Lease{Worker: lease.Worker, Until: utc(lease.Until)}
			}
			m.appendEvent(batch.ClaimedEvent(*stored, id), now)
			claims = append(claims, batch.Claim{Item: cloneItem(*stored), AttemptID: id})
		}
		return nil
	})
	return claims, err
}

// closeOpen closes the attempts of an item left open, in tx. Called with m.mu held.
func (m *Memory) closeOpen(tx *change, itemID int64, at time.Time) {
	for _, id := range m.tries[itemID] {
		a := tx.attempt(id)
		if a.FinishedAt.IsZero() {
			a.FinishedAt, a.Outcome, a.Response = at, batch.OutcomeUnknown, batch.Interrupted
			tx.attempts[id] = a
		}
	}
}

// StartHeld implements batch.HoldingStore.
func (m *Memory) StartHeld(ctx context.Context, itemID int64, kind string) (int64, error) {
	id, err := m.StartAttempt(ctx, itemID, kind, "")
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.attempts[id-1].Outcome = batch.OutcomeHeld
	return id, nil
}

// StartAttempt implements batch.RunStore.
func (m *Memory) StartAttempt(ctx context.Context, itemID int64, kind, request string) (id int64, err error) {
	err = m.call("StartAttempt", fmt.Sprintf("start attempt of item %d", itemID), func() error {
		it, err := m.item(itemID)
		if err != nil {
			return err
		}
		if it.State.Terminal() {
			return fmt.Errorf("item %d is already %s: %w", itemID, it.State, batch.ErrStale)
		}
		if request == "" {
			request = batch.RequestSummary(*it)
		}
		now := m.stamp()
		tx := m.begin()
		m.closeOpen(tx, itemID, now)
		tx.commit()
		it.Attempts++
		it.UpdatedAt = now
		id = m.openAttempt(*it, kind, request, now)
		return nil
	})
	return id, err
}

// change is an Apply under way: the items and attempts it changed and the
// events it appends, none of them in the store until commit.
type change struct {
	m        *Memory
	items    map[int64]batch.Item
	attempts map[int64]batch.Attempt
	events   []batch.Event
}

func (m *Memory) begin() *change {
	return &change{m: m, items: map[int64]batch.Item{}, attempts: map[int64]batch.Attempt{}}
}

func (tx *change) item(id int64) batch.Item {
	if it, ok := tx.items[id]; ok {
		return it
	}
	return tx.m.items[id-1]
}

func (tx *change) attempt(id int64) batch.Attempt {
	if a, ok := tx.attempts[id]; ok {
		return a
	}
	return tx.m.attempts[id-1]
}

func (tx *change) commit() {
	for id, it := range tx.items {
		tx.m.items[id-1] = it
	}
	for id, a := range tx.attempts {
		tx.m.attempts[id-1] = a
	}
	for _, e := range tx.events {
		tx.m.appendEvent(e, e.At)
	}
}

// Apply implements batch.RunStore: all the changes or none.
func (m *Memory) Apply(ctx context.Context, changes ...batch.Change) error {
	return m.call("Apply", "apply changes", func() error {
		now := m.stamp()
		tx := m.begin()
		for _, c := range changes {
			if err := m.applyOne(tx, c, now); err != nil {
				return err
			}
		}
		tx.commit()
		return nil
	})
}

func (m *Memory) applyOne(tx *change, c batch.Change, now time.Time) error {
	if _, err := m.item(c.ItemID); err != nil {
		return err
	}
	if a := c.Attempt; a != nil {
		if a.ID < 1 || a.ID > int64(len(m.attempts)) {
			return fmt.Errorf("close attempt %d of item %d: %w", a.ID, c.ItemID, batch.ErrStale)
		}
		at := tx.attempt(a.ID)
		if at.ItemID != c.ItemID || !at.FinishedAt.IsZero() || (a.WhileHeld && at.Outcome != batch.OutcomeHeld) {
			return fmt.Errorf("close attempt %d of item %d: %w", a.ID, c.ItemID, batch.ErrStale)
		}
		at.FinishedAt, at.Outcome, at.ProviderReference, at.Response = now, a.Outcome, a.ProviderReference, a.Response
		tx.attempts[a.ID] = at
	}
	if c.CloseOpen {
		m.closeOpen(tx, c.ItemID, now)
	}
	it := tx.item(c.ItemID)
	if c.To == "" && c.Evidence {
		e := c.Event(it.BatchID)
		e.From, e.To, e.At = "", "", now
		tx.events = append(tx.events, e)
		return nil
	}
	if c.To == "" {
		if c.Message != "" {
			it.Message = c.Message
			tx.items[it.ID] = it
		}
		return nil
	}
	if err := batch.CheckMove(c.From, c.To); err != nil {
		return fmt.Errorf("item %d: %w", c.ItemID, err)
	}
	if it.State != c.From {
		return fmt.Errorf("item %d is no longer %s: %w", c.ItemID, c.From, batch.ErrStale)
	}
	if l := c.Lease; l != nil {
		if cur := m.leases[c.ItemID]; cur.Worker != l.Worker || !cur.Until.Equal(l.Until) {
			return fmt.Errorf("item %d is no longer under the lease of %q: %w", c.ItemID, l.Worker, batch.ErrStale)
		}
	}
	it.State, it.UpdatedAt = c.To, now
	if c.Message != "" {
		it.Message = c.Message
	}
	if c.ProviderReference != "" {
		it.ProviderReference = c.ProviderReference
	}
	if c.ProviderFee != 0 {
		it.ProviderFee = c.ProviderFee
	}
	if c.ProviderNet != 0 {
		it.ProviderNet = c.ProviderNet
	}
	if c.NotifyDigest != "" {
		it.NotifyDigest = c.NotifyDigest
	}
	if c.Provider != "" {
		it.Provider = c.Provider
	}
	tx.items[it.ID] = it
	e := c.Event(it.BatchID)
	e.At = now
	tx.events = append(tx.events, e)
	return nil
}

// Attempts implements batch.Trail.
func (m *Memory) Attempts(ctx context.Context, itemID int64) (out []batch.Attempt, err error) {
	err = m.call("Attempts", fmt.Sprintf("read attempts of item %d", itemID), func() error {
		for _, id := range m.tries[itemID] {
			out = append(out, m.attempts[id-1])
		}
		return nil
	})
	return out, err
}

// Events implements batch.Trail.
func (m *Memory) Events(ctx context.Context, batchID, itemID int64) (out []batch.Event, err error) {
	err = m.call("Events", "read events", func() error {
		for _, e := range m.events {
			if e.BatchID == batchID && (itemID == 0 || e.ItemID == itemID) {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// Note implements batch.Notes.
func (m *Memory) Note(ctx context.Context, batchID int64, cause, detail string) error {
	return m.onBatch("Note", "note event", batchID, func(*record) error {
		m.appendEvent(batch.Event{BatchID: batchID, Cause: cause, Detail: detail}, m.stamp())
		return nil
	})
}

// NoteBy appends a batch-level event with the person who took the step.
func (m *Memory) NoteBy(ctx context.Context, batchID int64, cause, detail, actor string) error {
	return m.onBatch("NoteBy", "note event", batchID, func(*record) error {
		m.appendEvent(batch.Event{BatchID: batchID, Cause: cause, Detail: detail, Actor: actor}, m.stamp())
		return nil
	})
}

// Check implements batch.SessionStore: memory is never damaged.
func (m *Memory) Check(ctx context.Context) error {
	return m.call("Check", "check store", func() error { return nil })
}

// Lock implements batch.SessionStore.
func (m *Memory) Lock(ctx context.Context, batchID int64, o batch.Owner) error {
	return m.call("Lock", "", func() error {
		r, err := m.batch(batchID)
		if err != nil {
			return fmt.Errorf("lock batch: %w", err)
		}
		var held batch.Owner
		if h := r.lock; h != nil && !(h.PID == o.PID && h.Host == o.Host && h.Start == o.Start) {
			if h.Host != o.Host || m.alive(h.PID, h.Start) {
				return &batch.LockedError{Reference: r.b.Reference, PID: h.PID, Host: h.Host, Since: h.At}
			}
			held = *h
		}
		o.At = utc(o.At)
		r.lock = &o
		m.appendEvent(batch.RunStartedEvent(batchID, o, held), m.stamp())
		return nil
	})
}

// Unlock implements batch.SessionStore.
func (m *Memory) Unlock(ctx context.Context, batchID int64, o batch.Owner) error {
	return m.call("Unlock", "unlock batch", func() error {
		r, err := m.batch(batchID)
		if err != nil || r.lock == nil || r.lock.PID != o.PID || r.lock.Host != o.Host {
			return nil // only the holder's lock is released
		}
		r.lock = nil
		m.appendEvent(batch.RunEndedEvent(batchID, o), m.stamp())
		return nil
	})
}

// Contacts implements batch.ContactBook.
func (m *Memory) Contacts(ctx context.Context, provider string) (out map[string]bool, err error) {
	err = m.call("Contacts", "read "+provider+" contacts", func() error {
		out = maps.Clone(m.contacts[provider])
		if out == nil {
			out = map[string]bool{}
		}
		return nil
	})
	return out, err
}

// RememberContacts implements batch.ContactBook.
func (m *Memory) RememberContacts(ctx context.Context, provider string, phones []string) error {
	return m.call("RememberContacts", "remember "+provider+" contacts", func() error {
		if m.contacts[provider] == nil {
			m.contacts[provider] = map[string]bool{}
		}
		for _, p := range phones {
			m.contacts[provider][p] = true
		}
		return nil
	})
}

// Repeats implements batch.PlanStore.
func (m *Memory) Repeats(ctx context.Context, batchID int64, fingerprints []string) (out map[string]batch.Repeat, err error) {
	err = m.call("Repeats", "find repeated payments", func() error {
		want := make(map[string]bool, len(fingerprints))
		for _, f := range fingerprints {
			want[f] = true
		}
		out = map[string]batch.Repeat{}
		for _, it := range m.items {
			if _, seen := out[it.Fingerprint]; seen || it.BatchID == batchID || !want[it.Fingerprint] {
				continue
			}
			other := m.batches[it.BatchID-1].b
			out[it.Fingerprint] = batch.Repeat{OtherBatch: other.Reference, OtherRow: it.Row, OtherState: it.State, OtherCreated: other.CreatedAt}
		}
		return nil
	})
	return out, err
}

// Approve implements batch.ApprovalStore.
func (m *Memory) Approve(ctx context.Context, batchID int64, a batch.Approval, note string) error {
	return m.onBatch("Approve", "record approval", batchID, func(r *record) error {
		a.At = utc(a.At)
		r.b.Approval = a
		m.appendEvent(batch.ApprovedEvent(batchID, a, note), m.stamp())
		return nil
	})
}

// RecordPlan implements batch.PlanStore.
func (m *Memory) RecordPlan(ctx context.Context, batchID int64, by, planHash, detail string, pol batch.Policy) error {
	return m.onBatch("RecordPlan", "record plan", batchID, func(r *record) error {
		r.b.Policy = r.b.Policy.Or(pol)
		m.appendEvent(batch.PlannedAgainEvent(batchID, by, planHash, detail, r.b.Policy), m.stamp())
		return nil
	})
}

// RecordPolicy implements batch.PlanStore and batch.ApprovalStore.
func (m *Memory) RecordPolicy(ctx context.Context, batchID int64, pol batch.Policy, actor string) error {
	return m.onBatch("RecordPolicy", "record approval rules", batchID, func(r *record) error {
		if merged := r.b.Policy.Or(pol); merged != r.b.Policy {
			r.b.Policy = merged
			m.appendEvent(batch.PolicyEvent(batchID, merged, actor), m.stamp())
		}
		return nil
	})
}

// Planners implements batch.ApprovalStore.
func (m *Memory) Planners(ctx context.Context, batchID int64) (out []string, err error) {
	err = m.call("Planners", "read planners", func() error {
		for _, e := range m.events {
			if e.BatchID == batchID && batch.IsPlanEvent(e) {
				out = append(out, e.Actor)
			}
		}
		return nil
	})
	return out, err
}

// SetEndpoint implements batch.SessionStore.
func (m *Memory) SetEndpoint(ctx context.Context, batchID int64, e batch.Endpoint, cause, detail, actor string) error {
	return m.onBatch("SetEndpoint", "set endpoint", batchID, func(r *record) error {
		r.b.Endpoint = e
		r.b = cloneBatch(r.b)
		m.appendEvent(batch.Event{BatchID: batchID, Cause: cause, Detail: detail, Actor: actor}, m.stamp())
		return nil
	})
}

// ProviderReferences implements batch.ReconcileStore.
func (m *Memory) ProviderReferences(ctx context.Context) (out map[string]map[string]bool, err error) {
	err = m.call("ProviderReferences", "read provider references", func() error {
		out = map[string]map[string]bool{}
		add := func(provider, ref string) {
			if ref == "" {
				return
			}
			if out[provider] == nil {
				out[provider] = map[string]bool{}
			}
			out[provider][ref] = true
		}
		for _, a := range m.attempts {
			add(a.Provider, a.ProviderReference)
		}
		for _, it := range m.items {
			add(it.Provider, it.ProviderReference)
		}
		return nil
	})
	return out, err
}

// SaveReconciliation implements batch.Reconciliations.
func (m *Memory) SaveReconciliation(ctx context.Context, batchID int64, r batch.Reconciliation) error {
	return m.onBatch("SaveReconciliation", "save reconciliation", batchID, func(rec *record) error {
		r = cloneReconciliation(r)
		r.At = utc(r.At)
		rec.rec = r
		m.appendEvent(batch.ReconciliationEvent(batchID, r), m.stamp())
		return nil
	})
}

// Reconciliation implements batch.Reconciliations.
func (m *Memory) Reconciliation(ctx context.Context, batchID int64) (r batch.Reconciliation, err error) {
	err = m.onBatch("Reconciliation", "read reconciliation", batchID, func(rec *record) error {
		r = cloneReconciliation(rec.rec)
		return nil
	})
	return r, err
}
