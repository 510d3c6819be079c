package batch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"bulkpay/providers"
)

// memStore is a small in-memory ledger for the use-case tests: what the use
// cases read and write, kept in maps, with every note and change recorded so
// that a test can check them. Methods of Store it does not implement panic
// (the nil embedded interface): a use case calling them is a test failure.
type memStore struct {
	Store // not implemented: Claim, StartAttempt, Events, Contacts, RememberContacts

	mu       sync.Mutex
	batches  []Batch
	items    map[int64][]Item // by batch
	nextID   int64
	notes    []string // "batch id: cause: detail"
	applied  []Change
	planners map[int64][]string
	plans    []string // RecordPlan calls: "by detail"
	policies map[int64]Policy
	approved map[int64]Approval
	attempts map[int64][]Attempt
	recs     map[int64]Reconciliation
	refs     map[string]map[string]bool
	endpoint []string // SetEndpoint calls: "cause: detail"

	checkErr  error // Check's answer
	lockedFor int   // Lock answers a *LockedError this many times first
	locks     int
	unlocks   int
	failOn    string // a method that fails with errStore
}

var errStore = errors.New("the ledger failed")

func newMemStore() *memStore {
	return &memStore{items: map[int64][]Item{}, planners: map[int64][]string{}, policies: map[int64]Policy{},
		approved: map[int64]Approval{}, attempts: map[int64][]Attempt{}, recs: map[int64]Reconciliation{}}
}

func (m *memStore) fail(op string) error {
	if m.failOn == op {
		return fmt.Errorf("%s: %w", op, errStore)
	}
	return nil
}

// add stores a batch with its items (IDs given in order) and returns it.
func (m *memStore) add(b Batch, items ...Item) (Batch, []Item) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextID++
	b.ID = m.nextID
	b.ItemCount = len(items)
	for i := range items {
		m.nextID++
		items[i].ID, items[i].BatchID = m.nextID, b.ID
		if items[i].State == "" {
			items[i].State = Planned
		}
	}
	m.batches = append(m.batches, b)
	m.items[b.ID] = slices.Clone(items)
	return b, items
}

func (m *memStore) batchByID(id int64) *Batch {
	for i := range m.batches {
		if m.batches[i].ID == id {
			return &m.batches[i]
		}
	}
	return nil
}

func (m *memStore) CreateBatch(_ context.Context, b *Batch, items []Item) error {
	if err := m.fail("CreateBatch"); err != nil {
		return err
	}
	for _, o := range m.batches {
		if o.Reference == b.Reference {
			return ErrBatchExists
		}
	}
	nb, nitems := m.add(*b, items...)
	*b = nb
	copy(items, nitems)
	return nil
}

func (m *memStore) Batch(_ context.Context, key string) (Batch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range m.batches {
		if b.Reference == key || strconv.FormatInt(b.ID, 10) == key {
			b.Policy = b.Policy.Or(m.policies[b.ID])
			if ap, ok := m.approved[b.ID]; ok {
				b.Approval = ap
			}
			return b, nil
		}
	}
	return Batch{}, ErrBatchNotFound
}

func (m *memStore) Batches(context.Context) ([]Batch, error) {
	if err := m.fail("Batches"); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.batches)
	slices.Reverse(out) // newest first
	return out, nil
}

func (m *memStore) Items(_ context.Context, batchID int64, states ...State) ([]Item, error) {
	if err := m.fail("Items"); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Item
	for _, it := range m.items[batchID] {
		if len(states) == 0 || slices.Contains(states, it.State) {
			out = append(out, it)
		}
	}
	return out, nil
}

func (m *memStore) ItemsAfter(ctx context.Context, batchID int64, after, limit int, states ...State) ([]Item, error) {
	all, err := m.Items(ctx, batchID, states...)
	var out []Item
	for _, it := range all {
		if it.Row > after && len(out) < limit {
			out = append(out, it)
		}
	}
	return out, err
}

func (m *memStore) Totals(_ context.Context, batchID int64) (map[State]Total, error) {
	if err := m.fail("Totals"); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[State]Total{}
	for _, it := range m.items[batchID] {
		t := out[it.State]
		t.Items++
		t.Amount += it.Amount
		out[it.State] = t
	}
	return out, nil
}

func (m *memStore) Apply(_ context.Context, changes ...Change) error {
	if err := m.fail("Apply"); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range changes {
		m.applied = append(m.applied, c)
		for bid, items := range m.items {
			for i, it := range items {
				if it.ID != c.ItemID {
					continue
				}
				if c.To != "" {
					if it.State != c.From {
						return ErrStale
					}
					if err := CheckMove(c.From, c.To); err != nil {
						return err
					}
					it.State = c.To
				}
				if c.Message != "" {
					it.Message = c.Message
				}
				m.items[bid][i] = it
			}
		}
	}
	return nil
}

func (m *memStore) Attempts(_ context.Context, itemID int64) ([]Attempt, error) {
	return m.attempts[itemID], m.fail("Attempts")
}

func (m *memStore) Note(_ context.Context, batchID int64, cause, detail string) error {
	if err := m.fail("Note"); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notes = append(m.notes, fmt.Sprintf("%d: %s: %s", batchID, cause, detail))
	return nil
}

func (m *memStore) Repeats(_ context.Context, batchID int64, fps []string) (map[string]Repeat, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]Repeat{}
	for _, b := range m.batches {
		if b.ID == batchID {
			continue
		}
		for _, it := range m.items[b.ID] {
			if slices.Contains(fps, it.Fingerprint) {
				out[it.Fingerprint] = Repeat{OtherBatch: b.Reference, OtherRow: it.Row, OtherState: it.State, OtherCreated: b.CreatedAt}
			}
		}
	}
	return out, nil
}

func (m *memStore) Approve(_ context.Context, batchID int64, a Approval, note string) error {
	m.approved[batchID] = a
	m.notes = append(m.notes, fmt.Sprintf("%d: approved by %s: %s", batchID, a.By, note))
	return nil
}

func (m *memStore) RecordPlan(_ context.Context, batchID int64, by, _, detail string, pol Policy) error {
	m.planners[batchID] = append(m.planners[batchID], by)
	m.plans = append(m.plans, by+" "+detail)
	m.policies[batchID] = m.policies[batchID].Or(pol)
	return nil
}

func (m *memStore) RecordPolicy(_ context.Context, batchID int64, pol Policy, _ string) error {
	m.policies[batchID] = m.policies[batchID].Or(pol)
	return nil
}

func (m *memStore) Planners(_ context.Context, batchID int64) ([]string, error) {
	return m.planners[batchID], m.fail("Planners")
}

func (m *memStore) Check(context.Context) error { return m.checkErr }

func (m *memStore) SetEndpoint(_ context.Context, batchID int64, e Endpoint, cause, detail, _ string) error {
	m.batchByID(batchID).Endpoint = e
	m.endpoint = append(m.endpoint, cause+": "+detail)
	return nil
}

func (m *memStore) Lock(_ context.Context, batchID int64, _ Owner) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.locks++
	if m.locks <= m.lockedFor {
		return &LockedError{Reference: m.batchByID(batchID).Reference, PID: 4242, Host: "other", Since: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)}
	}
	return nil
}

func (m *memStore) Unlock(context.Context, int64, Owner) error {
	m.unlocks++
	return nil
}

func (m *memStore) ProviderReferences(context.Context) (map[string]map[string]bool, error) {
	return m.refs, nil
}

func (m *memStore) SaveReconciliation(_ context.Context, batchID int64, r Reconciliation) error {
	m.recs[batchID] = r
	return m.fail("SaveReconciliation")
}

func (m *memStore) Reconciliation(_ context.Context, batchID int64) (Reconciliation, error) {
	return m.recs[batchID], m.fail("Reconciliation")
}

// state is an item's state in the store now.
func (m *memStore) state(id int64) State {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, items := range m.items {
		for _, it := range items {
			if it.ID == id {
				return it.State
			}
		}
	}
	return ""
}

// fakeProvider pays nothing: it answers balances and status lookups from its fields.
type fakeProvider struct {
	name     string
	balances []providers.Balance
	errs     []error // Balances answers these errors first, one per call
	calls    int
	status   providers.Result
}

func (p *fakeProvider) Name() string { return p.name }

func (p *fakeProvider) Send(context.Context, providers.Payout) (providers.Result, error) {
	panic("a use-case test sent a payout")
}

func (p *fakeProvider) Check(context.Context, string) (providers.Result, error) { return p.status, nil }

func (p *fakeProvider) Balances(context.Context) ([]providers.Balance, error) {
	p.calls++
	if len(p.errs) > 0 {
		err := p.errs[0]
		p.errs = p.errs[1:]
		return nil, err
	}
	return p.balances, nil
}

// notABalancer is a provider that cannot tell its balance.
type notABalancer struct{ name string }

func (p notABalancer) Name() string { return p.name }
func (p notABalancer) Send(context.Context, providers.Payout) (providers.Result, error) {
	panic("a use-case test sent a payout")
}
func (p notABalancer) Check(context.Context, string) (providers.Result, error) {
	return providers.Result{}, nil
}
