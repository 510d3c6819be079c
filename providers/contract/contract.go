package contract

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"bulkpay/providers"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// Suite describes one provider client to the contract tests.
type Suite struct {
	Name   string // the provider's name, as the sandbox lists it
	SendOp string // the sandbox's name for the send operation (for faults)
	// New returns a client whose base is the sandbox at root (http://127.0.0.1:port).
	New func(root string, hc *http.Client) batch.Provider
	// Payee is a payout the provider accepts; Refused one it definitely refuses.
	Payee, Refused providers.Payout
	// ExpireTokens ends the provider's tokens early; nil for providers without tokens.
	ExpireTokens func(*sandbox.Server)
	// Settles says whether an outcome in doubt is settled automatically (CamPay,
	// CinetPay) or goes to review (My-CoolPay, Camoo).
	Settles bool
	// Secrets are the credentials New gives the client: none may appear in an error.
	Secrets []string
	// Simulator is the name the sandbox records the provider's payouts and
	// takes its faults under, when it is not Name (cinetpay-api: the 2026
	// API of CinetPay speaks for the provider cinetpay).
	Simulator string
	// Sent is our reference as the provider records it, when it is not sent
	// as it is (CinetPay's 2026 API takes at most 30 characters); nil: as is.
	Sent func(reference string) string
}

// simulator is the sandbox's name for the provider.
func (s Suite) simulator() string { return providers.Or(s.Simulator, s.Name) }

// paid is how many payouts the sandbox holds under reference.
func (s Suite) paid(srv *sandbox.Server, reference string) int {
	if s.Sent != nil {
		reference = s.Sent(reference)
	}
	return ours(srv, s.simulator(), reference)
}

type env struct {
	srv  *sandbox.Server
	root string
	// clock is the simulator's time: a test moves it past a payout's settle
	// delay instead of waiting, and the runner waits on it.
	clock *providerstest.Clock
}

func start(t *testing.T, opts sandbox.Options) env {
	t.Helper()
	return startWith(t, opts, nil)
}

// startWith starts the sandbox behind wrap (nil for none).
func startWith(t *testing.T, opts sandbox.Options, wrap func(http.Handler) http.Handler) env {
	t.Helper()
	if opts.SettleDelay == 0 {
		opts.SettleDelay = 30 * time.Millisecond
	}
	clock := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	opts.Now = clock.Now
	srv := sandboxtest.Sandbox(t, opts)
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(srv)
	}
	return env{srv: srv, root: sandboxtest.Serve(t, srv, h), clock: clock}
}

func (s Suite) client(e env, timeout time.Duration) batch.Provider {
	return s.New(e.root, &http.Client{Timeout: timeout})
}

// payee returns the suite's payee under a fresh reference, registered as a
// contact where the provider needs it.
func (s Suite) payee(t *testing.T, p batch.Provider, tmpl providers.Payout, _ int) providers.Payout {
	t.Helper()
	tmpl.Reference = uuid.NewString() // a UUID4, as bulkpay plans them (CamPay requires one)
	if ca, ok := p.(batch.ContactAdder); ok {
		errs, err := ca.AddContacts(context.Background(), []providers.Contact{{Phone: tmpl.Phone, Country: tmpl.Country, Name: tmpl.Name}})
		require.NoError(t, err)
		require.NoError(t, errs[0])
	}
	return tmpl
}

func ours(srv *sandbox.Server, provider, ref string) int {
	n := 0
	for _, p := range srv.Payouts() {
		if p.Provider == provider && p.ClientReference == ref {
			n++
		}
	}
	return n
}

// final moves the simulator's clock past the payout's settle delay and asks
// for its status, which must then be final.
func final(t *testing.T, e env, p batch.Provider, ref string, settle time.Duration) providers.Result {
	t.Helper()
	require.NoError(t, e.clock.Sleep(context.Background(), settle))
	r, err := p.Check(context.Background(), ref)
	require.NoError(t, err)
	require.NotEqual(t, providers.StatusPending, r.Status, "final once the settle delay has passed")
	return r
}

// Run runs every contract test, side by side: each has its own simulator.
func (s Suite) Run(t *testing.T) {
	for _, c := range []struct {
		name string
		test func(*testing.T)
	}{
		{"success", s.success},
		{"definite failure", s.definiteFailure},
		{"pending then failed", s.pendingThenFailed},
		{"token expiry mid-run", s.tokenExpiry},
		{"429 with Retry-After", s.rateLimited},
		{"5xx", s.serverError},
		{"timeout after accepted", s.timeoutAfterAccepted},
		{"balance", s.balance},
		{"currency", s.currency},
		{"answer larger than the limit", s.answerTooLarge},
		{"no secret in errors", s.noSecrets},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.test(t)
		})
	}
}

// padded adds trailing blanks to every answer while on: still valid JSON, but
// larger than a client reads.
type padded struct {
	h  http.Handler
	on atomic.Bool
}

func (p *padded) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.on.Load() {
		p.h.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
	w.Write(bytes.Repeat([]byte(" "), providers.MaxAnswer))
}

// answerTooLarge: the provider processes the payout and answers more than a
// client reads. A cut answer would still read as JSON here; the client must
// instead say the outcome is in doubt, so that it is settled, never sent twice.
func (s Suite) answerTooLarge(t *testing.T) {
	pad := &padded{}
	e := startWith(t, sandbox.Options{}, func(h http.Handler) http.Handler { pad.h = h; return pad })
	c := s.client(e, 5*time.Second)
	p := s.payee(t, c, s.Payee, 10)
	if bl, ok := c.(batch.Balancer); ok {
		_, err := bl.Balances(context.Background()) // takes a token where there is one
		require.NoError(t, err)
	}
	pad.on.Store(true)
	_, err := c.Send(context.Background(), p)
	require.ErrorIs(t, err, providers.ErrUnknownOutcome)
	assert.Contains(t, err.Error(), "answer larger than")
	assert.Equal(t, 1, s.paid(e.srv, p.Reference), "the provider did process it")
}

// noSecrets: whatever fails (a refused connection, a timeout, a refusal), the
// error names none of the client's credentials nor a query string.
func (s Suite) noSecrets(t *testing.T) {
	require.NotEmpty(t, s.Secrets, "the suite is told the credentials")
	e := start(t, sandbox.Options{})
	closed := RefusedURL(t)
	ctx := context.Background()
	live := s.client(e, 300*time.Millisecond)
	p := s.payee(t, live, s.Payee, 11)
	e.srv.AddFault(sandbox.Fault{Provider: s.simulator(), Op: s.SendOp, Kind: sandbox.HangBefore})
	_, hung := live.Send(ctx, p)
	_, refused := s.New(closed, &http.Client{Timeout: time.Second}).Send(ctx, p)
	_, definite := live.Send(ctx, s.payee(t, live, s.Refused, 12))
	_, checked := s.New(closed, &http.Client{Timeout: time.Second}).Check(ctx, "ref-0001")
	for name, err := range map[string]error{"timeout": hung, "refused": refused, "rejected": definite, "check refused": checked} {
		require.Error(t, err, name)
		var pe *providers.Error
		require.ErrorAs(t, err, &pe, name)
		for _, sec := range s.Secrets {
			assert.NotContains(t, err.Error(), sec, name)
		}
		assert.NotRegexp(t, `https?://\S*\?`, err.Error(), "%s: no query string", name)
	}
}

// currency sends the payee in the currency the provider declares for it, which
// is paid, and in one it does not pay, which is refused with nothing paid: the
// batch currency reaches the provider (or, where its API takes none, the client
// refuses what the country's currency is not).
func (s Suite) currency(t *testing.T) {
	e := start(t, sandbox.Options{})
	c := s.client(e, 2*time.Second)
	country := providers.Or(s.Payee.Country, providers.RegionOf(s.Payee.Phone))
	own := providers.PaidIn(s.Name, country, s.Payee.Operator)
	require.NotEmpty(t, own, "%s declares what it pays %s %s numbers in", s.Name, country, s.Payee.Operator)
	p := s.payee(t, c, s.Payee, 8)
	p.Currency = own
	_, err := c.Send(context.Background(), p)
	require.NoError(t, err)
	p = s.payee(t, c, s.Payee, 9)
	p.Currency = "EUR"
	_, err = c.Send(context.Background(), p)
	require.ErrorIs(t, err, providers.ErrRejected)
	assert.Equal(t, 0, s.paid(e.srv, p.Reference), "nothing paid in a currency the provider does not pay")
	assert.Len(t, e.srv.Payouts(), 1)
}

func (s Suite) success(t *testing.T) {
	e := start(t, sandbox.Options{})
	c := s.client(e, 2*time.Second)
	p := s.payee(t, c, s.Payee, 1)
	res, err := c.Send(context.Background(), p)
	require.NoError(t, err)
	require.NotEmpty(t, res.ProviderReference)
	assert.Equal(t, 1, s.paid(e.srv, p.Reference))
	assert.Equal(t, providers.StatusSucceeded, final(t, e, c, res.ProviderReference, 30*time.Millisecond).Status)
}

func (s Suite) definiteFailure(t *testing.T) {
	e := start(t, sandbox.Options{})
	c := s.client(e, 2*time.Second)
	p := s.payee(t, c, s.Refused, 2)
	_, err := c.Send(context.Background(), p)
	require.ErrorIs(t, err, providers.ErrRejected)
	assert.Empty(t, e.srv.Payouts())
}

func (s Suite) pendingThenFailed(t *testing.T) {
	e := start(t, sandbox.Options{FailPhones: []string{s.Payee.Phone}, SettleDelay: 100 * time.Millisecond})
	c := s.client(e, 2*time.Second)
	p := s.payee(t, c, s.Payee, 3)
	res, err := c.Send(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, providers.StatusPending, res.Status)
	assert.Equal(t, providers.StatusFailed, final(t, e, c, res.ProviderReference, 100*time.Millisecond).Status)
}

func (s Suite) tokenExpiry(t *testing.T) {
	if s.ExpireTokens == nil {
		t.Skip(s.Name + " signs each request with its keys: no token")
	}
	e := start(t, sandbox.Options{})
	c := s.client(e, 2*time.Second)
	_, err := c.Send(context.Background(), s.payee(t, c, s.Payee, 4))
	require.NoError(t, err)
	s.ExpireTokens(e.srv)
	p := s.payee(t, c, s.Payee, 5)
	_, err = c.Send(context.Background(), p)
	require.NoError(t, err, "a new token is taken and the request sent again")
	assert.Equal(t, 1, s.paid(e.srv, p.Reference))
}

func (s Suite) rateLimited(t *testing.T) {
	e := start(t, sandbox.Options{})
	c := s.client(e, 2*time.Second)
	p := s.payee(t, c, s.Payee, 6)
	e.srv.AddFault(sandbox.Fault{Provider: s.simulator(), Op: s.SendOp, Kind: sandbox.Status, Status: 429, RetryAfter: 2})
	_, err := c.Send(context.Background(), p)
	require.ErrorIs(t, err, providers.ErrTransient)
	var pe *providers.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 2*time.Second, pe.RetryAfter)
	assert.Empty(t, e.srv.Payouts())
}

func (s Suite) serverError(t *testing.T) {
	e := start(t, sandbox.Options{})
	c := s.client(e, 2*time.Second)
	p := s.payee(t, c, s.Payee, 7)
	e.srv.AddFault(sandbox.Fault{Provider: s.simulator(), Op: s.SendOp, Kind: sandbox.Status, Status: 500})
	_, err := c.Send(context.Background(), p)
	require.ErrorIs(t, err, providers.ErrUnknownOutcome, "a 500 may have been processed")
}

// timeoutAfterAccepted pays a one-item batch while the simulator records the
// payout but never answers: the runner must end with the item settled (CamPay,
// CinetPay) or in review (My-CoolPay, Camoo), and never with two payouts.
func (s Suite) timeoutAfterAccepted(t *testing.T) {
	e := start(t, sandbox.Options{})
	c := s.client(e, 300*time.Millisecond)
	ctx := context.Background()
	st := batchtest.NewMemory()
	p := s.Payee
	row := batch.Row{Row: 2, Name: "Contract", Phone: p.Phone, Country: p.Country, Operator: p.Operator, Mode: batch.ModeMobileMoney, Amount: p.Amount}
	router := batch.Routes{Rules: []batch.Rule{{Providers: []string{s.Name}}}, Configured: map[string]bool{s.Name: true}}
	b, items, errs := batch.Plan("contract", "x.csv", "XAF", []batch.Row{row}, router)
	require.Empty(t, errs)
	b, _, err := batch.Prepare(ctx, st, b, items, []batch.Row{row})
	require.NoError(t, err)
	e.srv.AddFault(sandbox.Fault{Provider: s.simulator(), Op: s.SendOp, Kind: sandbox.HangAfter})
	r := &batch.Runner{Store: st, Lanes: map[string]batch.Lane{s.Name: {Provider: c, Rate: 100, Burst: 1, Concurrency: 1}},
		PollInterval: 20 * time.Millisecond, PendingWait: 3 * time.Second, RetryBase: 10 * time.Millisecond, Clock: e.clock}
	sum, err := r.Run(ctx, b)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(e.srv.Payouts()), 1, "at most one payout")
	if s.Settles {
		assert.Equal(t, 1, sum.Counts[batch.Succeeded], "settled by asking the provider")
		assert.Len(t, e.srv.Payouts(), 1)
	} else {
		assert.Equal(t, 1, sum.Counts[batch.Review], "cannot be asked about our reference: a person decides")
	}
}

func (s Suite) balance(t *testing.T) {
	e := start(t, sandbox.Options{})
	c := s.client(e, 2*time.Second)
	bl, ok := c.(batch.Balancer)
	require.True(t, ok)
	bs, err := bl.Balances(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, bs)
	assert.Positive(t, bs[0].Amount)
}
