package batch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/ledger"
	"bulkpay/providers"
	"bulkpay/providers/campay"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/contract"
	"bulkpay/providers/mycoolpay"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
)

type env struct {
	url    string
	t      *testing.T
	st     *ledger.Store
	srv    *sandbox.Server
	client *campay.Client
	b      batch.Batch
	// clock is the time of the simulator and of the runners: a runner's waits
	// (backoffs, Retry-After, poll rounds) move it on without sleeping, and a
	// pending payout settles once the runner has waited past its settle delay.
	clock *providerstest.Clock
}

// newEnv plans n rows into a fresh ledger, with the CamPay simulator behind a client.
func newEnv(t *testing.T, n int, opts sandbox.Options, timeout time.Duration) *env {
	t.Helper()
	ctx := context.Background()
	st, err := ledger.Open(ctx, filepath.Join(t.TempDir(), "l.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	if opts.SettleDelay == 0 {
		opts.SettleDelay = 20 * time.Millisecond
	}
	clock := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	opts.Now = clock.Now
	srv, err := sandbox.New(opts)
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.CloseClientConnections(); hs.Close() })
	c := campay.New(campay.WithBaseURL(hs.URL+"/campay/api"), campay.WithCredentials("u", "p"),
		campay.WithHTTPClient(&http.Client{Timeout: timeout}))
	rows := make([]batch.Row, n)
	for i := range rows {
		rows[i] = batch.Row{Row: i + 2, Name: fmt.Sprintf("Beneficiary %d", i), Phone: fmt.Sprintf("2376771%05d", i),
			Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: int64(1000 + i)}
	}
	router := batch.Routes{Rules: batch.DefaultRules, Configured: map[string]bool{"campay": true}}
	b, items, errs := batch.Plan("test", "s.xlsx", "XAF", rows, router)
	require.Empty(t, errs)
	b, _, err = batch.Prepare(ctx, st, b, items, rows)
	require.NoError(t, err)
	return &env{t: t, st: st, srv: srv, client: c, b: b, url: hs.URL, clock: clock}
}

func (e *env) runner(p batch.Provider) *batch.Runner {
	return &batch.Runner{
		Store:        e.st,
		Lanes:        map[string]batch.Lane{"campay": {Provider: p, Rate: 1000, Burst: 10, Concurrency: 4}},
		RetryBase:    5 * time.Millisecond,
		PollInterval: 10 * time.Millisecond,
		PendingWait:  3 * time.Second,
		Clock:        e.clock,
	}
}

func (e *env) run() batch.Summary {
	e.t.Helper()
	sum, err := e.runner(e.client).Run(context.Background(), e.b)
	require.NoError(e.t, err)
	return sum
}

// paidOnce checks from the simulator's side that every item was paid exactly once
// under its own reference, and that the ledger agrees.
func (e *env) paidOnce() {
	e.t.Helper()
	items, err := e.st.Items(context.Background(), e.b.ID)
	require.NoError(e.t, err)
	byRef := map[string]int{}
	for _, p := range e.srv.Payouts() {
		byRef[p.ClientReference]++
	}
	for _, it := range items {
		assert.Equal(e.t, 1, byRef[it.Reference], "row %d paid %d times", it.Row, byRef[it.Reference])
		assert.Equal(e.t, batch.Succeeded, it.State, "row %d", it.Row)
	}
	assert.Len(e.t, e.srv.Payouts(), len(items))
}

func TestRunPaysEveryItemOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 20, sandbox.Options{}, 2*time.Second)
	sum := e.run()
	assert.Equal(t, 20, sum.Counts[batch.Succeeded])
	assert.True(t, sum.Complete())
	e.paidOnce()

	sum = e.run()
	assert.Equal(t, 20, sum.Counts[batch.Succeeded], "a second run pays nobody again")
	e.paidOnce()
	assertLegalPaths(t, e)
}

func TestTimeoutAfterAcceptIsSettledInTheSameRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 3, sandbox.Options{}, 300*time.Millisecond)
	e.srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.HangAfter})
	e.run()
	e.paidOnce()
	items, _ := e.st.Items(context.Background(), e.b.ID)
	var attempts []batch.Attempt
	for _, it := range items {
		a, _ := e.st.Attempts(context.Background(), it.ID)
		if len(a) > 1 {
			attempts = a
		}
	}
	require.Len(t, attempts, 2, "one item needed a settling resend")
	assert.Equal(t, batch.OutcomeUnknown, attempts[0].Outcome)
	assert.Equal(t, batch.KindSettle, attempts[1].Kind)
	assert.Equal(t, attempts[0].Reference, attempts[1].Reference, "the same reference, never a new one")
	assertLegalPaths(t, e)
}

func TestRateLimitIsRetriedWithTheSameReference(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2, sandbox.Options{}, 2*time.Second)
	e.srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: 429, RetryAfter: 1})
	e.run()
	assert.Contains(t, e.clock.Slept(), time.Second, "Retry-After was honoured")
	e.paidOnce()
	items, _ := e.st.Items(context.Background(), e.b.ID)
	var attempts [][]batch.Attempt
	for _, it := range items {
		a, _ := e.st.Attempts(context.Background(), it.ID)
		attempts = append(attempts, a)
		for _, at := range a {
			assert.Equal(t, it.Reference, at.Reference, "the same reference")
		}
	}
	assert.ElementsMatch(t, []int{1, 2}, []int{len(attempts[0]), len(attempts[1])}, "the refused request was sent again, as a new attempt")
}

func TestNotProcessedGoesBackToPlannedAndIsSentNextRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1, sandbox.Options{}, 2*time.Second)
	e.srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: 429, Times: 10})
	r := e.runner(e.client)
	r.MaxRetries = 2
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Counts[batch.Planned])
	assert.Empty(t, e.srv.Payouts())
	items, _ := e.st.Items(context.Background(), e.b.ID)
	attempts, _ := e.st.Attempts(context.Background(), items[0].ID)
	require.Len(t, attempts, 3, "sent, then resent twice")
	for _, a := range attempts {
		assert.Equal(t, batch.OutcomeNotProcessed, a.Outcome)
		assert.Equal(t, items[0].Reference, a.Reference)
	}
	for i := 0; i < 7; i++ { // use up the remaining faults
		e.client.Send(context.Background(), providers.Payout{Reference: "5b7e8c9d-0a1b-4c2d-9e3f-4a5b6c7d8e9f", Phone: "237677123456", Amount: 1})
	}
	e.run()
	e.paidOnce()
}

func TestDefiniteRefusalFails(t *testing.T) {
	t.Parallel()
	// ER201 (the demo caps amounts) is about this payout: it fails.
	e := newEnv(t, 1, sandbox.Options{CamPay: sandbox.CamPayOptions{MaxAmount: 10}}, 2*time.Second)
	sum := e.run()
	assert.Equal(t, 1, sum.Counts[batch.Failed])
	items, _ := e.st.Items(context.Background(), e.b.ID)
	assert.Contains(t, items[0].Message, "ER201")
	assert.Empty(t, e.srv.Payouts())
}

func TestProviderRunningDryStopsItsLaneOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 4, sandbox.Options{CamPay: sandbox.CamPayOptions{MTNBalance: 2500}}, 2*time.Second)
	r := e.runner(e.client)
	r.Lanes["campay"] = batch.Lane{Provider: e.client, Rate: 1000, Burst: 1, Concurrency: 1}
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Counts[batch.Succeeded], "1000 + 1001 fit in 2500")
	assert.Equal(t, 2, sum.Counts[batch.Planned], "the rest wait, nothing failed")
	items, _ := e.st.Items(context.Background(), e.b.ID)
	assert.Contains(t, items[2].Message, "ER301")
	assertLegalPaths(t, e)
}

func TestProviderFailureIsRecorded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2, sandbox.Options{FailPhones: []string{"237677100001"}}, 2*time.Second)
	sum := e.run()
	assert.Equal(t, 1, sum.Counts[batch.Succeeded])
	assert.Equal(t, 1, sum.Counts[batch.Failed])
}

func TestCrashAfterClaimIsSettledOnNextRun(t *testing.T) {
	t.Parallel()
	for _, reached := range []bool{false, true} {
		t.Run(fmt.Sprintf("request reached provider %v", reached), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 2, sandbox.Options{}, 2*time.Second)
			ctx := context.Background()
			claims, err := e.st.Claim(ctx, e.b.ID, "campay", 2)
			require.NoError(t, err)
			if reached { // the process died after the request left, before the answer was recorded
				for _, c := range claims {
					_, err := e.client.Send(ctx, providers.Payout{Reference: c.Item.Reference, Phone: c.Item.Phone, Amount: c.Item.Amount})
					require.NoError(t, err)
				}
			}
			e.run()
			e.paidOnce()
			evs, _ := e.st.Events(ctx, e.b.ID, claims[0].Item.ID)
			var path []batch.State
			for _, ev := range evs {
				path = append(path, ev.To)
			}
			assert.Equal(t, []batch.State{batch.Planned, batch.Submitting, batch.Unknown, batch.Pending, batch.Succeeded}, path)
		})
	}
}

// blind is a provider that cannot be asked about our reference (no Settle).
type blind struct{ c *campay.Client }

func (b blind) Name() string { return "campay" }
func (b blind) Send(ctx context.Context, p providers.Payout) (providers.Result, error) {
	return b.c.Send(ctx, p)
}
func (b blind) Check(ctx context.Context, ref string) (providers.Result, error) {
	return b.c.Check(ctx, ref)
}

func TestUnknownWithoutSettlerGoesToReview(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1, sandbox.Options{}, 300*time.Millisecond)
	e.srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.HangAfter})
	sum, err := e.runner(blind{e.client}).Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Counts[batch.Review])
	assert.Len(t, e.srv.Payouts(), 1, "never resent blindly")
}

func TestPendingLeftForNextRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2, sandbox.Options{SettleDelay: 700 * time.Millisecond}, 2*time.Second)
	r := e.runner(e.client)
	r.PendingWait = 50 * time.Millisecond
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Counts[batch.Pending])
	// checked on the backoff schedule until PendingWait (TestPendingWaitLeavesAnItemToTheNextRunWhichChecksItAtOnce)
	assert.GreaterOrEqual(t, e.clock.Total(), 50*time.Millisecond, "PendingWait had passed")
	require.NoError(t, e.clock.Sleep(context.Background(), 700*time.Millisecond)) // the provider settles them meanwhile
	e.run()
	e.paidOnce()
}

// cancelling is a provider that cancels the run once it has answered n payouts:
// the run is interrupted with requests in flight.
type cancelling struct {
	*campay.Client
	n      int64
	sent   atomic.Int64
	cancel context.CancelFunc
}

func (c *cancelling) Send(ctx context.Context, p providers.Payout) (providers.Result, error) {
	res, err := c.Client.Send(ctx, p)
	if c.sent.Add(1) == c.n {
		c.cancel()
	}
	return res, err
}

func TestCancelledRunLosesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 30, sandbox.Options{Latency: 5 * time.Millisecond}, 2*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	r := e.runner(&cancelling{Client: e.client, n: 8, cancel: cancel})
	r.Lanes["campay"] = batch.Lane{Provider: r.Lanes["campay"].Provider, Rate: 50, Burst: 1, Concurrency: 2}
	sum, err := r.Run(ctx, e.b)
	require.ErrorIs(t, err, batch.ErrInterrupted)
	assert.Positive(t, sum.Counts[batch.Planned], "interrupted midway")
	assert.Less(t, len(e.srv.Payouts()), 30)
	e.run()
	e.paidOnce()
	assertLegalPaths(t, e)
}

// interrupting cancels the run while its first payout is on the wire: what a
// Ctrl-C, or another lane's error, does to requests in flight.
type interrupting struct {
	*campay.Client
	once   sync.Once
	cancel context.CancelFunc
}

func (c *interrupting) Send(ctx context.Context, p providers.Payout) (providers.Result, error) {
	c.once.Do(c.cancel)
	if ctx.Err() != nil { // the request would be cut off after it left
		return providers.Result{}, &providers.Error{Class: providers.ErrUnknownOutcome, Provider: "campay", Op: "withdraw", Err: ctx.Err()}
	}
	return c.Client.Send(ctx, p)
}

func TestAPayoutOnTheWireIsNotCutOffByAnInterrupt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 3, sandbox.Options{}, 2*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	r := e.runner(&interrupting{Client: e.client, cancel: cancel})
	r.Lanes["campay"] = batch.Lane{Provider: r.Lanes["campay"].Provider, Rate: 50, Burst: 1, Concurrency: 1}
	sum, err := r.Run(ctx, e.b)
	require.ErrorIs(t, err, batch.ErrInterrupted)
	assert.Zero(t, sum.Counts[batch.Unknown]+sum.Counts[batch.Submitting], "the answer of the payout in flight is recorded: %v", sum.Counts)
	assert.Equal(t, 1, sum.Counts[batch.Pending]+sum.Counts[batch.Succeeded], "%v", sum.Counts)
	assert.Len(t, e.srv.Payouts(), 1, "nothing else left after the interrupt")
	e.run()
	e.paidOnce()
	assertLegalPaths(t, e)
}

// assertLegalPaths checks that every item's events follow the state machine.
func assertLegalPaths(t *testing.T, e *env) {
	t.Helper()
	items, _ := e.st.Items(context.Background(), e.b.ID)
	for _, it := range items {
		evs, err := e.st.Events(context.Background(), e.b.ID, it.ID)
		require.NoError(t, err)
		require.NotEmpty(t, evs)
		assert.Equal(t, batch.Planned, evs[0].To)
		for i := 1; i < len(evs); i++ {
			assert.True(t, batch.CanMove(evs[i].From, evs[i].To), "row %d: %s → %s", it.Row, evs[i].From, evs[i].To)
			assert.Equal(t, evs[i-1].To, evs[i].From, "row %d: events chain", it.Row)
		}
	}
}

func TestRefusedCredentialsStopTheLaneAndSay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 3, sandbox.Options{CamPay: sandbox.CamPayOptions{Username: "u", Password: "other"}}, 2*time.Second)
	r := e.runner(e.client)
	r.MaxRetries = 1
	sum, err := r.Run(context.Background(), e.b)
	require.ErrorIs(t, err, providers.ErrAuth)
	assert.Contains(t, err.Error(), "campay stopped")
	assert.Equal(t, 3, sum.Counts[batch.Planned], "nothing sent, nothing lost")
	assert.Empty(t, e.srv.Payouts())
}

// twoLanes pays CM numbers through CamPay, then My-CoolPay on failover.
func twoLanes(t *testing.T, opts sandbox.Options, campayURL string) (*env, *batch.Runner) {
	e := newEnv(t, 3, opts, 2*time.Second)
	ctx := context.Background()
	// re-plan with a route of two providers
	rows := []batch.Row{}
	items, _ := e.st.Items(ctx, e.b.ID)
	for _, it := range items {
		rows = append(rows, batch.Row{Row: it.Row, Name: it.Name, Phone: it.Phone, Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: it.Amount})
	}
	router := batch.Routes{Rules: batch.DefaultRules, Configured: map[string]bool{"campay": true, "mycoolpay": true}}
	b, planned, errs := batch.Plan("failover", "s.xlsx", "XAF", rows, router)
	require.Empty(t, errs)
	b, _, err := batch.Prepare(ctx, e.st, b, planned, rows)
	require.NoError(t, err)
	e.b = b
	cp := e.client
	if campayURL != "" {
		cp = campay.New(campay.WithBaseURL(campayURL), campay.WithCredentials("u", "p"))
	}
	mcp := mycoolpay.New(mycoolpay.WithBaseURL(e.url+"/mycoolpay/api"), mycoolpay.WithKeys("pub", "priv"))
	r := e.runner(cp)
	r.Lanes["mycoolpay"] = batch.Lane{Provider: mcp, Rate: 1000, Burst: 10, Concurrency: 2}
	r.MaxRetries = 1
	return e, r
}

func TestFailoverAfterProviderSideRefusal(t *testing.T) {
	t.Parallel()
	e, r := twoLanes(t, sandbox.Options{CamPay: sandbox.CamPayOptions{UnsupportedCarrier: []string{"MTN"}}}, "")
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Counts[batch.Succeeded])
	items, _ := e.st.Items(context.Background(), e.b.ID)
	for _, it := range items {
		assert.Equal(t, "mycoolpay", it.Provider)
		att, _ := e.st.Attempts(context.Background(), it.ID)
		require.Len(t, att, 2, "each provider tried is its own attempt")
		assert.Equal(t, []string{"campay", "mycoolpay"}, []string{att[0].Provider, att[1].Provider})
		assert.Equal(t, batch.OutcomeRefused, att[0].Outcome)
	}
	for _, p := range e.srv.Payouts() {
		assert.Equal(t, "mycoolpay", p.Provider)
	}
	assert.Len(t, e.srv.Payouts(), 3)
	assertLegalPaths(t, e)
}

func TestFailoverWhenProviderCannotBeReached(t *testing.T) {
	t.Parallel()
	e, r := twoLanes(t, sandbox.Options{}, contract.RefusedURL(t)+"/campay/api")
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Counts[batch.Succeeded])
	assert.Len(t, e.srv.Payouts(), 3)
}

func TestNoFailoverWhileInDoubt(t *testing.T) {
	t.Parallel()
	e, r := twoLanes(t, sandbox.Options{}, "")
	e.srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: 500, Times: 100})
	r.Lanes["campay"] = batch.Lane{Provider: e.client, Rate: 1000, Burst: 10, Concurrency: 1}
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	items, _ := e.st.Items(context.Background(), e.b.ID)
	for _, it := range items {
		assert.Equal(t, "campay", it.Provider, "an outcome in doubt never moves to another provider")
	}
	assert.Zero(t, sum.Counts[batch.Succeeded]+countProvider(e, "mycoolpay"))
}

func countProvider(e *env, name string) int {
	n := 0
	for _, p := range e.srv.Payouts() {
		if p.Provider == name {
			n++
		}
	}
	return n
}

func TestBalanceRefusalDoesNotFailOver(t *testing.T) {
	t.Parallel()
	e, r := twoLanes(t, sandbox.Options{CamPay: sandbox.CamPayOptions{MTNBalance: 10}}, "")
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Counts[batch.Planned], "ER301: the lane stops, the items wait; no failover")
	assert.Empty(t, e.srv.Payouts())
}

// fullDisk is a ledger that cannot record an intent.
type fullDisk struct{ batch.Store }

func (fullDisk) Claim(context.Context, int64, string, int, ...int64) ([]batch.Claim, error) {
	return nil, errors.New("database or disk is full")
}

func TestNothingIsSentWhenTheIntentCannotBeRecorded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 3, sandbox.Options{}, 2*time.Second)
	r := e.runner(e.client)
	r.Store = fullDisk{e.st}
	_, err := r.Run(context.Background(), e.b)
	require.ErrorContains(t, err, "disk is full")
	assert.Empty(t, e.srv.Payouts())
}

// cinetpayBatch plans three Ivorian rows paid through CinetPay in a batch of
// its own (reference ref), with a client of the env's simulator.
func (e *env) cinetpayBatch(t *testing.T, ref string) (batch.Batch, *cinetpay.Client) {
	t.Helper()
	rows := []batch.Row{}
	for i := 0; i < 3; i++ {
		rows = append(rows, batch.Row{Row: i + 2, Name: "CI", Phone: fmt.Sprintf("22501%08d", i), Country: "CI", Operator: "Moov",
			Mode: batch.ModeMobileMoney, Amount: 1000})
	}
	router := batch.Routes{Rules: batch.DefaultRules, Configured: map[string]bool{"cinetpay": true}}
	b, items, errs := batch.Plan(ref, "c.csv", "XOF", rows, router)
	require.Empty(t, errs)
	b, _, err := batch.Prepare(context.Background(), e.st, b, items, rows)
	require.NoError(t, err)
	return b, cinetpay.New(cinetpay.WithBaseURL(e.url+"/cinetpay/v1"), cinetpay.WithCredentials("k", "p"), cinetpay.WithNotifyURL("http://127.0.0.1/n"))
}

func TestChunkResentAfterARefusalBeforeProcessing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1, sandbox.Options{}, 2*time.Second)
	ctx := context.Background()
	b, cp := e.cinetpayBatch(t, "chunk")
	e.b = b
	e.srv.AddFault(sandbox.Fault{Provider: "cinetpay", Op: "send", Kind: sandbox.Status, Status: 429, Times: 2})
	r := &batch.Runner{Store: e.st, Lanes: map[string]batch.Lane{"cinetpay": {Provider: cp, Rate: 100, Burst: 5, Concurrency: 1}},
		RetryBase: 5 * time.Millisecond, PollInterval: 10 * time.Millisecond, PendingWait: 3 * time.Second, Clock: e.clock}
	sum, err := r.Run(ctx, b)
	require.NoError(t, err, "closing the refused attempts and opening new ones must not collide")
	assert.Equal(t, 3, sum.Counts[batch.Succeeded])
	assert.Len(t, e.srv.Payouts(), 3)
	got, _ := e.st.Items(ctx, b.ID)
	att, _ := e.st.Attempts(ctx, got[0].ID)
	require.Len(t, att, 3, "sent, refused twice before processing, the same reference each time")
	assert.Equal(t, []string{batch.OutcomeNotProcessed, batch.OutcomeNotProcessed, batch.OutcomeAccepted}, []string{att[0].Outcome, att[1].Outcome, att[2].Outcome})
	findings, err := batch.Verify(ctx, e.st, b)
	require.NoError(t, err)
	assert.Empty(t, findings)
}

func TestSlowedLaneKeepsATenthOfItsPace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1, sandbox.Options{}, 2*time.Second)
	// twenty 429s in a row, each asking to wait a second
	e.srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: 429, RetryAfter: 1, Times: 20})
	r := e.runner(e.client)
	r.Lanes["campay"] = batch.Lane{Provider: e.client, Rate: 50, Burst: 1, Concurrency: 1}
	r.MaxRetries = 25
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Counts[batch.Succeeded])
	waited := e.clock.Total() // the resends' waits, and a few poll rounds of 10ms
	assert.GreaterOrEqual(t, waited, 20*time.Second, "each Retry-After was honoured")
	// at 5 requests/s a resend a second later finds its token; halved twenty
	// times, to 0.2 requests/s, each would wait 5 s more
	assert.Less(t, waited, 25*time.Second, "a tenth of 50 is 5/s, not 0.2")
}

func TestALaneThatGetsOnlyRefusalsHalts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 4, sandbox.Options{}, 2*time.Second)
	e.srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: 429, Times: 100})
	r := e.runner(e.client)
	r.Lanes["campay"] = batch.Lane{Provider: e.client, Rate: 1000, Burst: 10, Concurrency: 1}
	r.MaxRetries = 2
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err, "a provider refusing to process is no reason to stop the other lanes")
	assert.Equal(t, 4, sum.Counts[batch.Planned], "nothing moved: every item waits for the next run")
	items, _ := e.st.Items(context.Background(), e.b.ID)
	var tried []int
	for _, it := range items {
		att, _ := e.st.Attempts(context.Background(), it.ID)
		tried = append(tried, len(att))
	}
	assert.Equal(t, []int{3, 0, 0, 0}, tried, "once the first item's resends are spent the lane claims nothing more")
	assert.Empty(t, e.srv.Payouts())
}

func TestRunDoesNotChangeItsRunner(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2, sandbox.Options{}, 2*time.Second)
	lane := batch.Lane{Provider: e.client, Rate: 1000}
	r := &batch.Runner{Store: e.st, Lanes: map[string]batch.Lane{"campay": lane}, Clock: e.clock}
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Counts[batch.Succeeded])
	assert.Zero(t, r.PollInterval)
	assert.Zero(t, r.PendingWait)
	assert.Zero(t, r.MaxRetries)
	assert.Zero(t, r.RetryBase)
	assert.Nil(t, r.Log)
	assert.Equal(t, lane, r.Lanes["campay"], "the lane keeps its zero Burst, Concurrency and Caller")
	assert.Contains(t, e.clock.Slept(), 2*time.Second, "the default poll interval was used all the same")
}

// opsSeen is a providers.Caller that records what each call said of itself
// before passing it to the provider's stack.
type opsSeen struct {
	next providers.Caller
	mu   sync.Mutex
	ops  map[string]providers.Op
	n    map[string]int
}

func (o *opsSeen) Call(ctx context.Context, op providers.Op, fn func(context.Context) error) error {
	o.mu.Lock()
	if o.ops == nil {
		o.ops, o.n = map[string]providers.Op{}, map[string]int{}
	}
	o.ops[op.Name] = op
	o.n[op.Name]++
	o.mu.Unlock()
	return o.next.Call(ctx, op, fn)
}

func (o *opsSeen) op(name string) (providers.Op, int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.ops[name], o.n[name]
}

// Every call the runner makes to a provider goes through the lane's Caller:
// a send is resent only while not processed, a settling lookup or resend is
// idempotent, a status round is asked once (the next round asks again).
func TestEveryCallGoesThroughTheLanesCaller(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 3, sandbox.Options{}, 300*time.Millisecond)
	e.srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.HangAfter})
	seen := &opsSeen{next: providers.Stack(providers.Options{Provider: "campay", Clock: e.clock,
		Retry: providers.Retry{Base: time.Millisecond}})}
	r := e.runner(e.client)
	r.Lanes["campay"] = batch.Lane{Provider: e.client, Caller: seen, Concurrency: 2}
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Counts[batch.Succeeded])
	e.paidOnce()

	send, sends := seen.op("send")
	assert.Equal(t, 3, sends, "one call per item; the payout in doubt is not resent by the Caller")
	assert.False(t, send.Idempotent)
	assert.NotNil(t, send.BeforeRetry, "each resend opens a new attempt")
	settle, settles := seen.op("settle")
	assert.Equal(t, 1, settles, "the payout in doubt is settled by reference")
	assert.True(t, settle.Idempotent)
	status, polls := seen.op("status")
	assert.Positive(t, polls)
	assert.True(t, status.Idempotent)
	assert.Negative(t, status.Retries, "a status round is not resent: the next round asks again")
}

func TestContactsGoThroughTheLanesCaller(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1, sandbox.Options{}, 2*time.Second)
	ctx := context.Background()
	b, cp := e.cinetpayBatch(t, "contacts")
	// the first contacts call is refused before processing: it is sent again
	e.srv.AddFault(sandbox.Fault{Provider: "cinetpay", Op: "contact", Kind: sandbox.Status, Status: 503})
	seen := &opsSeen{next: providers.Stack(providers.Options{Provider: "cinetpay", Clock: e.clock})}
	r := &batch.Runner{Store: e.st, Lanes: map[string]batch.Lane{"cinetpay": {Provider: cp, Caller: seen}},
		PollInterval: 10 * time.Millisecond, Clock: e.clock}
	sum, err := r.Run(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Counts[batch.Succeeded])
	contacts, n := seen.op("contacts")
	assert.Equal(t, 1, n, "one chunk of contacts")
	assert.True(t, contacts.Idempotent, "adding a contact twice is harmless")
	known, err := e.st.Contacts(ctx, "cinetpay")
	require.NoError(t, err)
	assert.Len(t, known, 3)
}

func TestAClaimStillHeldProvesNothingLeftAndIsSentAgain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		held    bool // claimed held (the runner holds a blind provider's claims)
		release bool // released: the request may have left
		reached bool // it did reach the provider
		want    batch.State
		payouts int
	}{
		{"killed after the claim, before the release: sent again, paid once", true, false, false, batch.Succeeded, 1},
		{"released and paid, answer lost: a person checks", true, true, true, batch.Review, 1},
		{"released, killed before the write: it may have left, a person checks", true, true, false, batch.Review, 0},
		{"a claim not held (an older run's): a person checks", false, false, false, batch.Review, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 1, sandbox.Options{}, 2*time.Second)
			ctx := context.Background()
			claim := e.st.Claim
			if tt.held {
				claim = e.st.ClaimHeld
			}
			claims, err := claim(ctx, e.b.ID, "campay", 1)
			require.NoError(t, err)
			require.Len(t, claims, 1)
			c := claims[0]
			if tt.release {
				require.NoError(t, e.st.Release(ctx, c.AttemptID))
			}
			if tt.reached {
				_, err := e.client.Send(ctx, providers.Payout{Reference: c.Item.Reference, Phone: c.Item.Phone, Amount: c.Item.Amount})
				require.NoError(t, err)
			}
			_, err = e.runner(blind{e.client}).Run(ctx, e.b)
			require.NoError(t, err)
			it, err := e.st.Item(ctx, c.Item.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.want, it.State)
			assert.Len(t, e.srv.Payouts(), tt.payouts, "never paid twice")
			for _, p := range e.srv.Payouts() {
				assert.Equal(t, c.Item.Reference, p.ClientReference, "the same reference")
			}
			atts, err := e.st.Attempts(ctx, c.Item.ID)
			require.NoError(t, err)
			for _, a := range atts {
				assert.False(t, a.FinishedAt.IsZero(), "no attempt left open")
			}
			if tt.want == batch.Succeeded {
				require.Len(t, atts, 2)
				assert.Equal(t, batch.OutcomeNotProcessed, atts[0].Outcome, "the held attempt closed as never sent")
			}
		})
	}
}

// releases counts the releases of held attempts.
type releases struct {
	*ledger.Store
	n atomic.Int64
}

func (r *releases) Release(ctx context.Context, attemptID int64) error {
	r.n.Add(1)
	return r.Store.Release(ctx, attemptID)
}

func TestAResendOfABlindProvidersPayoutIsHeldUntilItLeaves(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1, sandbox.Options{}, 2*time.Second)
	e.srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: 429, RetryAfter: 1})
	st := &releases{Store: e.st}
	r := e.runner(blind{e.client})
	r.Store = st
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Counts[batch.Succeeded])
	assert.Len(t, e.srv.Payouts(), 1)
	assert.Equal(t, int64(2), st.n.Load(), "the claim and its resend, each released just before it left")
	items, err := e.st.Items(context.Background(), e.b.ID)
	require.NoError(t, err)
	atts, err := e.st.Attempts(context.Background(), items[0].ID)
	require.NoError(t, err)
	require.Len(t, atts, 2)
	assert.Equal(t, batch.OutcomeNotProcessed, atts[0].Outcome)
	assert.Equal(t, batch.KindRetry, atts[1].Kind)
	assert.Equal(t, batch.OutcomeAccepted, atts[1].Outcome)

	// a resend opened and the run killed before it left: planned again
	e2 := newEnv(t, 1, sandbox.Options{}, 2*time.Second)
	claims, err := e2.st.ClaimHeld(context.Background(), e2.b.ID, "campay", 1)
	require.NoError(t, err)
	require.NoError(t, e2.st.Release(context.Background(), claims[0].AttemptID))
	require.NoError(t, e2.st.Apply(context.Background(), batch.Change{ItemID: claims[0].Item.ID,
		Attempt: &batch.AttemptEnd{ID: claims[0].AttemptID, Outcome: batch.OutcomeNotProcessed, Response: "429"}}))
	_, err = e2.st.StartHeld(context.Background(), claims[0].Item.ID, batch.KindRetry)
	require.NoError(t, err)
	sum, err = e2.runner(blind{e2.client}).Run(context.Background(), e2.b)
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Counts[batch.Succeeded], "the resend never left: sent by the next run, not left to a person")
	assert.Len(t, e2.srv.Payouts(), 1)
}

// releaseFails is a ledger whose releases do not reach the main file.
type releaseFails struct{ *ledger.Store }

func (releaseFails) Release(context.Context, int64) error {
	return errors.New("checkpoint: disk I/O error")
}

func TestARequestWhoseReleaseFailsNeverLeavesAndIsPlannedAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2, sandbox.Options{}, 2*time.Second)
	r := e.runner(blind{e.client})
	r.Store = releaseFails{e.st}
	_, err := r.Run(context.Background(), e.b)
	require.ErrorContains(t, err, "disk I/O error", "the run stops: the ledger failed")
	assert.Empty(t, e.srv.Payouts(), "nothing sent")
	items, err := e.st.Items(context.Background(), e.b.ID)
	require.NoError(t, err)
	for _, it := range items {
		assert.Equal(t, batch.Planned, it.State, "row %d: sent by the next run, not left in doubt", it.Row)
	}
}

// At rate unlimited a CamPay worker claims sixteen items at once (CamPay
// settles by our reference); when its lane stops (the balance ran out) the
// items it claimed and did not send go back to planned, none sent, none left
// in doubt, and the items after them were never claimed.
func TestClaimsAheadAtUnlimitedRateArePlannedAgainWhenTheLaneStops(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 20, sandbox.Options{CamPay: sandbox.CamPayOptions{MTNBalance: 2500}}, 2*time.Second)
	r := e.runner(e.client)
	r.Lanes["campay"] = batch.Lane{Provider: e.client, Concurrency: 1} // rate unlimited
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Counts[batch.Succeeded], "1000 + 1001 fit in 2500")
	assert.Equal(t, 18, sum.Counts[batch.Planned], "the rest wait, nothing failed, nothing in doubt")
	sent := map[string]bool{}
	for _, p := range e.srv.Payouts() {
		sent[p.ClientReference] = true
	}
	items, err := e.st.Items(context.Background(), e.b.ID)
	require.NoError(t, err)
	for i, it := range items {
		evs, err := e.st.Events(context.Background(), e.b.ID, it.ID)
		require.NoError(t, err)
		var path []batch.State
		for _, ev := range evs {
			path = append(path, ev.To)
		}
		switch {
		case i < 2:
			assert.Equal(t, []batch.State{batch.Planned, batch.Submitting, batch.Pending, batch.Succeeded}, path, "row %d", it.Row)
		case i == 2: // its request was refused: ER301
			assert.Equal(t, []batch.State{batch.Planned, batch.Submitting, batch.Planned}, path, "row %d", it.Row)
		case i < 16: // claimed with the first sixteen, never sent
			assert.False(t, sent[it.Reference], "row %d", it.Row)
			assert.Equal(t, []batch.State{batch.Planned, batch.Submitting, batch.Planned}, path, "row %d", it.Row)
			assert.Contains(t, evs[len(evs)-1].Cause, "claimed ahead", "row %d", it.Row)
		default: // never claimed
			assert.False(t, sent[it.Reference], "row %d", it.Row)
			assert.Equal(t, []batch.State{batch.Planned}, path, "row %d", it.Row)
		}
	}
	assertLegalPaths(t, e)
}
