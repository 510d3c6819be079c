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

// failing returns the error set for op, if any. Called with m.mu held.
func (m *Memory) failing(op, what string) error {
	if err := m.fail[op]; err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
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
	m.mu.Lock()
	defer m.mu.Unlock()
	what := fmt.Sprintf("create batch %q", b.Reference)
	if err := m.failing("CreateBatch", what); err != nil {
		return err
	}
	for _, r := range m.batches {
		if r.b.Reference == b.Reference {
			return fmt.Errorf("%w: %q", batch.ErrBatchExists, b.Reference)
		}
	}
	if b.ParentID != 0 {
		if _, err := m.batch(b.ParentID); err != nil {
			return fmt.Errorf("%s: parent: %w", what, err)
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
			return fmt.Errorf("%s: row %d: item reference %q is already used", what, it.Row, it.Reference)
		case rows[it.Row]:
			return fmt.Errorf("%s: row %d is there twice", what, it.Row)
		case it.Amount <= 0:
			return fmt.Errorf("%s: row %d: amount %d is not positive", what, it.Row, it.Amount)
		}
		if it.RetryOf != 0 {
			if _, err := m.item(it.RetryOf); err != nil {
				return fmt.Errorf("%s: row %d retries: %w", what, it.Row, err)
			}
		}
		refs[it.Reference], rows[it.Row] = true, true
	}
	now := m.stamp()
	stored := cloneBatch(*b)
	stored.ID, stored.ItemCount, stored.CreatedAt, stored.Approval = int64(len(m.batches))+1, len(items), now, batch.Approval{}
	m.batches = append(m.batches, &record{b: stored})
	m.appendEvent(batch.BatchPlannedEvent(stored, len(items)), now)
	for i := range items {
		it := cloneItem(items[i])
		it.ID, it.BatchID, it.State, it.UpdatedAt = int64(len(m.items))+1, stored.ID, batch.Planned, now
		it.PayAmount = it.Send()
		it.ProviderReference, it.ProviderFee, it.ProviderNet, it.Message, it.Attempts = "", 0, 0, "", 0
		m.items = append(m.items, it)
		m.byBatch[stored.ID] = append(m.byBatch[stored.ID], it.ID)
		m.appendEvent(batch.ItemPlannedEvent(it), now)
		items[i].ID, items[i].BatchID, items[i].State, items[i].UpdatedAt = it.ID, it.BatchID, batch.Planned, now
	}
	b.ID, b.ItemCount, b.CreatedAt = stored.ID, stored.ItemCount, now
	return nil
}

// Batch implements batch.BatchReader.
func (m *Memory) Batch(ctx context.Context, key string) (batch.Batch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Batch", fmt.Sprintf("read batch %q", key)); err != nil {
		return batch.Batch{}, err
	}
	for _, r := range m.batches {
		if r.b.Reference == key {
			return cloneBatch(r.b), nil
		}
	}
	if id, err := strconv.ParseInt(key, 10, 64); err == nil {
		if r, err := m.batch(id); err == nil {
			return cloneBatch(r.b), nil
		}
	}
	return batch.Batch{}, fmt.Errorf("%w: %q", batch.ErrBatchNotFound, key)
}

// Batches implements batch.BatchReader.
func (m *Memory) Batches(ctx context.Context) ([]batch.Batch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Batches", "list batches"); err != nil {
		return nil, err
	}
	var out []batch.Batch
	for i := len(m.batches) - 1; i >= 0; i-- {
		out = append(out, cloneBatch(m.batches[i].b))
	}
	return out, nil
}

// Items implements batch.ItemReader.
func (m *Memory) Items(ctx context.Context, batchID int64, states ...batch.State) ([]batch.Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Items", "read items"); err != nil {
		return nil, err
	}
	return m.itemsOf(batchID, func(it batch.Item) bool { return len(states) == 0 || slices.Contains(states, it.State) }), nil
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
func (m *Memory) Claim(ctx context.Context, batchID int64, provider string, limit int, except ...int64) ([]batch.Claim, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Claim", "claim items"); err != nil {
		return nil, err
	}
	todo := m.itemsOf(batchID, func(it batch.Item) bool {
		return it.Provider == provider && it.State == batch.Planned && !slices.Contains(except, it.ID)
	})
	if len(todo) > limit {
		todo = todo[:max(limit, 0)]
	}
	now := m.stamp()
	var claims []batch.Claim
	for _, it := range todo {
		id := m.openAttempt(it, batch.KindSend, batch.RequestSummary(it), now)
		stored := &m.items[it.ID-1]
		stored.State, stored.UpdatedAt = batch.Submitting, now
		stored.Attempts++
		m.appendEvent(batch.ClaimedEvent(*stored, id), now)
		claims = append(claims, batch.Claim{Item: cloneItem(*stored), AttemptID: id})
	}
	return claims, nil
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

// StartAttempt implements batch.RunStore.
func (m *Memory) StartAttempt(ctx context.Context, itemID int64, kind, request string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	what := fmt.Sprintf("start attempt of item %d", itemID)
	if err := m.failing("StartAttempt", what); err != nil {
		return 0, err
	}
	it, err := m.item(itemID)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
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
	return m.openAttempt(*it, kind, request, now), nil
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
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Apply", "apply changes"); err != nil {
		return err
	}
	now := m.stamp()
	tx := m.begin()
	for _, c := range changes {
		if err := m.applyOne(tx, c, now); err != nil {
			return fmt.Errorf("apply changes: %w", err)
		}
	}
	tx.commit()
	return nil
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
		if at.ItemID != c.ItemID || !at.FinishedAt.IsZero() {
			return fmt.Errorf("close attempt %d of item %d: %w", a.ID, c.ItemID, batch.ErrStale)
		}
		at.FinishedAt, at.Outcome, at.ProviderReference, at.Response = now, a.Outcome, a.ProviderReference, a.Response
		tx.attempts[a.ID] = at
	}
	if c.CloseOpen {
		m.closeOpen(tx, c.ItemID, now)
	}
	it := tx.item(c.ItemID)
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
func (m *Memory) Attempts(ctx context.Context, itemID int64) ([]batch.Attempt, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Attempts", fmt.Sprintf("read attempts of item %d", itemID)); err != nil {
		return nil, err
	}
	var out []batch.Attempt
	for _, id := range m.tries[itemID] {
		out = append(out, m.attempts[id-1])
	}
	return out, nil
}

// Events implements batch.Trail.
func (m *Memory) Events(ctx context.Context, batchID, itemID int64) ([]batch.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Events", "read events"); err != nil {
		return nil, err
	}
	var out []batch.Event
	for _, e := range m.events {
		if e.BatchID == batchID && (itemID == 0 || e.ItemID == itemID) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Note implements batch.Notes.
func (m *Memory) Note(ctx context.Context, batchID int64, cause, detail string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Note", "note event"); err != nil {
		return err
	}
	if _, err := m.batch(batchID); err != nil {
		return fmt.Errorf("note event: %w", err)
	}
	m.appendEvent(batch.Event{BatchID: batchID, Cause: cause, Detail: detail}, m.stamp())
	return nil
}

// Check implements batch.SessionStore: memory is never damaged.
func (m *Memory) Check(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.failing("Check", "check store")
}

// Lock implements batch.SessionStore.
func (m *Memory) Lock(ctx context.Context, batchID int64, o batch.Owner) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Lock", "lock batch"); err != nil {
		return err
	}
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
}

// Unlock implements batch.SessionStore.
func (m *Memory) Unlock(ctx context.Context, batchID int64, o batch.Owner) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Unlock", "unlock batch"); err != nil {
		return err
	}
	r, err := m.batch(batchID)
	if err != nil || r.lock == nil || r.lock.PID != o.PID || r.lock.Host != o.Host {
		return nil // only the holder's lock is released
	}
	r.lock = nil
	m.appendEvent(batch.RunEndedEvent(batchID, o), m.stamp())
	return nil
}

// Contacts implements batch.ContactBook.
func (m *Memory) Contacts(ctx context.Context, provider string) (map[string]bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Contacts", fmt.Sprintf("read %s contacts", provider)); err != nil {
		return nil, err
	}
	out := maps.Clone(m.contacts[provider])
	if out == nil {
		out = map[string]bool{}
	}
	return out, nil
}

// RememberContacts implements batch.ContactBook.
func (m *Memory) RememberContacts(ctx context.Context, provider string, phones []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("RememberContacts", fmt.Sprintf("remember %s contacts", provider)); err != nil {
		return err
	}
	if m.contacts[provider] == nil {
		m.contacts[provider] = map[string]bool{}
	}
	for _, p := range phones {
		m.contacts[provider][p] = true
	}
	return nil
}

// Repeats implements batch.PlanStore.
func (m *Memory) Repeats(ctx context.Context, batchID int64, fingerprints []string) (map[string]batch.Repeat, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Repeats", "find repeated payments"); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, f := range fingerprints {
		want[f] = true
	}
	out := map[string]batch.Repeat{}
	for _, it := range m.items {
		if _, seen := out[it.Fingerprint]; seen || it.BatchID == batchID || !want[it.Fingerprint] {
			continue
		}
		other := m.batches[it.BatchID-1].b
		out[it.Fingerprint] = batch.Repeat{OtherBatch: other.Reference, OtherRow: it.Row, OtherState: it.State, OtherCreated: other.CreatedAt}
	}
	return out, nil
}

// Approve implements batch.ApprovalStore.
func (m *Memory) Approve(ctx context.Context, batchID int64, a batch.Approval, note string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Approve", "record approval"); err != nil {
		return err
	}
	r, err := m.batch(batchID)
	if err != nil {
		return fmt.Errorf("record approval: %w", err)
	}
	a.At = utc(a.At)
	r.b.Approval = a
	m.appendEvent(batch.ApprovedEvent(batchID, a, note), m.stamp())
	return nil
}

// RecordPlan implements batch.PlanStore.
func (m *Memory) RecordPlan(ctx context.Context, batchID int64, by, planHash, detail string, pol batch.Policy) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("RecordPlan", "record plan"); err != nil {
		return err
	}
	r, err := m.batch(batchID)
	if err != nil {
		return fmt.Errorf("record plan: %w", err)
	}
	r.b.Policy = r.b.Policy.Or(pol)
	m.appendEvent(batch.PlannedAgainEvent(batchID, by, planHash, detail, r.b.Policy), m.stamp())
	return nil
}

// RecordPolicy implements batch.PlanStore and batch.ApprovalStore.
func (m *Memory) RecordPolicy(ctx context.Context, batchID int64, pol batch.Policy, actor string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("RecordPolicy", "record approval rules"); err != nil {
		return err
	}
	r, err := m.batch(batchID)
	if err != nil {
		return fmt.Errorf("record approval rules: %w", err)
	}
	if merged := r.b.Policy.Or(pol); merged != r.b.Policy {
		r.b.Policy = merged
		m.appendEvent(batch.PolicyEvent(batchID, merged, actor), m.stamp())
	}
	return nil
}

// Planners implements batch.ApprovalStore.
func (m *Memory) Planners(ctx context.Context, batchID int64) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Planners", "read planners"); err != nil {
		return nil, err
	}
	var out []string
	for _, e := range m.events {
		if e.BatchID == batchID && batch.IsPlanEvent(e) {
			out = append(out, e.Actor)
		}
	}
	return out, nil
}

// SetEndpoint implements batch.SessionStore.
func (m *Memory) SetEndpoint(ctx context.Context, batchID int64, e batch.Endpoint, cause, detail, actor string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("SetEndpoint", "set endpoint"); err != nil {
		return err
	}
	r, err := m.batch(batchID)
	if err != nil {
		return fmt.Errorf("set endpoint: %w", err)
	}
	r.b.Endpoint = e
	r.b = cloneBatch(r.b)
	m.appendEvent(batch.Event{BatchID: batchID, Cause: cause, Detail: detail, Actor: actor}, m.stamp())
	return nil
}

// ProviderReferences implements batch.ReconcileStore.
func (m *Memory) ProviderReferences(ctx context.Context) (map[string]map[string]bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("ProviderReferences", "read provider references"); err != nil {
		return nil, err
	}
	out := map[string]map[string]bool{}
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
	return out, nil
}

// SaveReconciliation implements batch.Reconciliations.
func (m *Memory) SaveReconciliation(ctx context.Context, batchID int64, r batch.Reconciliation) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("SaveReconciliation", "save reconciliation"); err != nil {
		return err
	}
	rec, err := m.batch(batchID)
	if err != nil {
		return fmt.Errorf("save reconciliation: %w", err)
	}
	r = cloneReconciliation(r)
	r.At = utc(r.At)
	rec.rec = r
	m.appendEvent(batch.ReconciliationEvent(batchID, r), m.stamp())
	return nil
}

// Reconciliation implements batch.Reconciliations.
func (m *Memory) Reconciliation(ctx context.Context, batchID int64) (batch.Reconciliation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failing("Reconciliation", "read reconciliation"); err != nil {
		return batch.Reconciliation{}, err
	}
	rec, err := m.batch(batchID)
	if err != nil {
		return batch.Reconciliation{}, fmt.Errorf("read reconciliation: %w", err)
	}
	return cloneReconciliation(rec.rec), nil
}
