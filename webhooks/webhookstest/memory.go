package webhookstest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"bulkpay/webhooks"
)

// Memory is a webhooks.Journal in memory. Safe for concurrent use.
type Memory struct {
	mu     sync.Mutex
	events []webhooks.Event // in outbox order
	done   map[string]bool
	log    []webhooks.Attempt
}

var _ webhooks.Journal = (*Memory)(nil)

// NewMemory is an empty outbox.
func NewMemory() *Memory { return &Memory{done: map[string]bool{}} }

// Add puts e in the outbox, as the ledger's triggers do; its Seq is given
// here and WindowFrom defaults to CreatedAt.
func (m *Memory) Add(e webhooks.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e.Seq = int64(len(m.events) + 1)
	if e.WindowFrom.IsZero() {
		e.WindowFrom = e.CreatedAt
	}
	e.Deliveries = nil
	m.events = append(m.events, e)
}

// Attempts is the delivery log, oldest first.
func (m *Memory) Attempts() []webhooks.Attempt {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.log)
}

// Open implements webhooks.Store.
func (m *Memory) Open(_ context.Context, after int64, limit int) ([]webhooks.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []webhooks.Event
	for _, e := range m.events {
		if e.Seq > after && !m.done[e.ID] && len(out) < limit {
			e.Deliveries = slices.Clone(e.Deliveries)
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *Memory) find(id string) (*webhooks.Event, error) {
	for i := range m.events {
		if m.events[i].ID == id {
			return &m.events[i], nil
		}
	}
	return nil, fmt.Errorf("%w: %s", webhooks.ErrEventNotFound, id)
}

// Record implements webhooks.Store.
func (m *Memory) Record(_ context.Context, d webhooks.Delivery, a *webhooks.Attempt) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.find(d.EventID)
	if err != nil {
		return err
	}
	d.Log = nil
	i := slices.IndexFunc(e.Deliveries, func(x webhooks.Delivery) bool { return x.Endpoint == d.Endpoint })
	if i < 0 {
		e.Deliveries = append(e.Deliveries, d)
	} else {
		e.Deliveries[i] = d
	}
	if a != nil {
		m.log = append(m.log, *a)
	}
	return nil
}

// Done implements webhooks.Store.
func (m *Memory) Done(_ context.Context, eventID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.find(eventID); err != nil {
		return err
	}
	m.done[eventID] = true
	return nil
}

// List implements webhooks.Journal.
func (m *Memory) List(_ context.Context, limit int) ([]webhooks.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []webhooks.Event
	for i := len(m.events) - 1; i >= 0 && len(out) < limit; i-- {
		e := m.events[i]
		e.Deliveries = slices.Clone(e.Deliveries)
		for j := range e.Deliveries {
			for _, a := range m.log {
				if a.EventID == e.ID && a.Endpoint == e.Deliveries[j].Endpoint {
					e.Deliveries[j].Log = append(e.Deliveries[j].Log, a)
				}
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// Resend implements webhooks.Journal.
func (m *Memory) Resend(_ context.Context, eventID string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.find(eventID)
	if err != nil {
		return err
	}
	e.WindowFrom = at
	for i := range e.Deliveries {
		d := &e.Deliveries[i]
		d.State, d.Attempts, d.NextAt = webhooks.Pending, 0, time.Time{}
	}
	m.done[eventID] = false
	return nil
}
