package momo_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/momo"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

const (
	subKey = "momo-subscription-key"
	apiKey = "momo-api-key"
	mtnCM  = "237677123456"
)

// served is a sandbox on a clock that moves only when told, behind wrap (nil
// for none), with a client of it on the same clock.
type served struct {
	srv   *sandbox.Server
	rec   *sandboxtest.Recorder
	clock *providerstest.Clock
	c     *momo.Client
}

func serve(t *testing.T, opts sandbox.Options, wrap func(http.Handler) http.Handler, copts ...momo.Option) served {
	t.Helper()
	clock := providerstest.NewClock(sandboxtest.Start)
	opts.Now = clock.Now
	if opts.SettleDelay == 0 {
		opts.SettleDelay = time.Minute
	}
	srv := sandboxtest.Sandbox(t, opts)
	rec := sandboxtest.NewRecorder(srv)
	var h http.Handler = rec
	if wrap != nil {
		h = wrap(rec)
	}
	root := sandboxtest.Serve(t, srv, h)
	c := momo.New(append([]momo.Option{momo.WithBaseURL(root + "/momo"), momo.WithHTTPClient(&http.Client{Timeout: 2 * time.Second}),
		momo.WithSubscriptionKey(subKey), momo.WithAPIUser("2ceefe04-1a79-4914-9dd0-c61748c2aecb", apiKey), momo.WithClock(clock.Now)}, copts...)...)
	return served{srv: srv, rec: rec, clock: clock, c: c}
}

func payout(phone string, amount int64) providers.Payout {
	return providers.Payout{Reference: uuid.NewString(), Phone: phone, Country: providers.RegionOf(phone), Operator: "MTN",
		Amount: amount, Currency: "XAF", Description: "Salaire novembre: équipe #2 (avance) & prime"}
}

const tokenPath = "POST /momo/disbursement/token/"

func (s served) advance(t *testing.T, d time.Duration) {
	t.Helper()
	require.NoError(t, s.clock.Sleep(context.Background(), d))
	s.srv.Tick()
}

// The token is taken once, renewed a minute before it expires (never after:
// no call meets a 401), and every call carries the subscription key and its
// market's target environment.
func TestTokenRenewedBeforeExpiry(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var missing []string
	unauthorized := atomic.Int32{}
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			if r.Header.Get("Ocp-Apim-Subscription-Key") != subKey {
				missing = append(missing, "subscription key on "+r.URL.Path)
			}
			if !strings.HasSuffix(r.URL.Path, "/token/") && r.Header.Get("X-Target-Environment") != "mtncameroon" {
				missing = append(missing, "target environment on "+r.URL.Path)
			}
			mu.Unlock()
			sw := &statusWriter{ResponseWriter: w}
			h.ServeHTTP(sw, r)
			if sw.status == http.StatusUnauthorized {
				unauthorized.Add(1)
			}
		})
	}
	s := serve(t, sandbox.Options{}, wrap)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 8 { // side by side, they share one token
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.c.Balance(ctx, "CM")
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, s.rec.Count(tokenPath))

	p := payout(mtnCM, 5000)
	_, err := s.c.Send(ctx, p)
	require.NoError(t, err)
	s.advance(t, 58*time.Minute)
	_, err = s.c.Check(ctx, p.Reference)
	require.NoError(t, err)
	assert.Equal(t, 1, s.rec.Count(tokenPath), "still good for two minutes")
	s.advance(t, 90*time.Second) // 59.5 minutes: inside the last minute of its hour
	_, err = s.c.Check(ctx, p.Reference)
	require.NoError(t, err)
	assert.Equal(t, 2, s.rec.Count(tokenPath), "renewed before it expired")
	assert.Zero(t, unauthorized.Load(), "no call met an expired token")

	s.srv.ExpireMoMoTokens() // ended early by MoMo: taken again once, the call made again
	_, err = s.c.Check(ctx, p.Reference)
	require.NoError(t, err)
	assert.Equal(t, 3, s.rec.Count(tokenPath))
	mu.Lock()
	assert.Empty(t, missing)
	mu.Unlock()
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

func TestBadCredentials(t *testing.T) {
	t.Parallel()
	s := serve(t, sandbox.Options{MoMo: sandbox.MoMoOptions{APIUser: "someone", APIKey: "right-key"}}, nil)
	_, err := s.c.Send(context.Background(), payout(mtnCM, 100))
	require.ErrorIs(t, err, providers.ErrTransient, "nothing was sent")
	require.ErrorIs(t, err, providers.ErrAuth)
	assert.NotContains(t, err.Error(), apiKey)
	assert.Empty(t, s.srv.Payouts())

	s = serve(t, sandbox.Options{MoMo: sandbox.MoMoOptions{SubscriptionKey: "another"}}, nil)
	_, err = s.c.Balance(context.Background(), "CM")
	require.ErrorIs(t, err, providers.ErrAuth)
	assert.NotContains(t, err.Error(), subKey)
}

// The transfer goes with our reference as X-Reference-Id and externalId,
// every value a string, messages cleaned to what MoMo takes.
func TestTransferRequest(t *testing.T) {
	t.Parallel()
	s := serve(t, sandbox.Options{}, nil)
	p := payout(mtnCM, 5000)
	res, err := s.c.Send(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, providers.Result{ProviderReference: p.Reference, Status: providers.StatusPending}, res)
	body := s.rec.Last()
	assert.Equal(t, "5000", body["amount"])
	assert.Equal(t, "XAF", body["currency"])
	assert.Equal(t, p.Reference, body["externalId"])
	assert.Equal(t, map[string]any{"partyIdType": "MSISDN", "partyId": mtnCM}, body["payee"])
	assert.Equal(t, "Salaire novembre equipe 2 avance prime", body["payerMessage"], "no special characters, no accents")
	got := s.srv.Payouts()
	require.Len(t, got, 1)
	assert.Equal(t, p.Reference, got[0].ProviderReference, "our reference is the transfer's id")
	s.advance(t, time.Minute)
	r, err := s.c.Check(context.Background(), p.Reference)
	require.NoError(t, err)
	assert.Equal(t, providers.StatusSucceeded, r.Status)
	assert.Equal(t, int64(5000), r.Amount)
	assert.Contains(t, r.Message, "financial transaction")
}

// Each market pays in its own currency (a CFA-franc batch is at par with the
// other franc); MTN's developer sandbox takes EUR; a market the account does
// not pay is refused before anything is sent.
func TestMarketsAndCurrencies(t *testing.T) {
	t.Parallel()
	s := serve(t, sandbox.Options{}, nil)
	ctx := context.Background()
	p := payout(mtnCM, 700)
	p.Currency = "XOF"
	_, err := s.c.Send(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, "XAF", s.rec.Last()["currency"])

	ci := payout("2250501020304", 700) // an MTN Côte d'Ivoire number
	ci.Currency = "XAF"
	_, err = s.c.Send(ctx, ci)
	require.NoError(t, err)
	assert.Equal(t, "XOF", s.rec.Last()["currency"])

	eur := payout(mtnCM, 700)
	eur.Currency = "EUR"
	_, err = s.c.Send(ctx, eur)
	require.ErrorIs(t, err, providers.ErrRejected)
	assert.Contains(t, err.Error(), "INVALID_CURRENCY")

	only := serve(t, sandbox.Options{}, nil, momo.WithMarkets("CI"))
	before := only.rec.Total()
	_, err = only.c.Send(ctx, payout(mtnCM, 700))
	require.ErrorIs(t, err, providers.ErrRejected)
	assert.True(t, providers.IsProviderSide(err), "another provider may pay it")
	assert.Equal(t, before, only.rec.Total(), "nothing sent")

	dev := serve(t, sandbox.Options{}, nil, momo.WithTargetEnvironment(momo.SandboxEnvironment))
	_, err = dev.c.Send(ctx, payout("46733123453", 700))
	require.NoError(t, err)
	assert.Equal(t, "EUR", dev.rec.Last()["currency"])
	bs, err := dev.c.Balances(ctx)
	require.NoError(t, err)
	require.Len(t, bs, 1)
	assert.Equal(t, "EUR", bs[0].Currency)
	assert.Empty(t, bs[0].Account, "one environment: the account's balance")
}

// Amounts come as strings (sometimes numbers) and are read exactly into
// int64: never through a float, a fraction other than zeros refused.
func TestAmountsReadExactly(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw  string
		want int64
		ok   bool
	}{
		{`"5000"`, 5000, true},
		{`"5000.00"`, 5000, true},
		{`5000`, 5000, true},
		{`" 25 "`, 25, true},
		{`"0"`, 0, true},
		{`"9223372036854775807"`, 9223372036854775807, true},
		{`"9007199254740993"`, 9007199254740993, true}, // not a float64: 2^53+1 survives
		{`"9223372036854775808"`, 0, false},
		{`"5000.5"`, 0, false},
		{`"1e3"`, 0, false},
		{`"5,000"`, 0, false},
		{`""`, 0, false},
		{`"abc"`, 0, false},
		{`true`, 0, false},
	}
	for _, tc := range cases {
		var tr momo.Transfer
		err := json.Unmarshal([]byte(`{"amount":`+tc.raw+`,"status":"SUCCESSFUL"}`), &tr)
		if !tc.ok {
			assert.Error(t, err, tc.raw)
			continue
		}
		require.NoError(t, err, tc.raw)
		assert.Equal(t, tc.want, int64(tr.Amount), tc.raw)
	}
}

// reason is {code, message} in MTN's spec and a plain string in some clients.
func TestReasonStringOrObject(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw  string
		want momo.Reason
		text string
	}{
		{`{"code":"PAYEE_NOT_FOUND","message":"Payee does not exist"}`, momo.Reason{Code: "PAYEE_NOT_FOUND", Message: "Payee does not exist"}, "PAYEE_NOT_FOUND: Payee does not exist"},
		{`"NOT_ENOUGH_FUNDS"`, momo.Reason{Code: "NOT_ENOUGH_FUNDS"}, "NOT_ENOUGH_FUNDS"},
		{`{"code":"EXPIRED"}`, momo.Reason{Code: "EXPIRED"}, "EXPIRED"},
		{`null`, momo.Reason{}, ""},
	}
	for _, tc := range cases {
		var tr momo.Transfer
		require.NoError(t, json.Unmarshal([]byte(`{"amount":"1","status":"FAILED","reason":`+tc.raw+`}`), &tr), tc.raw)
		assert.Equal(t, tc.want, tr.Reason, tc.raw)
		assert.Equal(t, tc.text, tr.Reason.String())
	}
	var tr momo.Transfer
	assert.Error(t, json.Unmarshal([]byte(`{"reason":[1]}`), &tr))
	assert.Equal(t, "the beneficiary's MoMo account may not receive money (blocked or over its limit); the beneficiary must see MTN (PAYEE_NOT_ALLOWED_TO_RECEIVE)",
		momo.Explain("status=failed message=PAYEE_NOT_ALLOWED_TO_RECEIVE: Payee not allowed").String())
}

// MTN's sandbox test numbers end as MTN documents, with the reason read from
// the status.
func TestSandboxTestNumbers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		phone   string
		status  providers.Status
		reason  string
		pending time.Duration // still pending this long after the settle delay
	}{
		{"46733123450", providers.StatusFailed, "INTERNAL_PROCESSING_ERROR", 0},
		{"46733123451", providers.StatusFailed, "APPROVAL_REJECTED", 0},
		{"46733123452", providers.StatusFailed, "EXPIRED", 0},
		{"46733123453", providers.StatusSucceeded, "", 0},
		{"46733123454", providers.StatusSucceeded, "", time.Minute},
		{"46733123455", providers.StatusFailed, "NOT_ENOUGH_FUNDS", 0},
		{"46733123456", providers.StatusFailed, "PAYER_LIMIT_REACHED", 0},
		{"46733123457", providers.StatusFailed, "PAYEE_NOT_FOUND", 0},
		{"46733123458", providers.StatusFailed, "NOT_ALLOWED", 0},
		{"46733123462", providers.StatusFailed, "INTERNAL_PROCESSING_ERROR", 0},
		{"46733123463", providers.StatusFailed, "SERVICE_UNAVAILABLE", 0},
		{"46733123499", providers.StatusSucceeded, "", 0},
	}
	s := serve(t, sandbox.Options{}, nil, momo.WithTargetEnvironment(momo.SandboxEnvironment))
	ctx := context.Background()
	refs := make([]string, len(cases))
	for i, tc := range cases {
		p := payout(tc.phone, 10)
		_, err := s.c.Send(ctx, p)
		require.NoError(t, err, tc.phone)
		refs[i] = p.Reference
	}
	s.advance(t, time.Minute) // the settle delay, and the 30 s of ...453
	for i, tc := range cases {
		r, err := s.c.Check(ctx, refs[i])
		require.NoError(t, err, tc.phone)
		if tc.pending > 0 {
			assert.Equal(t, providers.StatusPending, r.Status, tc.phone)
			continue
		}
		assert.Equal(t, tc.status, r.Status, tc.phone)
		assert.Contains(t, r.Message, tc.reason, tc.phone)
	}
	s.advance(t, time.Minute)
	r, err := s.c.Check(ctx, refs[4])
	require.NoError(t, err)
	assert.Equal(t, providers.StatusSucceeded, r.Status, "the delayed one, later")
}

// A reference sent twice is paid once: MoMo answers 409 and the client
// returns the transfer that holds it; one that holds it for another payout is
// a duplicate for a person.
func TestRepeatedReference(t *testing.T) {
	t.Parallel()
	s := serve(t, sandbox.Options{}, nil)
	ctx := context.Background()
	p := payout(mtnCM, 5000)
	_, err := s.c.Send(ctx, p)
	require.NoError(t, err)
	s.advance(t, time.Minute)
	res, err := s.c.Send(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, providers.StatusSucceeded, res.Status, "the first transfer, looked up")
	assert.Len(t, s.srv.Payouts(), 1)

	other := p
	other.Amount = 9000
	_, err = s.c.Send(ctx, other)
	require.ErrorIs(t, err, providers.ErrDuplicate)
	assert.Contains(t, err.Error(), "RESOURCE_ALREADY_EXIST")
	assert.Len(t, s.srv.Payouts(), 1)
}

// inDoubt sends a payout whose answer the sandbox holds back (kind: after
// or before recording it) until the client gives up: its outcome is in doubt.
func inDoubt(t *testing.T, kind sandbox.FaultKind, wrap func(http.Handler) http.Handler) (served, providers.Payout) {
	t.Helper()
	s := serve(t, sandbox.Options{}, wrap, momo.WithHTTPClient(&http.Client{Timeout: 200 * time.Millisecond}))
	p := payout(mtnCM, 5000)
	s.srv.AddFault(sandbox.Fault{Provider: "momo", Op: "transfer", Kind: kind})
	_, err := s.c.Send(context.Background(), p)
	require.ErrorIs(t, err, providers.ErrUnknownOutcome)
	return s, p
}

// Settle asks by our reference: an answer lost after MoMo accepted is found;
// a request that never arrived (404) is sent again under the same reference;
// a resend that meets a transfer accepted meanwhile (409) asks again.
func TestSettle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("answer lost", func(t *testing.T) {
		t.Parallel()
		s, p := inDoubt(t, sandbox.HangAfter, nil)
		res, err := s.c.Settle(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, providers.Result{ProviderReference: p.Reference, Status: providers.StatusPending, Amount: 5000}, res)
		assert.Equal(t, 1, s.rec.Count("POST /momo/disbursement/v1_0/transfer"), "asked, not sent again")
		assert.Len(t, s.srv.Payouts(), 1)
	})
	t.Run("never arrived: 404, sent again with the same id", func(t *testing.T) {
		t.Parallel()
		s, p := inDoubt(t, sandbox.HangBefore, nil)
		assert.Empty(t, s.srv.Payouts())
		res, err := s.c.Settle(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, providers.StatusPending, res.Status)
		assert.Equal(t, p.Reference, res.ProviderReference)
		got := s.srv.Payouts()
		require.Len(t, got, 1)
		assert.Equal(t, p.Reference, got[0].ClientReference, "the same id")
	})
	t.Run("409 on the resend: it exists, asked again", func(t *testing.T) {
		t.Parallel()
		// the first lookup misses a transfer MoMo is still recording: 404,
		// as MoMo answers for one it does not hold yet
		var missed atomic.Bool
		wrap := func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/transfer/") && missed.CompareAndSwap(false, true) {
					w.WriteHeader(http.StatusNotFound)
					w.Write([]byte(`{"code":"RESOURCE_NOT_FOUND","message":"Requested resource was not found."}`))
					return
				}
				h.ServeHTTP(w, r)
			})
		}
		s, p := inDoubt(t, sandbox.HangAfter, wrap)
		s.advance(t, time.Minute)
		res, err := s.c.Settle(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, providers.StatusSucceeded, res.Status)
		assert.Equal(t, 2, s.rec.Count("POST /momo/disbursement/v1_0/transfer"), "sent again, refused with 409")
		assert.True(t, missed.Load())
		assert.Equal(t, 1, s.rec.Count("GET /momo/disbursement/v1_0/transfer/"+p.Reference), "asked again after the 409 (the miss never reached the sandbox)")
		assert.Len(t, s.srv.Payouts(), 1, "paid once")
	})
	t.Run("resend in doubt stays in doubt", func(t *testing.T) {
		t.Parallel()
		s := serve(t, sandbox.Options{}, nil)
		p := payout(mtnCM, 5000)
		s.srv.AddFault(sandbox.Fault{Provider: "momo", Op: "transfer", Kind: sandbox.Status, Status: 503})
		_, err := s.c.Settle(ctx, p)
		require.ErrorIs(t, err, providers.ErrUnknownOutcome, "asked again by the next settle")
		res, err := s.c.Settle(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, providers.StatusPending, res.Status)
		assert.Len(t, s.srv.Payouts(), 1)
	})
}

// The account holder: active or not, known or not, and the registered name
// the directory holds, or none disclosed.
func TestHolder(t *testing.T) {
	t.Parallel()
	s := serve(t, sandbox.Options{MoMo: sandbox.MoMoOptions{Names: map[string]string{mtnCM: "Jean-Pierre MBARGA ATANGANA"}}}, nil)
	ctx := context.Background()
	h, err := s.c.Holder(ctx, payout(mtnCM, 1))
	require.NoError(t, err)
	assert.Equal(t, momo.Holder{Active: true, Known: true, Name: "Jean-Pierre MBARGA ATANGANA", GivenName: "Jean-Pierre", FamilyName: "MBARGA ATANGANA"}, h)

	require.NoError(t, s.srv.SetNames(map[string]string{"+237677000111": "Aïcha Bello"}))
	h, err = s.c.Holder(ctx, payout("237677000111", 1))
	require.NoError(t, err)
	assert.Equal(t, "Aïcha Bello", h.Name)
	assert.Equal(t, "Bello", h.FamilyName)

	h, err = s.c.Holder(ctx, payout("237677999888", 1))
	require.NoError(t, err)
	assert.Equal(t, momo.Holder{Active: true, Known: true}, h, "active, name not disclosed")

	h, err = s.c.Holder(ctx, payout("237699123456", 1)) // Orange: no MoMo account
	require.NoError(t, err)
	assert.Equal(t, momo.Holder{}, h)

	dev := serve(t, sandbox.Options{}, nil, momo.WithTargetEnvironment(momo.SandboxEnvironment))
	h, err = dev.c.Holder(ctx, payout("46733123458", 1))
	require.NoError(t, err)
	assert.Equal(t, momo.Holder{Known: true}, h, "known, not active")
	active, known, err := dev.c.Active(ctx, payout("46733123457", 1))
	require.NoError(t, err)
	assert.False(t, active)
	assert.False(t, known)
}

// MoMo calls X-Callback-Url once, with a PUT (or a POST) shaped as the status
// answer; bulkpay reads it as a reason to look the transfer up.
func TestCallbacks(t *testing.T) {
	t.Parallel()
	for _, post := range []bool{false, true} {
		t.Run(map[bool]string{false: "PUT", true: "POST"}[post], func(t *testing.T) {
			t.Parallel()
			cbs := momo.NewCallbacks()
			recv := providerstest.NewReceiver(t, cbs, nil)
			rig := sandboxtest.New(t, sandbox.Options{MoMo: sandbox.MoMoOptions{CallbackPOST: post}, FailPhones: []string{"237677000222"},
				Callbacks: sandbox.CallbackOptions{Enabled: true}})
			c := momo.New(momo.WithBaseURL(rig.URL+"/momo"), momo.WithSubscriptionKey(subKey), momo.WithAPIUser("u", apiKey),
				momo.WithCallbackURL(recv.URL+providers.CallbackPath(momo.Name)), momo.WithClock(rig.Clock.Now))
			ok, failed := payout(mtnCM, 2500), payout("237677000222", 700)
			for _, p := range []providers.Payout{ok, failed} {
				_, err := c.Send(t.Context(), p)
				require.NoError(t, err)
			}
			require.True(t, recv.None(), "nothing before the transfers end")
			assert.Equal(t, 2, rig.Advance(t, time.Minute))
			for _, want := range []struct {
				p      providers.Payout
				status providers.Status
			}{{ok, providers.StatusSucceeded}, {failed, providers.StatusFailed}} {
				got := recv.Next(t)
				require.NoError(t, got.Err)
				assert.Equal(t, map[bool]string{false: http.MethodPut, true: http.MethodPost}[post], got.Method)
				assert.Equal(t, want.p.Reference, got.Callback.ItemReference)
				assert.Equal(t, want.p.Reference, got.Callback.ProviderReference)
				assert.Equal(t, want.status, got.Callback.Status)
				assert.Equal(t, want.p.Amount, got.Callback.Amount)
				assert.False(t, got.Callback.Signed, "MoMo does not sign: confirm with the status")
			}
			assert.Zero(t, rig.Advance(t, time.Hour), "once, never again")
			assert.True(t, recv.None())
		})
	}
}

// What MoMo declares it pays (providers/capabilities.go) is what the client's
// markets pay and what the simulator accepts: an MTN number of each declared
// country, in its currency; another carrier's number is no MoMo payee.
func TestDeclaredMarketsArePaid(t *testing.T) {
	t.Parallel()
	mtn := map[string]string{"CM": "237677123456", "CI": "2250501020304", "BJ": "2290161123456", "CG": "242061234567", "GN": "224661234567"}
	s := serve(t, sandbox.Options{}, nil)
	ctx := context.Background()
	declared := providers.Declared(momo.Name)
	require.Len(t, declared, len(momo.Markets))
	for _, d := range declared {
		m, ok := momo.Markets[d.Country]
		require.True(t, ok, d.Country)
		assert.Equal(t, d.Currency, m.Currency, d.Country)
		assert.Equal(t, d.Currency, providers.PaidIn(momo.Name, d.Country, "MTN"))
		p := payout(mtn[d.Country], 1000)
		p.Currency = d.Currency
		_, err := s.c.Send(ctx, p)
		require.NoError(t, err, d.Country)
		assert.Equal(t, d.Currency, s.rec.Last()["currency"], d.Country)
		r, err := s.c.Check(ctx, p.Reference)
		require.NoError(t, err, d.Country)
		assert.Equal(t, providers.StatusPending, r.Status, d.Country)
	}
	_, err := s.c.Send(ctx, payout("237699123456", 1000))
	require.ErrorIs(t, err, providers.ErrRejected, "an Orange number")
	assert.Contains(t, err.Error(), "PAYEE_NOT_FOUND")
	assert.Len(t, s.srv.Payouts(), len(declared))
}

func TestEachMarketIsItsOwnAccount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		markets []string
		country string
		want    string
	}{
		{"one market: its one balance", []string{"CM"}, "CM", ""},
		{"several: the market's target environment", []string{"CM", "CI"}, "CI", "mtnivorycoast"},
		{"several: the other one", []string{"CM", "CI"}, "CM", "mtncameroon"},
		{"a market it does not pay: none", []string{"CM", "CI"}, "BJ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := momo.New(momo.WithMarkets(tt.markets...))
			assert.Equal(t, tt.want, c.Account(providers.Payout{Country: tt.country}))
		})
	}
}
