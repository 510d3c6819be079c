package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// TestOneSessionPerBatchInTheServer holds a run's payouts in flight (items in
// Submitting, the provider's answers not yet back) and tries every other way
// the server opens a session on the batch: the web app's start, resume and
// reconcile, the API's, and the links pass paying claimed links. The server
// gives all its sessions one owner, so the batch's lock in the ledger does
// not tell them apart: the server's own guard per batch must refuse each, and
// nothing may treat the run's items in flight as interrupted (Unknown,
// Review) or send them again.
func TestOneSessionPerBatchInTheServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := startHeld(t)
	h, g, awa, b, items := r.h, r.g, r.awa, r.b, r.items
	inFlight := map[int64]bool{}
	held, err := h.st.Items(ctx, b.ID)
	require.NoError(t, err)
	for _, it := range held {
		if it.State == batch.Submitting {
			inFlight[it.ID] = true
		}
	}
	require.NotEmpty(t, inFlight, "the gate holds a payout in flight")

	for _, verb := range []string{"start", "resume", "reconcile"} {
		got := awa.post("/batches/payroll-2026-11/"+verb, nil)
		assert.Equal(t, http.StatusConflict, got.code, "web %s while the batch is paid", verb)
	}
	api := h.api("awa", "password-awa")
	for _, verb := range []string{"start", "resume", "reconcile"} {
		got := api.call(http.MethodPost, "/payments/bulk_payment/"+batchUUID(b)+"/"+verb+"/", nil)
		assert.Equal(t, http.StatusConflict, got.code, "API %s while the batch is paid: %s", verb, got.body)
	}
	assert.False(t, h.srv.payClaimed(ctx, b), "the links pass starts no second run")
	other := batch.Owner{PID: 1, Host: "elsewhere", Start: "x", At: h.clock.Now()}
	var locked *batch.LockedError
	assert.ErrorAs(t, h.st.Lock(ctx, b.ID, other), &locked, "another process is kept out by the lock")

	now, err := h.st.Items(ctx, b.ID)
	require.NoError(t, err)
	for _, it := range now {
		if inFlight[it.ID] {
			assert.Equal(t, batch.Submitting, it.State, "row %d is still the run's, in flight", it.Row)
		}
		assert.NotContains(t, []batch.State{batch.Unknown, batch.Review}, it.State, "row %d", it.Row)
	}

	g.release()
	events := awa.stream("payroll-2026-11")
	last := events[len(events)-1].data
	assert.True(t, last.Complete, "%+v", last)
	assert.Empty(t, last.Error)
	paid := h.sandboxPayouts()
	assert.Len(t, paid, len(items))
	for _, it := range items {
		assert.Equal(t, 1, paid[it.Reference], "row %d paid exactly once", it.Row)
	}
	final, err := h.st.Items(ctx, b.ID)
	require.NoError(t, err)
	for _, it := range final {
		assert.Equal(t, batch.Succeeded, it.State, "row %d: no review, no doubt", it.Row)
	}
	evs, err := h.st.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	started := 0
	for _, e := range evs {
		if e.Detail == "paying in the background" {
			started++
		}
	}
	assert.Equal(t, 1, started, "one run began")
}

// TestOneRateLimitPerProviderInTheServer: the sessions the server opens (one
// per batch it pays, one per reconcile) and the callbacks' lookups ask each
// provider through one Caller, paced once: two batches paid at once, or a
// callback looked up during a run, do not each get the provider's whole rate
// and concurrency.
func TestOneRateLimitPerProviderInTheServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, oneAtATime)
	require.False(t, h.srv.builtinEndpoint(), "paid through a sandbox of its own, as through a provider")
	a, err := h.srv.connect(ctx)
	require.NoError(t, err)
	defer a.Close()
	b, err := h.srv.connect(ctx)
	require.NoError(t, err)
	defer b.Close()
	lookups, err := h.srv.callbackLanes(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, a.Lanes)
	for name, l := range a.Lanes {
		require.NotNil(t, l.Caller, name)
		assert.True(t, l.Caller == b.Lanes[name].Caller, "%s: two sessions share one Caller", name)
		assert.True(t, l.Caller == lookups[name].Caller, "%s: the callbacks' lookups share the runs' Caller", name)
	}
}
