package batch_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers"
)

// gatedProvider answers status lookups, holding each one until `bound` are in
// flight together (or every lookup has started), and counts the most in flight.
// A reconciliation that asked one at a time would never reach the bound; one
// that ignored the lane's bound would go past it.
type gatedProvider struct {
	bound, total int

	mu       sync.Mutex
	cond     *sync.Cond
	inFlight int
	most     int
	started  int
	asked    map[string]int
}

func newGated(bound, total int) *gatedProvider {
	p := &gatedProvider{bound: bound, total: total, asked: map[string]int{}}
	p.cond = sync.NewCond(&p.mu)
	return p
}

func (p *gatedProvider) Name() string { return "campay" }

func (p *gatedProvider) Send(context.Context, providers.Payout) (providers.Result, error) {
	panic("reconciliation sent a payout")
}

func (p *gatedProvider) Check(_ context.Context, ref string) (providers.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inFlight++
	p.started++
	p.asked[ref]++
	p.most = max(p.most, p.inFlight)
	p.cond.Broadcast()
	for p.inFlight < p.bound && p.started < p.total {
		p.cond.Wait()
	}
	p.inFlight--
	return providers.Result{ProviderReference: ref, Status: providers.StatusSucceeded, Amount: 1000}, nil
}

func TestReconcileLooksUpSideBySideWithinTheLaneBound(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		concurrency int
		caller      int // the Caller's own bound, when the lane has one
		want        int // most lookups in flight
	}{
		{"concurrency 1", 1, 0, 1},
		{"concurrency 0 means 1", 0, 0, 1},
		{"concurrency 3", 3, 0, 3},
		{"concurrency 8", 8, 0, 8},
		{"the shared Caller bounds at 2", 6, 2, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const n = 50
			p := newGated(tc.want, n)
			lane := batch.Lane{Provider: p, Concurrency: tc.concurrency}
			if tc.caller > 0 {
				lane.Caller = providers.Stack(providers.Options{Provider: "campay", Concurrency: tc.caller})
			}
			items := make([]batch.Item, n)
			for i := range items {
				items[i] = batch.Item{Row: i + 2, Provider: "campay", ProviderReference: fmt.Sprintf("ref-%d", i),
					State: batch.Succeeded, Amount: 1000}
			}
			mism, unchecked, err := batch.Reconcile(context.Background(), map[string]batch.Provider{"campay": p},
				batch.Batch{CreatedAt: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}, items, nil,
				time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), batch.Lookups{Lanes: map[string]batch.Lane{"campay": lane}})
			require.NoError(t, err)
			assert.Empty(t, mism)
			assert.Empty(t, unchecked)
			assert.Equal(t, tc.want, p.most, "lookups in flight at most")
			require.Len(t, p.asked, n, "every item looked up")
			for ref, k := range p.asked {
				assert.Equal(t, 1, k, "%s looked up once", ref)
			}
		})
	}
}
