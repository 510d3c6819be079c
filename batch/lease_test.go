package batch_test

import (
	"context"
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

func TestRecoveryOfAnExpiredLease(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		state   batch.State
		lease   batch.Lease
		recover bool
	}{
		{"live lease", batch.Submitting, batch.Lease{Worker: "a/1/x", Until: now.Add(time.Second)}, false},
		{"lease runs out now", batch.Submitting, batch.Lease{Worker: "a/1/x", Until: now}, true},
		{"lease ran out", batch.Submitting, batch.Lease{Worker: "a/1/x", Until: now.Add(-time.Minute)}, true},
		{"claimed under the batch lock, no lease", batch.Submitting, batch.Lease{}, true},
		{"a worker without an expiry", batch.Submitting, batch.Lease{Worker: "a/1/x"}, true},
		{"pending with a lease run out: the answer was recorded", batch.Pending, batch.Lease{Worker: "a/1/x", Until: now.Add(-time.Minute)}, false},
		{"unknown already", batch.Unknown, batch.Lease{}, false},
		{"planned", batch.Planned, batch.Lease{}, false},
		{"succeeded", batch.Succeeded, batch.Lease{Worker: "a/1/x", Until: now.Add(-time.Minute)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			it := batch.Leased{Item: batch.Item{ID: 7, Row: 9, State: tt.state}, Lease: tt.lease}
			c, ok := batch.Recovery(it, now)
			require.Equal(t, tt.recover, ok)
			if !ok {
				assert.Zero(t, c)
				return
			}
			assert.Equal(t, int64(7), c.ItemID)
			assert.Equal(t, batch.Submitting, c.From)
			assert.Equal(t, batch.Unknown, c.To, "in doubt, never failed: only the provider can say")
			assert.True(t, c.CloseOpen, "the stopped worker's attempt is closed as interrupted")
			assert.NoError(t, batch.CheckMove(c.From, c.To))
			if tt.lease.Worker != "" {
				assert.Contains(t, c.Cause, tt.lease.Worker, "the cause names the worker that stopped")
			}
		})
	}
}

// settling pays each reference once: a resend of the same reference is
// answered with the payout already made (as CamPay does), and a status
// check says it succeeded.
type settling struct {
	mu    sync.Mutex
	sends map[string]int
}

func (p *settling) Name() string { return "campay" }

func (p *settling) Send(ctx context.Context, po providers.Payout) (providers.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sends == nil {
		p.sends = map[string]int{}
	}
	p.sends[po.Reference]++
	return providers.Result{Status: providers.StatusSucceeded, ProviderReference: "p-" + po.Reference}, nil
}

func (p *settling) Settle(ctx context.Context, po providers.Payout) (providers.Result, error) {
	return providers.Result{Status: providers.StatusSucceeded, ProviderReference: "p-" + po.Reference}, nil
}

func (p *settling) Check(ctx context.Context, ref string) (providers.Result, error) {
	return providers.Result{Status: providers.StatusSucceeded, ProviderReference: ref}, nil
}

func (p *settling) sent(ref string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sends[ref]
}

// sharedBatch is a store shared by workers, on a clock at 2026-11-30 09:00,
// holding batch ref of n planned CamPay items.
func sharedBatch(t *testing.T, ref string, n int) (*providerstest.Clock, *batchtest.Memory, batch.Batch) {
	t.Helper()
	clock := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	st := batchtest.NewMemory(batchtest.WithShared(), batchtest.WithClock(clock.Now))
	items := make([]batch.Item, n)
	for i := range items {
		items[i] = batch.Item{Provider: "campay", Phone: "237677100000", Country: "CM", Operator: "MTN"}
	}
	b, _, err := batchtest.Seed(context.Background(), st, batch.Batch{Reference: ref, Currency: "XAF"}, items...)
	require.NoError(t, err)
	return clock, st, b
}

func TestSharedRunRecoversOnlyExpiredClaims(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, st, b := sharedBatch(t, "shared", 6)

	now := clock.Now()
	dead, err := st.ClaimLeased(ctx, b.ID, "campay", 2, batch.Lease{Worker: "h1/10/dead", Until: now.Add(time.Second)})
	require.NoError(t, err)
	live, err := st.ClaimLeased(ctx, b.ID, "campay", 1, batch.Lease{Worker: "h2/20/live", Until: now.Add(time.Hour)})
	require.NoError(t, err)
	require.Len(t, dead, 2)
	require.Len(t, live, 1)
	require.NoError(t, clock.Sleep(ctx, 2*time.Second)) // the dead worker's leases run out; the live one renews

	p := &settling{}
	r := &batch.Runner{Store: st, Lanes: map[string]batch.Lane{"campay": {Provider: p, Concurrency: 2, Shared: st}},
		Worker: "h3/30/w3", Lease: time.Minute, Clock: clock, PendingWait: -1}
	sum, err := r.Run(ctx, b)
	require.NoError(t, err)

	got := map[int64]batch.Item{}
	all, err := st.Items(ctx, b.ID)
	require.NoError(t, err)
	for _, it := range all {
		got[it.ID] = it
	}
	for _, c := range dead {
		assert.Equal(t, batch.Succeeded, got[c.Item.ID].State, "row %d: recovered, then settled by the provider", c.Item.Row)
		assert.Zero(t, p.sent(c.Item.Reference), "row %d: a recovered item is settled, never sent again as new", c.Item.Row)
		evs, err := st.Events(ctx, b.ID, c.Item.ID)
		require.NoError(t, err)
		var causes []string
		for _, e := range evs {
			causes = append(causes, e.Cause)
		}
		assert.Contains(t, causes[len(causes)-2], "worker h1/10/dead stopped renewing its claim")
	}
	assert.Equal(t, batch.Submitting, got[live[0].Item.ID].State, "a live worker's claim is left to it")
	assert.Zero(t, p.sent(live[0].Item.Reference))
	assert.Equal(t, 5, sum.Counts[batch.Succeeded])
	for _, it := range all {
		if it.ID != live[0].Item.ID && it.ID != dead[0].Item.ID && it.ID != dead[1].Item.ID {
			assert.Equal(t, 1, p.sent(it.Reference), "row %d sent once by the third worker", it.Row)
		}
	}
	leased, err := st.SubmittingLeases(ctx, b.ID)
	require.NoError(t, err)
	require.Len(t, leased, 1)
	assert.True(t, batch.Held(leased, clock.Now()), "the batch waits for its live worker")
	n, err := st.Renew(ctx, batch.Lease{Worker: "h2/20/live", Until: clock.Now().Add(time.Minute)})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// serverClocked is a shared store that keeps leases on its own clock, as
// the ledger on PostgreSQL keeps them on the server's.
type serverClocked struct {
	*batchtest.Memory
	now func() time.Time
}

func (s serverClocked) LeaseNow(context.Context) (time.Time, error) { return s.now(), nil }

// TestSharedRunJudgesLeasesOnTheStoresClock: a worker whose host clock is an
// hour behind the ledger's, or two ahead, recovers the items of a worker
// whose lease ran out on the ledger's clock, and leaves a live one's alone.
func TestSharedRunJudgesLeasesOnTheStoresClock(t *testing.T) {
	t.Parallel()
	for name, skew := range map[string]time.Duration{"host behind": -time.Hour, "host ahead": 2 * time.Hour} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			server := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
			host := func() time.Time { return server.Now().Add(skew) }
			mem := batchtest.NewMemory(batchtest.WithShared(), batchtest.WithClock(server.Now))
			st := serverClocked{Memory: mem, now: server.Now}
			var items []batch.Item
			for range 4 {
				items = append(items, batch.Item{Provider: "campay", Phone: "237677100000", Country: "CM", Operator: "MTN"})
			}
			b, _, err := batchtest.Seed(ctx, st, batch.Batch{Reference: "skew", Currency: "XAF"}, items...)
			require.NoError(t, err)
			dead, err := st.ClaimLeased(ctx, b.ID, "campay", 1, batch.Lease{Worker: "h1/10/dead", Until: server.Now().Add(time.Second)})
			require.NoError(t, err)
			live, err := st.ClaimLeased(ctx, b.ID, "campay", 1, batch.Lease{Worker: "h2/20/live", Until: server.Now().Add(time.Hour)})
			require.NoError(t, err)
			require.NoError(t, server.Sleep(ctx, 2*time.Second))

			p := &settling{}
			r := &batch.Runner{Store: st, Lanes: map[string]batch.Lane{"campay": {Provider: p, Concurrency: 1, Shared: st}},
				Worker: "h3/30/w3", Lease: time.Minute, Clock: providerstest.NewClock(host()), PendingWait: -1}
			_, err = r.Run(ctx, b)
			require.NoError(t, err)
			got, err := st.Item(ctx, dead[0].Item.ID)
			require.NoError(t, err)
			assert.Equal(t, batch.Succeeded, got.State, "the dead worker's item: recovered, then settled")
			assert.Zero(t, p.sent(got.Reference), "settled, never sent again")
			got, err = st.Item(ctx, live[0].Item.ID)
			require.NoError(t, err)
			assert.Equal(t, batch.Submitting, got.State, "a live worker's item is left to it")
			assert.Zero(t, p.sent(got.Reference))
		})
	}
}

func TestSharedRunClaimsUnderItsOwnLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, st, b := sharedBatch(t, "own", 1)
	var seen []batch.Leased
	p := &peeking{settling: &settling{}, peek: func() {
		l, err := st.SubmittingLeases(ctx, b.ID)
		require.NoError(t, err)
		seen = append(seen, l...)
	}}
	r := &batch.Runner{Store: st, Lanes: map[string]batch.Lane{"campay": {Provider: p}}, Worker: "h/1/s", Lease: 10 * time.Second,
		Clock: clock, PendingWait: -1}
	_, err := r.Run(ctx, b)
	require.NoError(t, err)
	require.Len(t, seen, 1, "the item was submitting while it was sent")
	assert.Equal(t, "h/1/s", seen[0].Lease.Worker)
	assert.False(t, seen[0].Lease.Expired(clock.Now()), "claimed under a live lease")
}

// peeking looks at the store while a payout is on its way.
type peeking struct {
	*settling
	peek func()
}

func (p *peeking) Send(ctx context.Context, po providers.Payout) (providers.Result, error) {
	p.peek()
	return p.settling.Send(ctx, po)
}

func TestLocalPacerKeepsRateAndConcurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	p := &batch.LocalPacer{Clock: clock}
	start := clock.Now()
	for range 5 {
		release, err := p.Take(ctx, "campay", 10, 1)
		require.NoError(t, err)
		release()
	}
	assert.Equal(t, 400*time.Millisecond, clock.Now().Sub(start), "five turns at 10/s: the first at once, then one each 100ms")

	release, err := p.Take(ctx, "mycoolpay", 0, 1)
	require.NoError(t, err)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = p.Take(cctx, "mycoolpay", 0, 1)
	assert.ErrorIs(t, err, context.Canceled, "the only slot is taken: no turn until it is given back")
	release()
	release() // twice is harmless
	again, err := p.Take(ctx, "mycoolpay", 0, 1)
	require.NoError(t, err)
	again()
}

func TestAdmitKeepsTheRateOverAnyWindow(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	at := func(ms ...int) []time.Time {
		var out []time.Time
		for _, m := range ms {
			out = append(out, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return out
	}
	tests := []struct {
		name   string
		grants []time.Time
		now    int // ms after t0
		rate   float64
		wait   time.Duration
		kept   int
	}{
		{"first call", nil, 0, 3, 0, 1},
		{"room in the window", at(0, 10), 20, 3, 0, 3},
		{"window full: wait for the oldest to leave it", at(0, 10, 20), 30, 3, 1500*time.Millisecond - 30*time.Millisecond, 3},
		{"the oldest left: let through", at(0, 10, 20), 1500, 3, 0, 3},
		{"old grants forgotten", at(0, 10, 20), 5000, 3, 0, 1},
		{"grants in any order", at(20, 0, 10), 30, 3, 1470 * time.Millisecond, 3},
		{"below one a second: one call per 1/rate", at(0), 1000, 0.5, 1500 * time.Millisecond, 1},
		{"below one a second, after it", at(0), 2500, 0.5, 0, 1},
		{"no limit", at(0, 1, 2), 3, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kept, wait := batch.Admit(tt.grants, t0.Add(time.Duration(tt.now)*time.Millisecond), tt.rate, batch.PaceMargin)
			assert.Equal(t, tt.wait, wait)
			assert.Len(t, kept, tt.kept)
		})
	}

	// a steady stream of callers never gets more than rate calls into any
	// second, however they ask
	var grants, all []time.Time
	now := t0
	for i := 0; i < 2000; i++ {
		var wait time.Duration
		grants, wait = batch.Admit(grants, now, 30, batch.PaceMargin)
		if wait == 0 {
			all = append(all, now)
		}
		now = now.Add(max(time.Millisecond, wait/2)) // callers ask early and often
	}
	for i := range all {
		n := 0
		for j := i; j < len(all) && all[j].Sub(all[i]) < time.Second; j++ {
			n++
		}
		require.LessOrEqual(t, n, 30, "calls in the second from %s", all[i].Sub(t0))
	}
	assert.Greater(t, len(all), 30)
}

// TestARecoveryAppliesOnlyUnderTheLeaseItJudged: a worker that found an
// item's lease run out recovers it only while the item is still held under
// that lease; one another worker recovered and claimed again since is left
// to its new holder, on the memory store and the ledger alike (the contract).
func TestARecoveryAppliesOnlyUnderTheLeaseItJudged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, st, b := sharedBatch(t, "judged", 1)
	now := clock.Now()
	first, err := st.ClaimLeased(ctx, b.ID, "campay", 1, batch.Lease{Worker: "h1/10/dead", Until: now.Add(time.Second)})
	require.NoError(t, err)
	require.Len(t, first, 1)
	require.NoError(t, clock.Sleep(ctx, 2*time.Second))
	leases, err := st.SubmittingLeases(ctx, b.ID)
	require.NoError(t, err)
	require.Len(t, leases, 1)
	judged, ok := batch.Recovery(leases[0], clock.Now())
	require.True(t, ok, "the lease ran out")

	// meanwhile another worker recovered it, it was planned again and a
	// third claimed it under a lease of its own
	require.NoError(t, st.Apply(ctx, batch.Change{ItemID: first[0].Item.ID, From: batch.Submitting, To: batch.Planned,
		Cause: "recovered elsewhere", Attempt: &batch.AttemptEnd{ID: first[0].AttemptID, Outcome: batch.OutcomeNotProcessed}}))
	again, err := st.ClaimLeased(ctx, b.ID, "campay", 1, batch.Lease{Worker: "h3/30/live", Until: clock.Now().Add(time.Hour)})
	require.NoError(t, err)
	require.Len(t, again, 1)

	err = st.Apply(ctx, judged)
	require.ErrorIs(t, err, batch.ErrStale, "the item is under another lease now")
	it, err := st.Item(ctx, first[0].Item.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Submitting, it.State, "left to its new holder")
}

// TestALateAnswerIsKeptWithItsItem: the answer to a request whose claim
// another worker recovered meanwhile (its attempt closed as interrupted) moves
// nothing, but is kept in the item's events for a person or a reconciliation.
func TestALateAnswerIsKeptWithItsItem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	st := batchtest.NewMemory(batchtest.WithShared(), batchtest.WithClock(clock.Now))
	b, seeded, err := batchtest.Seed(ctx, st, batch.Batch{Reference: "late", Currency: "XAF", TotalAmount: 1000},
		batch.Item{Provider: "campay", Phone: "237677100000", Country: "CM", Operator: "MTN", Amount: 1000})
	require.NoError(t, err)
	it := seeded[0]
	p := &peeking{settling: &settling{}, peek: func() {
		// another worker took this claim for lost while the request was on its way
		require.NoError(t, st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Submitting, To: batch.Unknown, CloseOpen: true,
			Cause: "recovered: worker h/1/s stopped renewing its claim", Message: "outcome in doubt"}))
	}}
	r := &batch.Runner{Store: st, Lanes: map[string]batch.Lane{"campay": {Provider: p}}, Worker: "h/1/s", Lease: 10 * time.Second,
		Clock: clock, PendingWait: -1}
	_, err = r.Run(ctx, b)
	require.NoError(t, err)

	evs, err := st.Events(ctx, b.ID, it.ID)
	require.NoError(t, err)
	var moves, late []batch.Event
	for _, e := range evs {
		if e.Cause == batch.CauseLateAnswer {
			late = append(late, e)
		} else {
			moves = append(moves, e)
		}
	}
	require.Len(t, late, 1, "the answer is kept with the item")
	assert.Empty(t, late[0].From+late[0].To, "and moves nothing")
	assert.Contains(t, late[0].Detail, "provider_reference p-"+it.Reference)
	assert.Contains(t, late[0].Detail, "accepted, would have moved it submitting → succeeded")
	var fromSubmitting []string
	for _, e := range moves {
		if e.From == batch.Submitting {
			fromSubmitting = append(fromSubmitting, e.Cause+" → "+string(e.To))
		}
	}
	assert.Equal(t, []string{"recovered: worker h/1/s stopped renewing its claim → unknown"}, fromSubmitting,
		"only the recovery moved the item out of submitting; it is settled from unknown with the provider")
	atts, err := st.Attempts(ctx, it.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.OutcomeUnknown, atts[0].Outcome, "the attempt stays closed as the recovery closed it")
	assert.Zero(t, p.sent(it.Reference)-1, "sent once")
	findings, err := batch.Verify(ctx, st, b)
	require.NoError(t, err)
	assert.Empty(t, findings, "the trail still verifies")
}
