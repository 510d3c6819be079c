package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/providers/registry"
	"bulkpay/providers/sandbox"
)

// gate holds back, until released, the sandbox's answer to every request
// during which a payout was made (a request beside it may be held too): those
// payouts are in flight, accepted by the provider and not yet recorded by
// bulkpay.
type gate struct {
	reached  chan struct{} // closed when the first answer is held
	open     chan struct{} // closed by release
	once     sync.Once
	released sync.Once
}

func newGate(t *testing.T) *gate {
	g := &gate{reached: make(chan struct{}), open: make(chan struct{})}
	t.Cleanup(g.release) // before the sandbox closes: nothing stays held
	return g
}

func (g *gate) front(sb *sandbox.Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		before := len(sb.Payouts())
		rec := &heldWriter{header: http.Header{}, code: http.StatusOK}
		sb.ServeHTTP(rec, r)
		if len(sb.Payouts()) > before {
			g.once.Do(func() { close(g.reached) })
			<-g.open
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.code)
		_, _ = w.Write([]byte(rec.body.String()))
	})
}

func (g *gate) release() { g.released.Do(func() { close(g.open) }) }

// wait waits, within a bound, for the first payout's answer to be held.
func (g *gate) wait(t *testing.T) {
	t.Helper()
	select {
	case <-g.reached:
	case <-time.After(time.Minute):
		t.Fatal("no payout reached the sandbox")
	}
}

// heldWriter keeps an answer until it may go.
type heldWriter struct {
	header http.Header
	code   int
	body   strings.Builder
}

func (w *heldWriter) Header() http.Header         { return w.header }
func (w *heldWriter) WriteHeader(code int)        { w.code = code }
func (w *heldWriter) Write(b []byte) (int, error) { return w.body.Write(b) }

// oneAtATime pays through one request at a time per provider, one payout a
// request: a gate then holds every lane at its first payout, and the items
// claimed before a pause are at most one per provider.
func oneAtATime(o *Options) {
	o.Config.Providers = map[string]config.ProviderConfig{}
	for _, name := range registry.Names() {
		o.Config.Providers[name] = config.ProviderConfig{Concurrency: 1, ChunkSize: 1}
	}
}

// sandboxPayouts counts the payouts the sandbox made, by our reference.
func (h *harness) sandboxPayouts() map[string]int {
	h.t.Helper()
	resp, err := http.Get(h.sandbox + "/_sandbox/payouts")
	require.NoError(h.t, err)
	defer resp.Body.Close()
	var payouts []struct {
		ClientReference string `json:"client_reference"`
	}
	require.NoError(h.t, json.NewDecoder(resp.Body).Decode(&payouts))
	out := map[string]int{}
	for _, p := range payouts {
		out[p.ClientReference]++
	}
	return out
}

// approvedBatch uploads the November sample as awa and has bob approve it.
func approvedBatch(t *testing.T, h *harness) (*client, batch.Batch) {
	t.Helper()
	awa := h.signIn("awa")
	got := awa.upload(sample("payroll-2026-11.xlsx"), map[string]string{"reference": "payroll-2026-11"})
	require.Equal(t, http.StatusOK, got.code, got.body)
	b, err := h.st.Batch(context.Background(), "payroll-2026-11")
	require.NoError(t, err)
	bob := h.signIn("bob")
	got = bob.post("/batches/payroll-2026-11/approve", url.Values{"plan_hash": {b.PlanHash}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	return awa, b
}

// pausedRun is the November sample approved, started on a sandbox that
// holds every lane at its first payout, paused while those payouts are in
// flight, and ended once they came back: items as planned, paused as the
// pause left them.
type pausedRun struct {
	h             *harness
	awa           *client
	b             batch.Batch
	items, paused []batch.Item
}

// heldRun is the approved payroll started from the web app, a payout held
// in flight at the provider's gate.
type heldRun struct {
	h     *harness
	g     *gate
	awa   *client
	b     batch.Batch
	items []batch.Item // as planned
}

func startHeld(t *testing.T) heldRun {
	t.Helper()
	g := newGate(t)
	h := newHarnessFront(t, oneAtATime, g.front)
	awa, b := approvedBatch(t, h)
	items, err := h.st.Items(context.Background(), b.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, awa.post("/batches/payroll-2026-11/start", nil).code)
	g.wait(t)
	return heldRun{h: h, g: g, awa: awa, b: b, items: items}
}

func pauseMidRun(t *testing.T) pausedRun {
	t.Helper()
	ctx := context.Background()
	r := startHeld(t)
	h, g, awa, b, items := r.h, r.g, r.awa, r.b, r.items
	got := awa.post("/batches/payroll-2026-11/pause", nil)
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	g.release()
	events := awa.stream("payroll-2026-11")
	last := events[len(events)-1].data
	assert.True(t, last.Paused, "%+v", last)
	assert.False(t, last.Running)
	assert.False(t, last.Complete)
	assert.Empty(t, last.Error)
	paused, err := h.st.Items(ctx, b.ID)
	require.NoError(t, err)
	return pausedRun{h: h, awa: awa, b: b, items: items, paused: paused}
}

func TestPauseMidRunThenResumePaysEachItemOnce(t *testing.T) {
	t.Parallel()
	p := pauseMidRun(t)
	h, awa, items, after := p.h, p.awa, p.items, p.paused
	paid := h.sandboxPayouts()
	planned := 0
	for _, it := range after {
		switch it.State {
		case batch.Planned:
			planned++
			assert.Zero(t, paid[it.Reference], "row %d was never sent", it.Row)
		case batch.Submitting, batch.Unknown:
			t.Errorf("row %d is %s: a payout in flight at the pause must come back and be recorded", it.Row, it.State)
		default:
			assert.Equal(t, 1, paid[it.Reference], "row %d sent once", it.Row)
		}
	}
	assert.GreaterOrEqual(t, planned, len(items)-len(registry.Names()), "the pause stopped every lane at its first payout")
	assert.Len(t, paid, len(items)-planned, "the sandbox made a payout per item sent, and no other")

	page := awa.get("/batches/payroll-2026-11")
	assert.Contains(t, page.body, catalog["en"]["paused"])
	assert.Contains(t, page.body, `action="/batches/payroll-2026-11/resume"`)
	assert.NotContains(t, page.body, `action="/batches/payroll-2026-11/pause"`)
	assert.Contains(t, page.body, "<td>awa</td><td>paused in the web app</td>", "the pause's actor")
	got := awa.post("/batches/payroll-2026-11/pause", nil)
	assert.Equal(t, http.StatusConflict, got.code, "nothing runs: nothing to pause")
	assert.Contains(t, got.body, catalog["en"]["not_running"])

	got = awa.post("/batches/payroll-2026-11/resume", nil)
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	events := awa.stream("payroll-2026-11")
	last := events[len(events)-1].data
	assert.True(t, last.Complete, "%+v", last)
	assert.False(t, last.Paused)
	assert.Equal(t, len(items), last.Done)

	paid = h.sandboxPayouts()
	assert.Len(t, paid, len(items))
	for _, it := range items {
		assert.Equal(t, 1, paid[it.Reference], "row %d paid exactly once over the pause", it.Row)
	}
	page = awa.get("/batches/payroll-2026-11")
	assert.Contains(t, page.body, "<td>awa</td><td>resumed in the web app</td>", "the resume's actor")
}

func TestCancelAfterPauseCancelsOnlyWhatWasNeverSent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := pauseMidRun(t)
	h, awa, b, items, before := p.h, p.awa, p.b, p.items, p.paused

	// the approver may not cancel; the initiator must confirm and say why
	bob := h.signIn("bob")
	assert.Equal(t, http.StatusForbidden, bob.post("/batches/payroll-2026-11/cancel", url.Values{"confirm": {"yes"}, "note": {"x"}}).code)
	got := awa.post("/batches/payroll-2026-11/cancel", url.Values{"note": {"wrong month"}})
	assert.Equal(t, http.StatusBadRequest, got.code)
	assert.Contains(t, got.body, catalog["en"]["cancel_needs_confirm"])
	got = awa.post("/batches/payroll-2026-11/cancel", url.Values{"confirm": {"yes"}, "note": {" "}})
	assert.Equal(t, http.StatusBadRequest, got.code)

	// another process holds the batch: refused, nothing changes
	other := batch.Owner{PID: 424242, Host: "another-host", Start: "1", At: h.clock.Now()}
	require.NoError(t, h.st.Lock(ctx, b.ID, other))
	got = awa.post("/batches/payroll-2026-11/cancel", url.Values{"confirm": {"yes"}, "note": {"wrong month"}})
	assert.Equal(t, http.StatusConflict, got.code)
	assert.Contains(t, got.body, "is being run by pid 424242 on another-host")
	same, err := h.st.Items(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, before, same)
	require.NoError(t, h.st.Unlock(ctx, b.ID, other))

	got = awa.post("/batches/payroll-2026-11/cancel", url.Values{"confirm": {"yes"}, "note": {"wrong month"}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	// what was sent settles: resume settles and polls it, nothing new is sent
	got = awa.post("/batches/payroll-2026-11/resume", nil)
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	events := awa.stream("payroll-2026-11")
	assert.True(t, events[len(events)-1].data.Complete, "%+v", events[len(events)-1].data)

	after, err := h.st.Items(ctx, b.ID)
	require.NoError(t, err)
	paid := h.sandboxPayouts()
	cancelled := 0
	for i, it := range after {
		if before[i].State == batch.Planned {
			cancelled++
			assert.Equal(t, batch.Cancelled, it.State, "row %d was never sent", it.Row)
			assert.Zero(t, paid[it.Reference], "row %d never reaches the provider", it.Row)
			assert.Equal(t, "cancelled by awa: wrong month", it.Message)
			continue
		}
		assert.Contains(t, []batch.State{batch.Succeeded, batch.Failed}, it.State, "row %d settled", it.Row)
		assert.Equal(t, 1, paid[it.Reference], "row %d sent once", it.Row)
	}
	require.Positive(t, cancelled)
	assert.Len(t, paid, len(items)-cancelled)

	page := awa.get("/batches/payroll-2026-11")
	assert.Contains(t, page.body, "<td>awa</td><td>batch cancelled</td>", "the cancellation's actor")
	assert.Contains(t, page.body, strings.Replace(catalog["en"]["cancelled_count"], "%d", itoa(cancelled), 1))
	assert.NotContains(t, page.body, `action="/batches/payroll-2026-11/cancel"`, "nothing is left to cancel")
	got = awa.post("/batches/payroll-2026-11/cancel", url.Values{"confirm": {"yes"}, "note": {"again"}})
	assert.Equal(t, http.StatusConflict, got.code)
	assert.Contains(t, got.body, "nothing to cancel")

	// the report has a row per item, the cancelled ones as such
	c := awa.get("/batches/payroll-2026-11/report.csv")
	require.Equal(t, http.StatusOK, c.code)
	rows, err := csv.NewReader(strings.NewReader(c.body)).ReadAll()
	require.NoError(t, err)
	state := -1
	for i, title := range rows[0] {
		if title == "state" {
			state = i
		}
	}
	require.NotEqual(t, -1, state)
	n := 0
	for _, r := range rows[1:] {
		if r[state] == string(batch.Cancelled) {
			n++
		}
	}
	assert.Equal(t, cancelled, n)
}

func TestReconcileFromTheBatchPageShowsTheFindings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, nil)
	awa, b := approvedBatch(t, h)
	page := awa.get("/batches/payroll-2026-11")
	assert.Contains(t, page.body, catalog["en"]["not_reconciled"])
	assert.NotContains(t, page.body, `action="/batches/payroll-2026-11/reconcile"`, "nothing was paid: nothing to reconcile")
	require.Equal(t, http.StatusSeeOther, awa.post("/batches/payroll-2026-11/start", nil).code)
	events := awa.stream("payroll-2026-11")
	require.True(t, events[len(events)-1].data.Complete)

	got := awa.post("/batches/payroll-2026-11/reconcile", nil)
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	page = awa.get("/batches/payroll-2026-11")
	assert.Contains(t, page.body, "</time>: "+html.EscapeString(catalog["en"]["records_agree"]))
	assert.Contains(t, page.body, "<td>awa</td><td>"+causeReconcile+"</td>", "the reconciliation's actor")

	// the provider's record of one payout says otherwise
	items, err := h.st.Items(ctx, b.ID)
	require.NoError(t, err)
	it := items[0]
	body, err := json.Marshal(map[string]string{"provider": it.Provider, "provider_reference": it.ProviderReference, "status": "FAILED"})
	require.NoError(t, err)
	resp, err := http.Post(h.sandbox+"/_sandbox/tamper", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	got = awa.post("/batches/payroll-2026-11/reconcile", nil)
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	page = awa.get("/batches/payroll-2026-11")
	assert.NotContains(t, page.body, "</time>: "+html.EscapeString(catalog["en"]["records_agree"]))
	assert.Contains(t, page.body, "row "+itoa(it.Row)+": we recorded succeeded")
	rec, err := h.st.Reconciliation(ctx, b.ID)
	require.NoError(t, err)
	require.Len(t, rec.Mismatches, 1)
	assert.Equal(t, it.Row, rec.Mismatches[0].Row)
}

func TestRetryFailedItemsIsProposedThenApprovedLikeAnyBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, nil)
	awa, b := approvedBatch(t, h)
	// two payouts the provider refused, the rest paid
	claims, err := h.st.Claim(ctx, b.ID, "campay", 2)
	require.NoError(t, err)
	require.Len(t, claims, 2)
	for _, c := range claims {
		require.NoError(t, h.st.Apply(ctx, batch.Change{ItemID: c.Item.ID, From: batch.Submitting, To: batch.Failed,
			Cause: "provider refused the payout", Attempt: &batch.AttemptEnd{ID: c.AttemptID, Outcome: batch.OutcomeRefused}}))
	}
	require.Equal(t, http.StatusSeeOther, awa.post("/batches/payroll-2026-11/start", nil).code)
	events := awa.stream("payroll-2026-11")
	require.True(t, events[len(events)-1].data.Complete)

	page := awa.get("/batches/payroll-2026-11")
	assert.Contains(t, page.body, `action="/batches/payroll-2026-11/retry"`)
	bob := h.signIn("bob")
	assert.Equal(t, http.StatusForbidden, bob.post("/batches/payroll-2026-11/retry", nil).code, "the initiator proposes")
	got := awa.post("/batches/payroll-2026-11/retry", nil)
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	assert.Equal(t, "/batches/payroll-2026-11-retry-1", got.header.Get("Location"))
	rb, err := h.st.Batch(ctx, "payroll-2026-11-retry-1")
	require.NoError(t, err)
	assert.Equal(t, "awa", rb.CreatedBy)
	assert.Equal(t, DoorPolicy, rb.Policy)
	retried, err := h.st.Items(ctx, rb.ID)
	require.NoError(t, err)
	require.Len(t, retried, 2)

	// nothing is paid before an approver other than awa approves it
	assert.Equal(t, http.StatusForbidden, awa.post("/batches/payroll-2026-11-retry-1/start", nil).code)
	got = bob.post("/batches/payroll-2026-11-retry-1/approve", url.Values{"plan_hash": {rb.PlanHash}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	require.Equal(t, http.StatusSeeOther, awa.post("/batches/payroll-2026-11-retry-1/start", nil).code)
	events = awa.stream("payroll-2026-11-retry-1")
	require.True(t, events[len(events)-1].data.Complete)

	paid := h.sandboxPayouts()
	for i, it := range retried {
		assert.Equal(t, claims[i].Item.ID, it.RetryOf)
		assert.Equal(t, 1, paid[it.Reference], "row %d paid again once, under its new reference", it.Row)
		assert.Zero(t, paid[claims[i].Item.Reference], "the refused payout itself is never sent again")
	}
	got = awa.post("/batches/payroll-2026-11/retry", nil)
	assert.Equal(t, http.StatusConflict, got.code, "each failed item is retried once")
	assert.Contains(t, got.body, "no failed item is left to retry")
}

func TestBalancesPerProviderAndCarrier(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	carl := h.signIn("carl")
	page := carl.get("/balances")
	require.Equal(t, http.StatusOK, page.code, page.body)
	assert.Contains(t, page.body, `href="/balances"`)
	for _, name := range registry.Names() {
		assert.Contains(t, page.body, "<td>"+name+"</td>", "every provider of the sandbox")
	}
	assert.Contains(t, page.body, "<td>campay</td><td>MTN</td>", "CamPay per carrier")
	assert.Contains(t, page.body, "FCFA")
	assert.NotContains(t, page.body, catalog["en"]["no_answer"])
}

func TestAPIPausesResumesAndCancelsThroughTheSameControls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := newGate(t)
	h := newHarnessFront(t, oneAtATime, g.front)
	awa, b := approvedBatch(t, h)
	api, bob := h.api("awa", "password-awa"), h.api("bob", "password-bob")
	path := "/payments/bulk_payment/payroll-2026-11/"

	require.Equal(t, http.StatusAccepted, api.call(http.MethodPost, path+"start/", nil).code)
	g.wait(t)
	assert.Equal(t, http.StatusForbidden, bob.call(http.MethodPost, path+"pause/", nil).code, "an approver does not run batches")
	got := api.call(http.MethodPost, path+"pause/", nil)
	require.Equal(t, http.StatusAccepted, got.code, got.body)
	g.release()
	events := awa.stream("payroll-2026-11")
	require.True(t, events[len(events)-1].data.Paused, "%+v", events[len(events)-1].data)
	assert.Equal(t, http.StatusConflict, api.call(http.MethodPost, path+"pause/", nil).code, "nothing runs to pause")
	paused, err := h.st.Items(ctx, b.ID)
	require.NoError(t, err)

	got = api.call(http.MethodPost, path+"cancel/", map[string]string{})
	assert.Equal(t, http.StatusBadRequest, got.code, "a cancellation says why: %s", got.body)
	got = api.call(http.MethodPost, path+"cancel/", map[string]string{"note": "wrong month"})
	require.Equal(t, http.StatusOK, got.code, got.body)
	assert.Contains(t, got.body, `"cancelled"`, "the counts show the cancelled items")
	got = api.call(http.MethodPost, path+"resume/", nil)
	require.Equal(t, http.StatusAccepted, got.code, got.body)
	events = awa.stream("payroll-2026-11")
	require.True(t, events[len(events)-1].data.Complete, "%+v", events[len(events)-1].data)

	after, err := h.st.Items(ctx, b.ID)
	require.NoError(t, err)
	paid := h.sandboxPayouts()
	for i, it := range after {
		if paused[i].State == batch.Planned {
			assert.Equal(t, batch.Cancelled, it.State, "row %d was never sent", it.Row)
			assert.Zero(t, paid[it.Reference], "row %d never reaches the provider", it.Row)
			continue
		}
		assert.Equal(t, 1, paid[it.Reference], "row %d sent once", it.Row)
	}
	trail, err := h.st.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	var causes []string
	for _, e := range trail {
		if e.Actor == "awa" {
			causes = append(causes, e.Cause)
		}
	}
	assert.Subset(t, causes, []string{causeStartedAPI, causePaused, "batch cancelled", causeResumedAPI}, "each action an event with its actor")
}
