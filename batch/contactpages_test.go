package batch_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"bulkpay/providers"
	"bulkpay/providers/providerstest"
)

// contactBook is a provider that must know a payee before paying it: it takes
// contacts in chunks, refuses some phones, and pays at once.
type contactBook struct {
	refuse map[string]bool
	mu     sync.Mutex
	chunks [][]string
	paid   map[string]bool
}

func (p *contactBook) Name() string          { return "cinetpay" }
func (p *contactBook) ContactChunkSize() int { return 20 }

func (p *contactBook) AddContacts(_ context.Context, cs []providers.Contact) ([]error, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var phones []string
	errs := make([]error, len(cs))
	for i, c := range cs {
		phones = append(phones, c.Phone)
		if p.refuse[c.Phone] {
			errs[i] = errors.New("invalid phone")
		}
	}
	p.chunks = append(p.chunks, phones)
	return errs, nil
}

func (p *contactBook) Send(_ context.Context, po providers.Payout) (providers.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paid[po.Phone] = true
	return providers.Result{ProviderReference: "cp-" + po.Reference, Status: providers.StatusSucceeded}, nil
}

func (p *contactBook) Check(_ context.Context, ref string) (providers.Result, error) {
	return providers.Result{ProviderReference: ref, Status: providers.StatusSucceeded}, nil
}

// Payees beyond one page of the run's reading, some of them on several rows
// far apart, are each added once, in chunks of the provider's size; every row
// of a refused payee is rejected, whichever page it is on; the others are paid.
func TestContactsAddedAPageAtATime(t *testing.T) {
	t.Parallel()
	const n, payees = 1300, 700 // rows 702 and on pay the first payees again
	refused := map[string]bool{}
	var rows []batch.Row
	for i := range n {
		phone := fmt.Sprintf("2250700%06d", i%payees)
		if i%payees == 3 || i%payees == 550 {
			refused[phone] = true
		}
		rows = append(rows, batch.Row{Row: i + 2, Name: fmt.Sprintf("Payee %d", i), Phone: phone,
			Country: "CI", Operator: "Orange", Mode: batch.ModeMobileMoney, Amount: 1000, Provider: "cinetpay"})
	}
	clock := providerstest.NewClock(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	st := batchtest.NewMemory(batchtest.WithClock(clock.Now))
	router := batch.Routes{Rules: batch.DefaultRules, Configured: map[string]bool{"cinetpay": true}}
	b, items, errs := batch.Plan("contacts", "c.csv", "XOF", rows, router)
	require.Empty(t, errs)
	b, _, err := batch.Prepare(context.Background(), st, b, items, rows)
	require.NoError(t, err)

	p := &contactBook{refuse: refused, paid: map[string]bool{}}
	r := &batch.Runner{Store: st, Lanes: map[string]batch.Lane{"cinetpay": {Provider: p, Concurrency: 2}}, Clock: clock,
		PollInterval: 100 * time.Millisecond, PendingWait: time.Minute}
	_, err = r.Run(context.Background(), b)
	require.NoError(t, err)

	added := map[string]int{}
	for i, c := range p.chunks {
		if i < len(p.chunks)-1 {
			assert.Len(t, c, 20, "chunk %d is full", i)
		}
		for _, phone := range c {
			added[phone]++
		}
	}
	assert.Len(t, added, payees, "every payee asked for")
	for phone, k := range added {
		assert.Equal(t, 1, k, "%s added once", phone)
	}
	stored, err := st.Items(context.Background(), b.ID)
	require.NoError(t, err)
	rejected := 0
	for _, it := range stored {
		if refused[it.Phone] {
			rejected++
			assert.Equal(t, batch.Rejected, it.State, "row %d: its payee was refused", it.Row)
			assert.False(t, p.paid[it.Phone])
			continue
		}
		assert.Equal(t, batch.Succeeded, it.State, "row %d", it.Row)
	}
	assert.Equal(t, 4, rejected, "both rows of each refused payee, on either page")
	known, err := st.Contacts(context.Background(), "cinetpay")
	require.NoError(t, err)
	assert.Len(t, known, payees-len(refused), "the payees added are remembered")
}
