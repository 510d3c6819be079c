package server

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/providers/sandbox"
)

// planned uploads the sample sheet as awa and has bob approve it.
func (h *harness) planned() (batch.Batch, []batch.Item) {
	h.t.Helper()
	awa := h.signIn("awa")
	require.Equal(h.t, http.StatusOK, awa.upload(sample("payroll-2026-11.xlsx"), nil).code)
	b, items, err := batch.Load(context.Background(), h.st, "payroll-2026-11")
	require.NoError(h.t, err)
	bob := h.signIn("bob")
	require.Equal(h.t, http.StatusSeeOther, bob.post("/batches/payroll-2026-11/approve", url.Values{"plan_hash": {b.PlanHash}}).code)
	return b, items
}

func TestReviewQueueAndResolveByAnApprover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, nil)
	b, items := h.planned()
	// an item whose fate the run could not learn: in review
	claims, err := h.st.Claim(ctx, b.ID, items[0].Provider, 1)
	require.NoError(t, err)
	require.Len(t, claims, 1)
	it := claims[0].Item
	require.NoError(t, h.st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Submitting, To: batch.Unknown, Cause: "timeout",
		Attempt: &batch.AttemptEnd{ID: claims[0].AttemptID, Outcome: batch.OutcomeUnknown, Response: "no answer"}}))
	require.NoError(t, h.st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Unknown, To: batch.Review, Cause: "still unknown"}))

	carl := h.signIn("carl")
	page := carl.get("/batches/payroll-2026-11/review")
	require.Equal(t, http.StatusOK, page.code)
	assert.Contains(t, page.body, it.Name)
	assert.Contains(t, page.body, "no answer", "the evidence: the attempt's answer")
	assert.NotContains(t, page.body, "/resolve", "an auditor reads, an approver decides")
	assert.Equal(t, http.StatusForbidden, carl.post("/batches/payroll-2026-11/items/"+itoa(it.Row)+"/resolve", url.Values{"as": {"succeeded"}, "note": {"x"}}).code)

	bob := h.signIn("bob")
	page = bob.get("/batches/payroll-2026-11/review")
	assert.Contains(t, page.body, "/resolve")
	got := bob.post("/batches/payroll-2026-11/items/"+itoa(it.Row)+"/resolve", url.Values{"as": {"succeeded"}})
	assert.Equal(t, http.StatusBadRequest, got.code, "a decision says what the records show")
	got = bob.post("/batches/payroll-2026-11/items/"+itoa(it.Row)+"/resolve", url.Values{"as": {"succeeded"}, "note": {"paid per the CamPay dashboard"}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	events, err := h.st.Events(ctx, b.ID, it.ID)
	require.NoError(t, err)
	lastEv := events[len(events)-1]
	assert.Equal(t, batch.Succeeded, lastEv.To)
	assert.Equal(t, "bob", lastEv.Actor, "the signed-in user decided")
	item := carl.get("/batches/payroll-2026-11/items/" + itoa(it.Row))
	assert.Contains(t, item.body, "paid per the CamPay dashboard")
}

func TestRejectIsAnEventWithItsApprover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, nil)
	awa := h.signIn("awa")
	require.Equal(t, http.StatusOK, awa.upload(sample("payroll-2026-11.xlsx"), nil).code)
	b, err := h.st.Batch(ctx, "payroll-2026-11")
	require.NoError(t, err)
	bob := h.signIn("bob")
	assert.Equal(t, http.StatusBadRequest, bob.post("/batches/payroll-2026-11/reject", nil).code, "a rejection says why")
	require.Equal(t, http.StatusSeeOther, bob.post("/batches/payroll-2026-11/reject", url.Values{"note": {"wrong month"}}).code)
	events, err := h.st.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	last := events[len(events)-1]
	assert.Equal(t, "approval rejected", last.Cause)
	assert.Equal(t, "wrong month", last.Detail)
	assert.Equal(t, "bob", last.Actor)
	page := awa.get("/batches/payroll-2026-11")
	assert.Contains(t, page.body, "<td>bob</td><td>approval rejected</td><td>wrong month</td>")
	assert.Equal(t, http.StatusForbidden, awa.post("/batches/payroll-2026-11/start", nil).code, "still not approved")
}

// TestStoppingLeavesTheBatchResumable stops a server while its run waits for
// pending payouts: Serve returns, the run has stopped and let go of the
// batch, and what was sent is in the ledger, to be resumed.
func TestStoppingLeavesTheBatchResumable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, nil)
	// a sandbox whose payouts stay pending for an hour
	slow, err := sandbox.New(sandbox.Options{SettleDelay: time.Hour})
	require.NoError(t, err)
	t.Cleanup(func() { slow.Close() })
	sln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go (&http.Server{Handler: slow, ReadHeaderTimeout: time.Second}).Serve(sln)
	t.Cleanup(func() { sln.Close() })
	h.srv.opt.Target.SandboxURL = "http://" + sln.Addr().String()
	b, items := h.planned()

	// the same server, served on a listener of its own, stopped by its context
	ln, err := Listen("127.0.0.1:0", false, false)
	require.NoError(t, err)
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- h.srv.Serve(sctx, ln, "", "") }()
	awa := h.signIn("awa")
	require.Equal(t, http.StatusSeeOther, awa.post("/batches/payroll-2026-11/start", nil).code)
	// wait (bounded) for every item to be sent and pending
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		changed := h.srv.runs.changes(b.ID)
		tot, err := h.st.Totals(ctx, b.ID)
		require.NoError(t, err)
		if tot[batch.Pending].Items == len(items) {
			break
		}
		select {
		case <-changed:
		case <-wctx.Done():
			t.Fatalf("items never all pending: %v", tot)
		}
	}
	again := h.signIn("awa").post("/batches/payroll-2026-11/start", nil)
	assert.Equal(t, http.StatusConflict, again.code, "one run per batch in this process")
	assert.Contains(t, again.body, ErrRunning.Error())
	stop()
	select {
	case err := <-served:
		require.NoError(t, err)
	case <-wctx.Done():
		t.Fatal("Serve did not return")
	}
	assert.False(t, h.srv.runs.running(b.ID))
	other := batch.Owner{PID: 1, Host: "elsewhere", Start: "x", At: h.clock.Now()}
	require.NoError(t, h.st.Lock(ctx, b.ID, other), "the run let go of the batch")
	require.NoError(t, h.st.Unlock(ctx, b.ID, other))
	tot, err := h.st.Totals(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, len(items), tot[batch.Pending].Items, "sent and recorded: resume polls them")
}

func TestListenRefusesPlainRemoteAddresses(t *testing.T) {
	t.Parallel()
	_, err := Listen("0.0.0.0:0", false, false)
	assert.ErrorIs(t, err, ErrPlainRemote)
	for _, c := range []struct{ tls, proxy bool }{{true, false}, {false, true}} {
		ln, err := Listen("0.0.0.0:0", c.tls, c.proxy)
		require.NoError(t, err, "%+v", c)
		ln.Close()
	}
	ln, err := Listen("127.0.0.1:0", false, false)
	require.NoError(t, err)
	ln.Close()
}

// TestABatchHeldByTheCommandLineIsNotStartedTwice: a batch whose lock
// another process holds (a `bulkpay resume` elsewhere) is refused at once;
// once it lets go, the web app pays it.
func TestABatchHeldByTheCommandLineIsNotStartedTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, nil)
	b, items := h.planned()
	cli := batch.Owner{PID: 4242, Host: "another-host", Start: "x", At: h.clock.Now()}
	require.NoError(t, h.st.Lock(ctx, b.ID, cli))
	awa := h.signIn("awa")
	got := awa.post("/batches/payroll-2026-11/start", nil)
	assert.Equal(t, http.StatusConflict, got.code)
	assert.Contains(t, got.body, "is being run by pid 4242 on another-host")
	assert.False(t, h.srv.runs.running(b.ID))
	tot, err := h.st.Totals(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, len(items), tot[batch.Planned].Items, "nothing sent")

	require.NoError(t, h.st.Unlock(ctx, b.ID, cli))
	require.Equal(t, http.StatusSeeOther, awa.post("/batches/payroll-2026-11/start", nil).code)
	last := awa.stream("payroll-2026-11")
	assert.True(t, last[len(last)-1].data.Complete)
}

// TestTheBuiltInSandboxIsOneForTheServer: every run and balance check of a
// server without a sandbox URL or providers pays through one built-in
// sandbox, so that its memory of the payouts is one.
func TestTheBuiltInSandboxIsOneForTheServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, func(o *Options) {
		o.Target = config.Target{LedgerPath: filepath.Join(t.TempDir(), "ledger.db"), BuiltinSettle: 10 * time.Millisecond}
		o.Config.Providers = nil // no provider configured: the built-in sandbox
	})
	require.True(t, h.srv.Sandbox())
	c1, err := h.srv.connect(ctx)
	require.NoError(t, err)
	c2, err := h.srv.connect(ctx)
	require.NoError(t, err)
	c1.Close()
	require.NotEmpty(t, c1.Lanes)
	for name, l := range c1.Lanes {
		assert.Same(t, l.Provider, c2.Lanes[name].Provider, name)
	}
	b, items := h.planned()
	awa := h.signIn("awa")
	require.Equal(t, http.StatusSeeOther, awa.post("/batches/payroll-2026-11/start", nil).code)
	events := awa.stream("payroll-2026-11")
	last := events[len(events)-1].data
	assert.True(t, last.Complete, "%+v", last)
	assert.Equal(t, len(items), last.Done)
	page := awa.get("/batches/" + b.Reference)
	assert.Contains(t, page.body, "SANDBOX")
}
