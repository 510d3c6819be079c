package batch_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
)

// sleeps records the waits a reconciliation asked for, without waiting.
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return ctx.Err()
}

// reconcile runs batch.Reconcile over items of the env's batch with a fake
// sleep; the ledger's own items are the known references.
func (e *env) reconcile(ctx context.Context, items []batch.Item, s *sleeps) ([]batch.Mismatch, []batch.Unchecked, error) {
	stored, err := e.st.Items(context.Background(), e.b.ID)
	require.NoError(e.t, err)
	known := map[string]map[string]bool{"campay": {}}
	for _, it := range stored {
		known["campay"][it.ProviderReference] = true
	}
	// one lookup at a time, as without a lane, but paced on a clock that
	// waits for nothing either: a Retry-After pauses the pace as well
	lane := batch.Lane{Provider: e.client, Concurrency: 1, Caller: providers.Stack(providers.Options{Provider: "campay", Concurrency: 1,
		Clock: providerstest.NewClock(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))})}
	return batch.Reconcile(ctx, map[string]batch.Provider{"campay": e.client}, e.b, items, known, time.Now(),
		batch.Lookups{Sleep: s.sleep, Lanes: map[string]batch.Lane{"campay": lane}})
}

func (e *env) paidItems() []batch.Item {
	e.t.Helper()
	e.run()
	items, err := e.st.Items(context.Background(), e.b.ID)
	require.NoError(e.t, err)
	for _, it := range items {
		require.Equal(e.t, batch.Succeeded, it.State)
	}
	return items
}

func TestReconcileAsksAgainWhenALookupMayPass(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		fault sandbox.Fault
		waits int // at least; net/http itself resends a GET once on a reused connection that was reset
	}{
		{"503 three times", sandbox.Fault{Kind: sandbox.Status, Status: 503, Times: 3}, 3},
		{"502", sandbox.Fault{Kind: sandbox.Status, Status: 502}, 1},
		{"429 with Retry-After", sandbox.Fault{Kind: sandbox.Status, Status: 429, RetryAfter: 7}, 1},
		{"500", sandbox.Fault{Kind: sandbox.Status, Status: 500, Times: 2}, 2},
		{"connection reset", sandbox.Fault{Kind: sandbox.Reset, Times: 3}, 1},
		{"timeout", sandbox.Fault{Kind: sandbox.HangBefore}, 1}, // the client gives up after 300ms
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 2, sandbox.Options{}, 300*time.Millisecond)
			items := e.paidItems()
			tc.fault.Provider, tc.fault.Op = "campay", "status"
			e.srv.AddFault(tc.fault)
			var s sleeps
			mism, unchecked, err := e.reconcile(context.Background(), items, &s)
			require.NoError(t, err)
			assert.Empty(t, mism, "a 429, a 5xx or a timeout is not a mismatch")
			assert.Empty(t, unchecked, "the record was read on a later lookup")
			assert.GreaterOrEqual(t, len(s.waits), tc.waits, "one wait before each lookup asked again")
			assert.LessOrEqual(t, len(s.waits), 3, "a record read in the end is not unchecked")
			if tc.fault.RetryAfter > 0 {
				assert.Equal(t, []time.Duration{7 * time.Second}, s.waits, "Retry-After is honoured")
			}
		})
	}
}

func TestReconcileSaysWhatItCouldNotCheckApartFromMismatches(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 3, sandbox.Options{}, 2*time.Second)
	items := e.paidItems()
	// the first item's record never comes back readable; the second really differs
	e.srv.AddFault(sandbox.Fault{Provider: "campay", Op: "status", Kind: sandbox.Status, Status: 503, Times: 4})
	require.NoError(t, e.srv.ApplyTamper(sandbox.Tamper{Provider: "campay", ProviderReference: items[1].ProviderReference, Status: "FAILED"}))
	// the third's reference is one CamPay never issued
	items[2].ProviderReference = "d0e4c7a2-0000-4000-8000-000000000000"

	var s sleeps
	mism, unchecked, err := e.reconcile(context.Background(), items, &s)
	require.NoError(t, err)
	require.Len(t, unchecked, 1)
	assert.Equal(t, items[0].Row, unchecked[0].Row)
	assert.Equal(t, "campay", unchecked[0].Provider)
	assert.Equal(t, items[0].ProviderReference, unchecked[0].Reference)
	assert.Contains(t, unchecked[0].Reason, "no readable answer after 4 lookups")
	assert.Contains(t, unchecked[0].Reason, "HTTP 503")
	assert.Len(t, s.waits, 3, "4 lookups, 3 waits")

	require.Len(t, mism, 2, "only what the provider answered differently: %v", mism)
	assert.Equal(t, batch.Mismatch{Row: items[1].Row, Provider: "campay", Kind: "status", Ours: "succeeded", Theirs: "failed",
		Reference: items[1].ProviderReference}, mism[0])
	assert.Equal(t, batch.Mismatch{Row: items[2].Row, Provider: "campay", Kind: "status", Ours: "succeeded", Theirs: "not found",
		Reference: items[2].ProviderReference}, mism[1])
}

func TestReconcileUnreadableHistoryIsUnchecked(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2, sandbox.Options{}, 2*time.Second)
	items := e.paidItems()
	e.srv.AddFault(sandbox.Fault{Provider: "campay", Op: "history", Kind: sandbox.Status, Status: 500, Times: 4})
	var s sleeps
	mism, unchecked, err := e.reconcile(context.Background(), items, &s)
	require.NoError(t, err)
	assert.Empty(t, mism)
	require.Len(t, unchecked, 1)
	assert.Equal(t, 0, unchecked[0].Row)
	assert.Equal(t, "campay history: ", unchecked[0].String()[:len("campay history: ")])
}

func TestReconcileStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2, sandbox.Options{}, 2*time.Second)
	items := e.paidItems()
	e.srv.AddFault(sandbox.Fault{Provider: "campay", Op: "status", Kind: sandbox.Status, Status: 503, Times: 10})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := e.reconcile(ctx, items, &sleeps{})
	assert.ErrorIs(t, err, context.Canceled)
}

// flakyHistory is a provider whose history breaks off after its first record
// the first times it is read, then reads whole.
type flakyHistory struct {
	ledgerOf
	breaks int
	reads  int
	recs   []providers.Record
}

func (h *flakyHistory) Records(ctx context.Context, from, to time.Time, fn func(providers.Record) error) error {
	h.reads++
	for i, r := range h.recs {
		if i == 1 && h.reads <= h.breaks {
			return &providers.Error{Class: providers.ErrTransient, Provider: h.name, Op: "history", Message: "answer cut off"}
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// A history compared as it is read and broken off part way is read again
// from its start: a payout nobody planned is found once, not once per read.
func TestReconcileHistoryReadAgainFindsEachStrayOnce(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	h := &flakyHistory{ledgerOf: ledgerOf{name: "campay", amounts: map[string]int64{"ours": 1000}, asked: map[string]int{}}, breaks: 2,
		recs: []providers.Record{
			{ProviderReference: "stray", Phone: "237677000001", Amount: 500, Status: providers.StatusSucceeded, At: at},
			{ProviderReference: "ours", Phone: "237677000002", Amount: 1000, Status: providers.StatusSucceeded, At: at},
			{ProviderReference: "failed-stray", Phone: "237677000003", Amount: 700, Status: providers.StatusFailed, At: at},
		}}
	items := []batch.Item{{Row: 2, Provider: "campay", ProviderReference: "ours", State: batch.Succeeded, Amount: 1000}}
	var s sleeps
	mism, unchecked, err := batch.Reconcile(context.Background(), map[string]batch.Provider{"campay": h}, batch.Batch{CreatedAt: at},
		items, map[string]map[string]bool{"campay": {"ours": true}}, at, batch.Lookups{Sleep: s.sleep})
	require.NoError(t, err)
	assert.Empty(t, unchecked)
	assert.Equal(t, 3, h.reads, "two reads broken off, the third whole")
	assert.Equal(t, []batch.Mismatch{{Provider: "campay", Kind: "unknown_payout", Ours: "no item",
		Theirs: "500 to 237677000001 at 2026-11-20T09:00:00Z", Reference: "stray"}}, mism)
}
