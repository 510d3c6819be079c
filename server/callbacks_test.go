package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/ledger"
	"bulkpay/providers"
	"bulkpay/providers/campay"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// cbRig is bulkpay serve on a fresh ledger, called back over HTTP on
// 127.0.0.1 by a sandbox on a clock that moves only when told, and the
// provider clients a run would send with (each item names its own
// notification URL below the server's).
type cbRig struct {
	t     *testing.T
	rig   *sandboxtest.Rig
	st    *ledger.Store
	url   string
	srv   *Server
	lanes map[string]batch.Lane
	// parsers read each provider's callbacks, as the server does
	parsers map[string]providers.CallbackParser
}

// sendOps is each provider's operation that pays, as the sandbox's faults name it.
var sendOps = map[string]string{"campay": "withdraw", "cinetpay": "send", "mycoolpay": "payout", "camoo": "cashout", "momo": "transfer"}

func newCBRig(t *testing.T, provider, faults string) *cbRig {
	t.Helper()
	return newCBRigWith(t, config.Default(), provider, faults, provider == "momo") // MoMo calls back only the URL each transfer names
}

// newCBRigWith is a cbRig serving cfg; perPayout says the provider calls back
// only the URL each payout names, none configured in the sandbox.
func newCBRigWith(t *testing.T, cfg config.Config, provider, faults string, perPayout bool) *cbRig {
	t.Helper()
	ctx := context.Background()
	st, err := ledger.Open(ctx, filepath.Join(t.TempDir(), "ledger.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	rules, err := sandbox.ParseRules(faults)
	require.NoError(t, err)
	rig := sandboxtest.New(t, sandbox.Options{Rules: rules})
	target := config.Target{SandboxURL: rig.URL, LedgerPath: st.Path()}
	parsers, skipped, err := cfg.Callbacks(target)
	require.NoError(t, err)
	require.Empty(t, skipped)
	// CamPay's tokens expire: they are checked on the sandbox's clock
	parsers[campay.Name], err = campay.NewCallbacks(sandbox.DefaultCallbackKey, campay.WithCallbackClock(rig.Clock.Now))
	require.NoError(t, err)
	srv, err := New(Options{Store: st, Users: st, Config: cfg, Target: target, Callbacks: parsers, Now: rig.Clock.Now, RevisitEvery: -1,
		Owner: batch.Owner{PID: os.Getpid(), Host: "test", Start: "1"}})
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	urls := map[string]string{provider: ts.URL + providers.CallbackPath(provider)}
	if perPayout {
		urls = nil
	}
	require.NoError(t, rig.Server.SetCallbacks(sandbox.CallbackOptions{Enabled: true, URLs: urls,
		OnDelivery: func(d sandbox.Delivery) { rig.Delivered <- d }}))
	send := cfg
	send.PublicURL = ts.URL
	conn, err := send.Connect(ctx, target)
	require.NoError(t, err)
	t.Cleanup(conn.Close)
	return &cbRig{t: t, rig: rig, st: st, url: ts.URL, srv: srv, lanes: conn.Lanes, parsers: parsers}
}

// sent stores a one-item batch paid by provider and sends its payout the way
// a run does; record says whether the answer (unknown, the sandbox's faults
// break it) is recorded: Submitting → Unknown. It returns the item.
func (r *cbRig) sent(provider string, record bool) batch.Item {
	r.t.Helper()
	ctx := context.Background()
	b := batch.Batch{Reference: "cb-" + provider, Currency: "XAF", TotalAmount: 1500}
	require.NoError(r.t, r.st.CreateBatch(ctx, &b, []batch.Item{{Row: 2, Reference: uuid.NewString(), Provider: provider,
		Route: []string{provider}, Name: "Awa Ndiaye", Phone: "237677123456", Country: "CM", Operator: "MTN",
		Mode: batch.ModeMobileMoney, Amount: 1500, PayAmount: 1500}}))
	claims, err := r.st.Claim(ctx, b.ID, provider, 1)
	require.NoError(r.t, err)
	require.Len(r.t, claims, 1)
	it := claims[0].Item
	prov := r.lanes[provider].Provider
	if ca, ok := prov.(batch.ContactAdder); ok {
		_, err := ca.AddContacts(ctx, []providers.Contact{{Phone: it.Phone, Country: "CM", Name: it.Name}})
		require.NoError(r.t, err)
	}
	_, err = prov.Send(ctx, providers.Payout{Reference: it.Reference, Phone: it.Phone, Country: "CM", Operator: "MTN",
		Amount: 1500, Currency: "XAF", Name: it.Name, Description: "salary"})
	if provider == "momo" {
		// MoMo answers 202 without a body: its answer is lost as a crash
		// after the request left would lose it
		require.NoError(r.t, err)
		err = &providers.Error{Class: providers.ErrUnknownOutcome, Provider: provider, Op: "send", Message: "killed after the request left"}
	}
	require.ErrorIs(r.t, err, providers.ErrUnknownOutcome, "the sandbox processed the payout and broke its answer")
	if record {
		require.NoError(r.t, r.st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Submitting, To: batch.Unknown,
			Cause: "no definite answer from the provider", Message: err.Error(),
			Attempt: &batch.AttemptEnd{ID: claims[0].AttemptID, Outcome: batch.OutcomeUnknown, Response: err.Error()}}))
	}
	return r.item(it)
}

func (r *cbRig) item(it batch.Item) batch.Item {
	r.t.Helper()
	items, err := r.st.Items(context.Background(), it.BatchID)
	require.NoError(r.t, err)
	return items[0]
}

// advance moves the sandbox's clock on by d and waits for every callback it
// sent to be answered: the kinds sent and the status each got.
func (r *cbRig) advance(d time.Duration) map[string][]int {
	r.t.Helper()
	out := map[string][]int{}
	for range r.rig.Advance(r.t, d) {
		got := <-r.rig.Delivered
		out[got.Kind] = append(out[got.Kind], got.HTTPStatus)
	}
	return out
}

// verdicts are the callback log's verdicts, in order.
func (r *cbRig) verdicts() []string {
	r.t.Helper()
	logged, err := r.st.Callbacks(context.Background())
	require.NoError(r.t, err)
	var out []string
	for _, c := range logged {
		out = append(out, c.Verdict)
	}
	return out
}

// callbackMoves are the events of it that a callback moved.
func (r *cbRig) callbackMoves(it batch.Item) []batch.Event {
	r.t.Helper()
	events, err := r.st.Events(context.Background(), it.BatchID, it.ID)
	require.NoError(r.t, err)
	var out []batch.Event
	for _, e := range events {
		if e.Cause == batch.CauseCallback && e.To != "" {
			out = append(out, e)
		}
	}
	return out
}

// Per provider: a forged callback is refused (CinetPay's, unsigned, is
// believed no more than any: the lookup by our reference decides) and changes
// nothing; the genuine one for an item whose answer was lost settles it after
// the lookup; its copy and a stale one after it change nothing.
func TestCallbacksSettleAnUnknownItemOnlyAfterTheLookup(t *testing.T) {
	t.Parallel()
	for _, provider := range []string{"campay", "cinetpay", "mycoolpay", "camoo", "momo"} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			r := newCBRig(t, provider, provider+"."+sendOps[provider]+":malformed; "+provider+":callback-forged; "+
				provider+":callback-duplicate; "+provider+":callback-out-of-order")
			it := r.sent(provider, true)
			require.Equal(t, batch.Unknown, it.State)
			require.Empty(t, it.ProviderReference, "the answer that carried it was lost")

			got := r.advance(time.Minute)
			assert.Equal(t, []int{http.StatusOK}, got["final"])
			assert.Equal(t, []int{http.StatusOK}, got["duplicate"])
			assert.Equal(t, []int{http.StatusOK}, got["stale"])
			want := []string{batch.VerdictRefused, batch.VerdictSettled, batch.VerdictUnchanged, batch.VerdictUnchanged}
			if provider == "cinetpay" {
				// unsigned: the forged one (claiming a failure) is looked up
				// like any other, and the lookup by our reference says what
				// became of the payout; the genuine one's empty ping first
				assert.Equal(t, []int{http.StatusOK}, got["forged"])
				assert.Equal(t, []int{http.StatusOK}, got["ping"])
				want = []string{batch.VerdictSettled, batch.VerdictPing, batch.VerdictUnchanged, batch.VerdictUnchanged, batch.VerdictUnchanged}
			} else if provider == "momo" {
				// unsigned too: the forged one (claiming a failure) is looked
				// up by our reference (MoMo's transfer id), which says paid;
				// it reached the item's own URL, the one its transfer named
				assert.Equal(t, []int{http.StatusOK}, got["forged"])
				want = []string{batch.VerdictSettled, batch.VerdictUnchanged, batch.VerdictUnchanged, batch.VerdictUnchanged}
			} else {
				assert.Equal(t, []int{http.StatusUnauthorized}, got["forged"], "refused: bad signature")
			}
			assert.Equal(t, want, r.verdicts())

			it = r.item(it)
			assert.Equal(t, batch.Succeeded, it.State, "the sandbox paid it: the lookup says so")
			assert.NotEmpty(t, it.ProviderReference, "learnt from the callback and the lookup")
			moves := r.callbackMoves(it)
			require.Len(t, moves, 1, "settled once, whatever came after")
			assert.Equal(t, batch.Unknown, moves[0].From)
			assert.Equal(t, "callback:"+provider, moves[0].Actor)
			assert.Contains(t, moves[0].Detail, "lookup")
		})
	}
}

// An item a person was left with (My-CoolPay and Camoo cannot be asked about
// our reference) is settled by the genuine callback; a forged one before it
// is refused and kept with its source and what it carried.
func TestCallbacksSettleAnItemInReview(t *testing.T) {
	t.Parallel()
	for _, provider := range []string{"mycoolpay", "camoo"} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			r := newCBRig(t, provider, provider+"."+sendOps[provider]+":malformed; "+provider+":callback-forged")
			it := r.sent(provider, true)
			require.NoError(t, r.st.Apply(context.Background(), batch.Change{ItemID: it.ID, From: batch.Unknown, To: batch.Review,
				Cause: provider + " cannot be asked about our reference: a person must check"}))

			got := r.advance(time.Minute)
			assert.Equal(t, []int{http.StatusUnauthorized}, got["forged"])
			assert.Equal(t, []int{http.StatusOK}, got["final"])
			assert.Equal(t, batch.Succeeded, r.item(it).State)
			moves := r.callbackMoves(it)
			require.Len(t, moves, 1)
			assert.Equal(t, batch.Review, moves[0].From)

			logged, err := r.st.Callbacks(context.Background())
			require.NoError(t, err)
			require.Equal(t, batch.VerdictRefused, logged[0].Verdict)
			assert.Equal(t, "127.0.0.1", logged[0].SourceAddr)
			assert.NotEmpty(t, logged[0].Raw, "what the forger sent is the evidence")
			assert.Zero(t, logged[0].ItemID, "a refused callback is tied to nothing")
		})
	}
}

// A callback that comes before our own answer is recorded leaves the item
// to its run; one that comes after a person settled the item changes
// nothing; one for a reference bulkpay never sent is kept as a finding.
func TestCallbacksEarlyLateAndUnknownChangeNothingWrong(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("before our answer", func(t *testing.T) {
		t.Parallel()
		r := newCBRig(t, "mycoolpay", "mycoolpay.payout:malformed")
		it := r.sent("mycoolpay", false)
		require.Equal(t, batch.Submitting, it.State)
		assert.Equal(t, []int{http.StatusOK}, r.advance(time.Minute)["final"])
		assert.Equal(t, batch.Submitting, r.item(it).State, "the run's answer decides first")
		assert.Equal(t, []string{batch.VerdictUnchanged}, r.verdicts())
		assert.Empty(t, r.callbackMoves(it))

		// the run lost the answer after all and left the item to a person:
		// the callback kept in the log settles it (serve revisits on a ticker)
		require.NoError(t, r.st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Submitting, To: batch.Unknown, CloseOpen: true, Cause: "recovered"}))
		require.NoError(t, r.st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Unknown, To: batch.Review, Cause: "a person must check"}))
		r.srv.Revisit(ctx)
		assert.Equal(t, batch.Succeeded, r.item(it).State)
		require.Len(t, r.callbackMoves(it), 1)
		assert.Equal(t, []string{batch.VerdictUnchanged, batch.VerdictSettled}, r.verdicts())
	})
	t.Run("late", func(t *testing.T) {
		t.Parallel()
		r := newCBRig(t, "camoo", "camoo.cashout:malformed; camoo:callback-late=10m")
		it := r.sent("camoo", true)
		require.NoError(t, r.st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Unknown, To: batch.Review, Cause: "review"}))
		_, err := batch.Resolve(ctx, r.st, []batch.Item{r.item(it)}, it.Reference, batch.Decision{To: batch.Failed, By: "bob",
			Note: "Camoo's dashboard shows nothing yet"})
		require.NoError(t, err)
		assert.Empty(t, r.advance(time.Minute), "not yet")
		assert.Equal(t, []int{http.StatusOK}, r.advance(10 * time.Minute)["final"])
		assert.Equal(t, batch.Failed, r.item(it).State, "a final state never moves back")
		assert.Equal(t, []string{batch.VerdictUnchanged}, r.verdicts())
		events, err := r.st.Events(ctx, it.BatchID, 0)
		require.NoError(t, err)
		last := events[len(events)-1]
		assert.Equal(t, batch.CauseCallback, last.Cause)
		assert.Contains(t, last.Detail, "already failed", "the callback is noted for whoever looks again")
	})
	t.Run("never sent", func(t *testing.T) {
		t.Parallel()
		r := newCBRig(t, "camoo", "")
		// a payout made at Camoo under a reference no batch holds
		_, err := r.lanes["camoo"].Provider.Send(ctx, providers.Payout{Reference: uuid.NewString(), Phone: "237677123456",
			Country: "CM", Operator: "MTN", Amount: 900, Currency: "XAF", Name: "Stranger"})
		require.NoError(t, err)
		assert.Equal(t, []int{http.StatusOK}, r.advance(time.Minute)["final"])
		logged, err := r.st.Callbacks(ctx)
		require.NoError(t, err)
		require.Len(t, logged, 1)
		assert.Equal(t, batch.VerdictUnmatched, logged[0].Verdict)
		assert.True(t, strings.Contains(logged[0].Detail, "kept for reconciliation"), logged[0].Detail)
	})
}
