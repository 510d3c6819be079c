package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/providerstest"
	"bulkpay/webhooks"
	"bulkpay/webhooks/webhookstest"
)

var t0 = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

const secret = "whsec-test-0123456789"

// hit is one request a receiver got.
type hit struct {
	id, typ  string
	at       time.Time
	status   int
	verified bool
}

// receiver is an httptest endpoint that answers each event id with
// answer(n) on its n-th delivery (from 1), checking signatures at clock's time.
type receiver struct {
	mu   sync.Mutex
	hits []hit
	seen map[string]int
	srv  *httptest.Server
}

func newReceiver(t *testing.T, clock *providerstest.Clock, answer func(n int) int) *receiver {
	r := &receiver{seen: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var e struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		}
		_ = json.Unmarshal(body, &e)
		r.mu.Lock()
		r.seen[e.ID]++
		h := hit{id: e.ID, typ: e.Type, at: clock.Now(), status: answer(r.seen[e.ID]),
			verified: req.Header.Get(webhooks.EventIDHeader) == e.ID &&
				webhooks.VerifySignature([]byte(secret), req.Header.Get(webhooks.SignatureHeader), body, clock.Now().Unix(), 300)}
		r.hits = append(r.hits, h)
		r.mu.Unlock()
		w.WriteHeader(h.status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) got() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit(nil), r.hits...)
}

// accepted is each event id the receiver answered 2xx, after dedupe by id,
// with how many times.
func (r *receiver) accepted() map[string]int {
	out := map[string]int{}
	for _, h := range r.got() {
		if h.status/100 == 2 {
			out[h.id]++
		}
	}
	return out
}

func outbox(types ...string) *webhookstest.Memory {
	m := webhookstest.NewMemory()
	for i, typ := range types {
		m.Add(webhooks.Event{ID: fmt.Sprintf("evt_%d", i+1), Type: typ, BatchID: 1, CreatedAt: t0,
			Object: json.RawMessage(fmt.Sprintf(`{"reference":"b-1","row":%d}`, i+2))})
	}
	return m
}

// drain runs passes, moving the clock to the next due delivery between them,
// until nothing is pending (at most max passes).
func drain(t *testing.T, d *webhooks.Deliverer, clock *providerstest.Clock, maxPasses int) []webhooks.Pass {
	t.Helper()
	var passes []webhooks.Pass
	for range maxPasses {
		p, err := d.Deliver(context.Background())
		require.NoError(t, err)
		passes = append(passes, p)
		if p.Waiting == 0 {
			return passes
		}
		require.NoError(t, clock.Sleep(context.Background(), p.NextDue.Sub(clock.Now())))
	}
	t.Fatalf("still pending after %d passes", maxPasses)
	return nil
}

func TestFlakyReceiverGetsEachEventOnceOnTheBackoffSchedule(t *testing.T) {
	t.Parallel()
	clock := providerstest.NewClock(t0)
	rcv := newReceiver(t, clock, func(n int) int {
		if n <= 3 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	m := outbox(webhooks.BatchStarted, webhooks.ItemSucceeded, webhooks.ItemFailed)
	d := &webhooks.Deliverer{Store: m, Clock: clock, Jitter: func() float64 { return 0.5 },
		Endpoints: []webhooks.Endpoint{webhooks.NewEndpoint(rcv.srv.URL+"/hooks", nil, []byte(secret))}}

	passes := drain(t, d, clock, 10)

	assert.Len(t, passes, 4, "one pass per attempt: every event is due at the same times")
	assert.Equal(t, map[string]int{"evt_1": 1, "evt_2": 1, "evt_3": 1}, rcv.accepted(), "each event taken exactly once after dedupe by id")
	// 10 s doubled, each stretched by a quarter of the jitter (0.5): 11.25 s, 22.5 s, 45 s
	want := []time.Time{t0, t0.Add(11250 * time.Millisecond), t0.Add(33750 * time.Millisecond), t0.Add(78750 * time.Millisecond)}
	byEvent := map[string][]time.Time{}
	for _, h := range rcv.got() {
		assert.True(t, h.verified, "%s at %s: signature and event id header verify", h.id, h.at)
		byEvent[h.id] = append(byEvent[h.id], h.at)
	}
	for _, id := range []string{"evt_1", "evt_2", "evt_3"} {
		assert.Equal(t, want, byEvent[id], id)
	}
	log := m.Attempts()
	require.Len(t, log, 12)
	assert.Equal(t, 500, log[0].Status)
	assert.Equal(t, "HTTP 500 Internal Server Error", log[0].Error)
	assert.Equal(t, 200, log[11].Status)
	assert.Empty(t, log[11].Error)
	open, err := m.Open(context.Background(), 0, 10)
	require.NoError(t, err)
	assert.Empty(t, open, "every event is done")

	p, err := d.Deliver(context.Background())
	require.NoError(t, err)
	assert.Equal(t, webhooks.Pass{}, p, "a pass with nothing due sends nothing")
	assert.Len(t, rcv.got(), 12)
}

func TestGivesUpAfter24Hours(t *testing.T) {
	t.Parallel()
	clock := providerstest.NewClock(t0)
	rcv := newReceiver(t, clock, func(int) int { return http.StatusServiceUnavailable })
	m := outbox(webhooks.ItemReview)
	d := &webhooks.Deliverer{Store: m, Clock: clock, Jitter: func() float64 { return 0 },
		Endpoints: []webhooks.Endpoint{webhooks.NewEndpoint(rcv.srv.URL, nil, []byte(secret))}}

	drain(t, d, clock, 100)

	// waits 10 s, 20 s, ... 5120 s, then an hour each: the attempts made before 24 h
	var at time.Duration
	var want []time.Time
	for n := 1; at < 24*time.Hour; n++ {
		want = append(want, t0.Add(at))
		at += webhooks.Delay(webhooks.DefaultBase, webhooks.DefaultMax, n, 0)
	}
	var got []time.Time
	for _, h := range rcv.got() {
		got = append(got, h.at)
	}
	assert.Equal(t, want, got)
	assert.Len(t, got, 32)
	list, err := m.List(context.Background(), 10)
	require.NoError(t, err)
	require.Len(t, list[0].Deliveries, 1)
	dl := list[0].Deliveries[0]
	assert.Equal(t, webhooks.GaveUp, dl.State)
	assert.Equal(t, 32, dl.Attempts)
	assert.Equal(t, "HTTP 503 Service Unavailable; gave up after 32 attempts: not delivered within 24h0m0s of the event", dl.LastError)
	assert.Len(t, dl.Log, 32)
	open, err := m.Open(context.Background(), 0, 10)
	require.NoError(t, err)
	assert.Empty(t, open, "a given-up event is done")
}

func TestAnEventLeftPast24HoursIsGivenUpUntried(t *testing.T) {
	t.Parallel()
	clock := providerstest.NewClock(t0.Add(25 * time.Hour))
	rcv := newReceiver(t, clock, func(int) int { return http.StatusOK })
	m := outbox(webhooks.BatchPlanned)
	d := &webhooks.Deliverer{Store: m, Clock: clock, Endpoints: []webhooks.Endpoint{webhooks.NewEndpoint(rcv.srv.URL, nil, []byte(secret))}}
	p, err := d.Deliver(context.Background())
	require.NoError(t, err)
	assert.Equal(t, webhooks.Pass{GaveUp: 1}, p)
	assert.Empty(t, rcv.got())

	// resent, it is delivered, its 24 h counted from the resend
	require.NoError(t, m.Resend(context.Background(), "evt_1", clock.Now()))
	p, err = d.Deliver(context.Background())
	require.NoError(t, err)
	assert.Equal(t, webhooks.Pass{Attempted: 1, Delivered: 1}, p)
	assert.Equal(t, map[string]int{"evt_1": 1}, rcv.accepted())
}

func TestEndpointsGetOnlyTheEventsTheySubscribeTo(t *testing.T) {
	t.Parallel()
	clock := providerstest.NewClock(t0)
	ok := func(int) int { return http.StatusNoContent }
	all, failures, batches := newReceiver(t, clock, ok), newReceiver(t, clock, ok), newReceiver(t, clock, ok)
	m := outbox(webhooks.BatchPlanned, webhooks.ItemSucceeded, webhooks.ItemFailed, webhooks.ItemReview, webhooks.BatchCompleted)
	d := &webhooks.Deliverer{Store: m, Clock: clock, Endpoints: []webhooks.Endpoint{
		webhooks.NewEndpoint(all.srv.URL, nil, []byte(secret)),
		webhooks.NewEndpoint(failures.srv.URL, []string{webhooks.ItemFailed, webhooks.ItemReview}, []byte(secret)),
		webhooks.NewEndpoint(batches.srv.URL, []string{webhooks.BatchPlanned, webhooks.BatchCompleted, webhooks.LinkClaimed}, []byte(secret)),
	}}
	drain(t, d, clock, 2)
	types := func(r *receiver) []string {
		var out []string
		for _, h := range r.got() {
			out = append(out, h.typ)
		}
		return out
	}
	assert.Equal(t, []string{"batch.planned", "item.succeeded", "item.failed", "item.review", "batch.completed"}, types(all))
	assert.Equal(t, []string{"item.failed", "item.review"}, types(failures))
	assert.Equal(t, []string{"batch.planned", "batch.completed"}, types(batches))
}

func TestDelay(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n      int
		jitter float64
		want   time.Duration
	}{
		{1, 0, 10 * time.Second},
		{2, 0, 20 * time.Second},
		{3, 0, 40 * time.Second},
		{9, 0, 2560 * time.Second},
		{10, 0, time.Hour}, // 5120 s is past the cap
		{40, 0, time.Hour},
		{1, 0.5, 11250 * time.Millisecond},
		{1, 0.999, 12497500 * time.Microsecond},
		{40, 0.5, time.Hour + 7*time.Minute + 30*time.Second},
	} {
		assert.Equal(t, c.want, webhooks.Delay(webhooks.DefaultBase, webhooks.DefaultMax, c.n, c.jitter), "attempt %d, jitter %v", c.n, c.jitter)
	}
}

func TestBodyIsTheSameAtEveryAttempt(t *testing.T) {
	t.Parallel()
	e := webhooks.Event{ID: "evt_1", Type: webhooks.ItemFailed, CreatedAt: t0.In(time.FixedZone("WAT", 3600)),
		Object: json.RawMessage(`{"reference":"r-1","amount":5000}`)}
	b, err := webhooks.Body(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"evt_1","type":"item.failed","time":"2026-11-25T08:00:00Z","object":{"reference":"r-1","amount":5000}}`, string(b))
	again, err := webhooks.Body(e)
	require.NoError(t, err)
	assert.Equal(t, b, again)
	_, err = webhooks.Body(webhooks.Event{Object: json.RawMessage(`{`)})
	assert.Error(t, err)
}

// stopOnDelivery is an outbox that ends the loop once an event is delivered.
type stopOnDelivery struct {
	*webhookstest.Memory
	stop func()
}

func (s stopOnDelivery) Record(ctx context.Context, d webhooks.Delivery, a *webhooks.Attempt) error {
	err := s.Memory.Record(ctx, d, a)
	if d.State == webhooks.Delivered {
		s.stop()
	}
	return err
}

// TestRunDeliversInTheBackgroundUntilCancelled: the loop a server runs waits
// on its clock for the next due delivery, and returns once ctx is done.
func TestRunDeliversInTheBackgroundUntilCancelled(t *testing.T) {
	t.Parallel()
	clock := providerstest.NewClock(t0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rcv := newReceiver(t, clock, func(n int) int {
		if n <= 2 {
			return http.StatusBadGateway
		}
		return http.StatusOK
	})
	m := outbox(webhooks.ItemSucceeded, webhooks.ItemFailed)
	d := &webhooks.Deliverer{Store: stopOnDelivery{m, cancel}, Clock: clock, Jitter: func() float64 { return 0 },
		Endpoints: []webhooks.Endpoint{webhooks.NewEndpoint(rcv.srv.URL, nil, []byte(secret))}}
	require.NoError(t, d.Run(ctx, time.Minute))
	assert.Equal(t, map[string]int{"evt_1": 1}, rcv.accepted(), "stopped after the first delivery")
	assert.Equal(t, []time.Duration{10 * time.Second, 20 * time.Second}, clock.Slept(), "it waited for each retry, no longer")
	open, err := m.Open(context.Background(), 0, 10)
	require.NoError(t, err)
	require.Len(t, open, 1, "the second event waits for the next run")
	assert.Equal(t, "evt_2", open[0].ID)
}
