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
	"bulkpay/batch/batchtest"
	"bulkpay/providers"
	"bulkpay/providers/providerstest"
)

// paying pays every payout at once and tells its balance, counting both.
type paying struct {
	mu       sync.Mutex
	balances int
	sends    int
}

func (p *paying) Name() string { return "campay" }

func (p *paying) Send(_ context.Context, po providers.Payout) (providers.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sends++
	return providers.Result{Status: providers.StatusSucceeded, ProviderReference: fmt.Sprintf("CP%d", p.sends), Amount: po.Amount}, nil
}

func (p *paying) Check(context.Context, string) (providers.Result, error) {
	return providers.Result{}, fmt.Errorf("no status lookup expected")
}

func (p *paying) Balances(context.Context) ([]providers.Balance, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.balances++
	return []providers.Balance{{Account: "MTN", Amount: 100000}}, nil
}

// sandboxSession stores a sandbox batch of items in memory and opens a session
// on it that pays through lanes, on clock.
func sandboxSession(t *testing.T, clock *providerstest.Clock, items []batch.Item, lanes map[string]batch.Lane) (*batch.Session, *batchtest.Memory) {
	t.Helper()
	st := batchtest.NewMemory(batchtest.WithClock(clock.Now))
	b := batch.Batch{Reference: "paie", Currency: "XAF", Sandbox: true}
	for _, it := range items {
		b.TotalAmount += it.Amount
	}
	require.NoError(t, st.CreateBatch(context.Background(), &b, items))
	conn := &batch.Connection{Lanes: lanes, Sandbox: true}
	s, err := batch.OpenSession(context.Background(), st, b, batch.SessionRequest{Endpoint: batch.SandboxEndpoint("http://127.0.0.1:8089"),
		Actor: "awa", Owner: batch.Owner{PID: 1}, Clock: clock, Connect: func(context.Context) (*batch.Connection, error) { return conn, nil }})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s, st
}

func TestSessionAsksBalancesAndSendsThroughOneLimiterPerProvider(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := providerstest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	prov := &paying{}
	// one request a second, one at a time, as a config may set it
	s, st := sandboxSession(t, clock, []batch.Item{
		{Row: 2, Reference: "r2", Provider: "campay", Operator: "MTN", Phone: "237677000002", Amount: 1000},
		{Row: 3, Reference: "r3", Provider: "campay", Operator: "MTN", Phone: "237677000003", Amount: 2000},
	}, map[string]batch.Lane{"campay": {Provider: prov, Rate: 1, Burst: 1, Concurrency: 1}})
	b := s.Batch
	assert.NotNil(t, s.Conn.Lanes["campay"].Caller, "the session stacks the lane's Caller once")

	res, err := s.Pay(ctx, batch.PayRequest{})
	require.NoError(t, err)
	assert.Equal(t, []batch.Need{{Provider: "campay", Account: "MTN", Items: 2, Needed: 3000, Available: 100000}}, res.Needs)
	assert.Equal(t, 1, prov.balances, "one balance ask")
	assert.Equal(t, 2, prov.sends, "each item sent once")
	// the balance ask takes the limiter's one token, so each send waits its
	// second on the session's clock; with a limiter of its own the run's
	// first send would not wait
	assert.Equal(t, []time.Duration{time.Second, time.Second}, clock.Slept())
	items, err := st.Items(ctx, b.ID)
	require.NoError(t, err)
	for _, it := range items {
		assert.Equal(t, batch.Succeeded, it.State, "row %d", it.Row)
	}
}
