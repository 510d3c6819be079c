package campay_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/campay"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// sim starts the CamPay simulator on 127.0.0.1 and a client pointed at it.
func sim(t *testing.T, opts sandbox.Options, copts ...campay.Option) (*sandbox.Server, *campay.Client, *sandboxtest.Recorder) {
	t.Helper()
	srv, rec, root := sandboxtest.Recorded(t, opts)
	base := []campay.Option{campay.WithBaseURL(root + "/campay/api"), campay.WithCredentials("user", "pass"),
		campay.WithHTTPClient(&http.Client{Timeout: 2 * time.Second})}
	return srv, campay.New(append(base, copts...)...), rec
}

// payout is a payout under a UUID4 reference, as bulkpay sends them; a short
// name stands for the UUID4 derived from it.
func payout(ref, phone string, amount int64) providers.Payout {
	return providers.Payout{Reference: ref4(ref), Phone: phone, Amount: amount, Country: "CM", Operator: "MTN", Name: "Jean"}
}

func ref4(name string) string {
	if providers.IsUUID4(name) {
		return name
	}
	return uuid.NewHash(sha256.New(), uuid.Nil, []byte(name), 4).String()
}

func TestWithdrawPendingThenSuccessful(t *testing.T) {
	clock := providerstest.NewClock(epoch)
	srv, c, _ := sim(t, sandbox.Options{SettleDelay: 50 * time.Millisecond, Now: clock.Now})
	ctx := context.Background()
	res, err := c.Send(ctx, payout("8a0f4d1e-8b6a-4bd6-9d2a-2d0d8a1f0001", "237677123456", 1500))
	require.NoError(t, err)
	assert.Equal(t, providers.StatusPending, res.Status)
	require.NotEmpty(t, res.ProviderReference)

	settle(t, c, clock, res.ProviderReference, 50*time.Millisecond, providers.StatusSucceeded)

	ps := srv.Payouts()
	require.Len(t, ps, 1)
	p := ps[0]
	assert.Equal(t, []any{"campay", res.ProviderReference, "8a0f4d1e-8b6a-4bd6-9d2a-2d0d8a1f0001", "237677123456", int64(1500), "SUCCESSFUL", "MTN"},
		[]any{p.Provider, p.ProviderReference, p.ClientReference, p.Phone, p.Amount, p.Status, p.Operator})

	bal, err := c.Balance(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1_000_000_000-1500), bal.MTN, "the carrier's balance is debited on success")
	assert.Equal(t, int64(1_000_000_000), bal.Orange)
}

func TestWithdrawFails(t *testing.T) {
	clock := providerstest.NewClock(epoch)
	_, c, _ := sim(t, sandbox.Options{SettleDelay: time.Millisecond, FailPhones: []string{"237699009900"}, Now: clock.Now})
	res, err := c.Send(context.Background(), payout("r-fail", "237699009900", 500))
	require.NoError(t, err)
	settle(t, c, clock, res.ProviderReference, time.Millisecond, providers.StatusFailed)
}

// epoch is where the simulators' clocks start.
var epoch = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// settle checks that the payout ref is still pending, moves the simulator's
// clock past its settle delay, and checks that it then reads want.
func settle(t *testing.T, c *campay.Client, clock *providerstest.Clock, ref string, delay time.Duration, want providers.Status) {
	t.Helper()
	ctx := context.Background()
	r, err := c.Check(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, providers.StatusPending, r.Status, "pending until the settle delay has passed")
	require.NoError(t, clock.Sleep(ctx, delay))
	r, err = c.Check(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, want, r.Status)
}

func TestErrorCodesAreDefinite(t *testing.T) {
	_, c, _ := sim(t, sandbox.Options{CamPay: sandbox.CamPayOptions{OrangeBalance: 1000}})
	cases := []struct {
		name  string
		p     providers.Payout
		code  string
		class error
	}{
		{"ER101 bad phone", payout("a", "23712345", 100), "ER101", providers.ErrRejected},
		{"ER101 other country", payout("b", "2250701020304", 100), "ER101", providers.ErrRejected},
		{"ER102 camtel", payout("c", "237620123456", 100), "ER102", providers.ErrRejected},
		{"ER201 zero", payout("d", "237677123456", 0), "ER201", providers.ErrRejected},
		{"ER201 orange minimum", payout("e", "237699009900", 5), "ER201", providers.ErrRejected},
		{"ER301 orange balance", payout("f", "237699009900", 5000), "ER301", providers.ErrRejected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Send(context.Background(), tc.p)
			require.ErrorIs(t, err, tc.class)
			var pe *providers.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.code, pe.Code)
			assert.Equal(t, http.StatusBadRequest, pe.HTTPStatus)
		})
	}
}

func TestAmountAsStringIsRead(t *testing.T) {
	_, c, _ := sim(t, sandbox.Options{CamPay: sandbox.CamPayOptions{AmountAsString: true}})
	res, err := c.Send(context.Background(), payout("s", "237677123456", 25))
	require.NoError(t, err)
	got, err := c.Check(context.Background(), res.ProviderReference)
	require.NoError(t, err)
	assert.Equal(t, int64(25), got.Amount)
}

func TestTokenRefreshedBeforeExpiryAndOn401(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv, c, cnt := sim(t, sandbox.Options{CamPay: sandbox.CamPayOptions{TokenTTL: 10 * time.Minute}}, campay.WithClock(clock))
	ctx := context.Background()
	_, err := c.Send(ctx, payout("t1", "237677123456", 10))
	require.NoError(t, err)
	assert.Equal(t, 1, cnt.Count("POST /campay/api/token/"))

	mu.Lock()
	now = now.Add(9*time.Minute + 30*time.Second) // within the last minute of the token's life
	mu.Unlock()
	_, err = c.Send(ctx, payout("t2", "237677123456", 10))
	require.NoError(t, err)
	assert.Equal(t, 2, cnt.Count("POST /campay/api/token/"), "refreshed before expiry")

	srv.ExpireTokens() // the provider ends the token early
	_, err = c.Send(ctx, payout("t3", "237677123456", 10))
	require.NoError(t, err)
	assert.Equal(t, 3, cnt.Count("POST /campay/api/token/"), "logged in again on 401")
	assert.Equal(t, 4, cnt.Count("POST /campay/api/withdraw/"), "the refused request was sent again once")
	assert.Len(t, srv.Payouts(), 3)
}

func TestBadCredentials(t *testing.T) {
	_, c, _ := sim(t, sandbox.Options{CamPay: sandbox.CamPayOptions{Username: "u", Password: "right"}}, campay.WithCredentials("u", "wrong"))
	_, err := c.Send(context.Background(), payout("x", "237677123456", 10))
	require.ErrorIs(t, err, providers.ErrAuth)
	require.ErrorIs(t, err, providers.ErrTransient, "nothing was processed")
	assert.NotContains(t, err.Error(), "wrong", "secrets never appear in errors")
}

func TestRateLimitedIsTransientWithRetryAfter(t *testing.T) {
	srv, c, _ := sim(t, sandbox.Options{})
	srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: 429, RetryAfter: 3})
	_, err := c.Send(context.Background(), payout("rl", "237677123456", 10))
	require.ErrorIs(t, err, providers.ErrTransient)
	var pe *providers.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 3*time.Second, pe.RetryAfter)
	assert.Empty(t, srv.Payouts())
}

func TestServerErrorIsUnknown(t *testing.T) {
	srv, c, _ := sim(t, sandbox.Options{})
	for _, code := range []int{500, 502, 503} {
		srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: code})
		_, err := c.Send(context.Background(), payout("5xx", "237677123456", 10))
		require.ErrorIs(t, err, providers.ErrUnknownOutcome, "HTTP %d", code)
	}
}

func TestConnectionRefusedIsTransient(t *testing.T) {
	hs := httptest.NewServer(http.NotFoundHandler())
	url := hs.URL
	hs.Close()
	c := campay.New(campay.WithBaseURL(url+"/campay/api"), campay.WithPermanentToken("tok"))
	_, err := c.Send(context.Background(), payout("cr", "237677123456", 10))
	require.ErrorIs(t, err, providers.ErrTransient, "a refused connection never reached the provider")
}

func TestTimeoutAfterAcceptedIsUnknownAndSettlesWithoutSecondPayout(t *testing.T) {
	srv, c, cnt := sim(t, sandbox.Options{}, campay.WithHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
	srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.HangAfter})
	p := payout("2b8e5c1a-7d3f-4e2a-9c1b-5a6d7e8f9a0b", "237677123456", 7000)
	_, err := c.Send(context.Background(), p)
	require.ErrorIs(t, err, providers.ErrUnknownOutcome)
	require.Len(t, srv.Payouts(), 1, "the simulator processed it")

	res, err := c.Settle(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, srv.Payouts()[0].ProviderReference, res.ProviderReference, "the resend returns the first result")
	assert.Len(t, srv.Payouts(), 1, "no second payout")
	assert.Equal(t, 2, cnt.Count("POST /campay/api/withdraw/"), "same reference sent twice")
}

func TestDuplicateRejectedBehaviour(t *testing.T) {
	srv, c, _ := sim(t, sandbox.Options{CamPay: sandbox.CamPayOptions{RejectDuplicates: true}})
	p := payout("dup", "237677123456", 100)
	_, err := c.Send(context.Background(), p)
	require.NoError(t, err)
	_, err = c.Settle(context.Background(), p)
	require.ErrorIs(t, err, providers.ErrDuplicate)
	assert.Len(t, srv.Payouts(), 1)
}

func TestStatusPathWithoutTrailingSlashAndNotFound(t *testing.T) {
	srv, c, _ := sim(t, sandbox.Options{})
	res, err := c.Send(context.Background(), payout("p", "237677123456", 100))
	require.NoError(t, err)
	_, err = c.Check(context.Background(), "no-such-reference")
	require.ErrorIs(t, err, providers.ErrNotFound)

	hs := httptest.NewServer(srv)
	defer hs.Close()
	tok, _ := http.NewRequest(http.MethodGet, hs.URL+"/campay/api/transaction/"+res.ProviderReference, nil)
	tok.Header.Set("Authorization", "Token nope")
	resp, err := http.DefaultClient.Do(tok)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the path without slash is served (and guarded)")
}

func TestContextCancelStopsTheCall(t *testing.T) {
	srv, c, _ := sim(t, sandbox.Options{}, campay.WithHTTPClient(&http.Client{}))
	srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.HangBefore})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Send(ctx, payout("ctx", "237677123456", 10))
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
	assert.Empty(t, srv.Payouts())
}

func TestHistoryLeavesPendingOut(t *testing.T) {
	_, c, _ := sim(t, sandbox.Options{SettleDelay: time.Hour})
	ctx := context.Background()
	_, err := c.Send(ctx, payout("h1", "237677123456", 10))
	require.NoError(t, err)
	h, err := c.History(ctx, time.Now().AddDate(0, 0, -1), time.Now())
	require.NoError(t, err)
	assert.Empty(t, h)
}

// CamPay requires external_reference to be a UUID4: a reference that is not one
// is refused before anything is sent (bulkpay plans UUID4s; this guards the rest).
func TestReferenceMustBeUUID4(t *testing.T) {
	t.Parallel()
	srv, c, cnt := sim(t, sandbox.Options{})
	for _, ref := range []string{"r1", "2ceefe04-1a79-1914-9dd0-c61748c2aecb", "2ceefe041a7949149dd0c61748c2aecb"} {
		p := providers.Payout{Reference: ref, Phone: "237677123456", Amount: 100, Country: "CM", Operator: "MTN"}
		_, err := c.Send(context.Background(), p)
		require.ErrorIs(t, err, providers.ErrRejected, ref)
		assert.Contains(t, err.Error(), "UUID4")
	}
	assert.Zero(t, cnt.Count("POST /campay/api/withdraw/"), "nothing was sent")
	assert.Empty(t, srv.Payouts())
}

func TestSendsTheBatchCurrency(t *testing.T) {
	t.Parallel()
	srv, c, _ := sim(t, sandbox.Options{})
	p := payout("xaf", "237677123456", 100)
	p.Currency = "XAF"
	_, err := c.Send(context.Background(), p)
	require.NoError(t, err)
	p = payout("xof", "237677123456", 100)
	p.Currency = "XOF"
	_, err = c.Send(context.Background(), p)
	require.ErrorIs(t, err, providers.ErrRejected, "CamPay pays XAF: the currency reached it and it refused")
	assert.Contains(t, err.Error(), "XAF")
	assert.Len(t, srv.Payouts(), 1)
}
