package providers_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/internal/testsupport"
	"bulkpay/providers"
	"bulkpay/providers/campay"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

var epoch = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// campaySandbox starts the CamPay simulator on 127.0.0.1 and a client of it.
func campaySandbox(t *testing.T) (*sandbox.Server, *sandboxtest.Recorder, *campay.Client) {
	t.Helper()
	srv, rec, root := sandboxtest.Recorded(t, sandbox.Options{SettleDelay: time.Hour})
	c := campay.New(campay.WithBaseURL(root+"/campay/api"), campay.WithCredentials("user", "pass"),
		campay.WithHTTPClient(&http.Client{Timeout: 2 * time.Second}))
	return srv, rec, c
}

const (
	withdrawPath = "POST /campay/api/withdraw/"
	balancePath  = "GET /campay/api/balance/"
)

func payoutTo(name string) providers.Payout {
	return providers.Payout{Reference: uuid.NewHash(sha256.New(), uuid.Nil, []byte(name), 4).String(),
		Phone: "237677123456", Country: "CM", Operator: "MTN", Amount: 500, Currency: "XAF"}
}

// TestCallerRetries counts the requests that reach the sandbox for each
// decision, and the waits asked of the clock (none of them real).
func TestCallerRetries(t *testing.T) {
	t.Parallel()
	status := func(op string, code, times int) sandbox.Fault {
		return sandbox.Fault{Provider: "campay", Op: op, Kind: sandbox.Status, Status: code, Times: times}
	}
	cases := []struct {
		name     string
		faults   []sandbox.Fault
		op       providers.Op
		withdraw bool // send a payout, else ask for the balance
		requests int
		waits    []time.Duration
		class    error // nil: succeeds
		payouts  int
	}{
		{"read: 503 twice, then answered", []sandbox.Fault{status("balance", 503, 2)},
			providers.Op{Name: "balance", Idempotent: true}, false, 3, []time.Duration{500 * time.Millisecond, time.Second}, nil, 0},
		{"read: never answered, retries spent", []sandbox.Fault{status("balance", 503, 10)},
			providers.Op{Name: "balance", Idempotent: true}, false, 5,
			[]time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}, providers.ErrTransient, 0},
		{"read: two resends allowed for this call", []sandbox.Fault{status("balance", 503, 10)},
			providers.Op{Name: "balance", Idempotent: true, Retries: 2}, false, 3,
			[]time.Duration{500 * time.Millisecond, time.Second}, providers.ErrTransient, 0},
		{"read: no resend for this call", []sandbox.Fault{status("balance", 503, 10)},
			providers.Op{Name: "status", Idempotent: true, Retries: -1}, false, 1, nil, providers.ErrTransient, 0},
		{"payout: 500 is in doubt, never resent blindly", []sandbox.Fault{status("withdraw", 500, 1)},
			providers.Op{Name: "send"}, true, 1, nil, providers.ErrUnknownOutcome, 0},
		{"payout: 500 resent when the provider recognises our reference", []sandbox.Fault{status("withdraw", 500, 2)},
			providers.Op{Name: "settle", Idempotent: true}, true, 3, []time.Duration{500 * time.Millisecond, time.Second}, nil, 1},
		{"payout: 429 waits the Retry-After, then is paid once",
			[]sandbox.Fault{{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: 429, RetryAfter: 2}},
			providers.Op{Name: "send"}, true, 2, []time.Duration{2 * time.Second}, nil, 1},
		{"payout: 429 asking for ten minutes is not waited for",
			[]sandbox.Fault{{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: 429, RetryAfter: 600}},
			providers.Op{Name: "send"}, true, 1, nil, providers.ErrTransient, 0},
		{"payout: a definite refusal is final", nil, providers.Op{Name: "send"}, true, 1, nil, providers.ErrRejected, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, cnt, client := campaySandbox(t)
			for _, f := range tc.faults {
				srv.AddFault(f)
			}
			clock := providerstest.NewClock(epoch)
			lane := providers.Stack(providers.Options{Provider: "campay", Clock: clock, Retry: providers.Retry{Jitter: upper}})
			var err error
			path := balancePath
			if tc.withdraw {
				path = withdrawPath
				p := payoutTo(tc.name)
				if tc.class == providers.ErrRejected {
					p.Currency = "EUR" // CamPay pays XAF only: a 400
				}
				_, err = providers.Call(context.Background(), lane, tc.op, func(ctx context.Context) (providers.Result, error) {
					return client.Send(ctx, p)
				})
			} else {
				_, err = providers.Call(context.Background(), lane, tc.op, func(ctx context.Context) (campay.Balance, error) {
					return client.Balance(ctx)
				})
			}
			if tc.class == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.class)
			}
			assert.Equal(t, tc.requests, cnt.Count(path), "requests that reached the provider")
			assert.Equal(t, tc.waits, clock.Slept(), "waits asked of the clock")
			assert.Len(t, srv.Payouts(), tc.payouts)
		})
	}
}

// Credentials refused are not resent: a person must fix them.
func TestCallerDoesNotResendRefusedCredentials(t *testing.T) {
	t.Parallel()
	_, cnt, root := sandboxtest.Recorded(t, sandbox.Options{SettleDelay: time.Hour})
	client := campay.New(campay.WithBaseURL(root+"/campay/api"), campay.WithPermanentToken("not-a-token"))
	clock := providerstest.NewClock(epoch)
	lane := providers.Stack(providers.Options{Provider: "campay", Clock: clock})
	_, err := providers.Call(context.Background(), lane, providers.Op{Name: "balance", Idempotent: true},
		func(ctx context.Context) (campay.Balance, error) { return client.Balance(ctx) })
	require.ErrorIs(t, err, providers.ErrAuth)
	assert.Equal(t, 1, cnt.Count(balancePath))
	assert.Empty(t, clock.Slept())
}

// BeforeRetry runs before each resend with the attempt that failed: the
// runner records it there. An error from it ends the call.
func TestBeforeRetry(t *testing.T) {
	t.Parallel()
	srv, cnt, client := campaySandbox(t)
	srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: 429, RetryAfter: 1, Times: 2})
	lane := providers.Stack(providers.Options{Provider: "campay", Clock: providerstest.NewClock(epoch)})
	var seen []int
	var attempts []int
	p := payoutTo("before-retry")
	res, err := providers.Call(context.Background(), lane, providers.Op{Name: "send",
		BeforeRetry: func(_ context.Context, n int, err error) error {
			require.ErrorIs(t, err, providers.ErrTransient)
			seen = append(seen, n)
			return nil
		}}, func(ctx context.Context) (providers.Result, error) {
		attempts = append(attempts, providers.Attempt(ctx))
		return client.Send(ctx, p)
	})
	require.NoError(t, err)
	assert.NotEmpty(t, res.ProviderReference, "the value of the last attempt")
	assert.Equal(t, []int{1, 2}, seen)
	assert.Equal(t, []int{1, 2, 3}, attempts)
	assert.Equal(t, 3, cnt.Count(withdrawPath))

	stop := errors.New("ledger full")
	srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: 503, Times: 5})
	_, err = providers.Call(context.Background(), lane, providers.Op{Name: "send", Idempotent: true,
		BeforeRetry: func(context.Context, int, error) error { return stop }},
		func(ctx context.Context) (providers.Result, error) { return client.Send(ctx, payoutTo("stopped")) })
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 4, cnt.Count(withdrawPath), "one more request, and no resend")
}

// cancelling is a clock whose first wait ends the call's context.
type cancelling struct {
	*providerstest.Clock
	cancel context.CancelFunc
}

func (c cancelling) Sleep(ctx context.Context, d time.Duration) error {
	c.cancel()
	return c.Clock.Sleep(ctx, d)
}

// A context that ends during the wait stops the call with the last answer's
// error: nothing more is sent.
func TestCallerWatchesTheContext(t *testing.T) {
	t.Parallel()
	srv, cnt, client := campaySandbox(t)
	srv.AddFault(sandbox.Fault{Provider: "campay", Op: "withdraw", Kind: sandbox.Status, Status: 503, Times: 5})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lane := providers.Stack(providers.Options{Provider: "campay", Clock: cancelling{providerstest.NewClock(epoch), cancel}})
	retried := false
	_, err := providers.Call(ctx, lane, providers.Op{Name: "settle", Idempotent: true,
		BeforeRetry: func(context.Context, int, error) error { retried = true; return nil }},
		func(ctx context.Context) (providers.Result, error) { return client.Send(ctx, payoutTo("cancelled")) })
	require.ErrorIs(t, err, providers.ErrUnknownOutcome, "the provider's answer, not the context's")
	assert.Equal(t, 1, cnt.Count(withdrawPath))
	assert.False(t, retried)

	// a call whose context has ended is not sent at all, and says so
	_, err = providers.Call(ctx, lane, providers.Op{Name: "send"},
		func(ctx context.Context) (providers.Result, error) { return client.Send(ctx, payoutTo("never")) })
	require.ErrorIs(t, err, providers.ErrTransient)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, cnt.Count(withdrawPath))
}

// The rate limit spaces calls on the clock; a Retry-After pauses every call
// of the lane and halves its rate, which comes back as calls go through.
func TestCallerPacesCalls(t *testing.T) {
	t.Parallel()
	clock := providerstest.NewClock(epoch)
	lane := providers.Stack(providers.Options{Provider: "p", Rate: 4, Burst: 1, Clock: clock})
	ok := func(context.Context) error { return nil }
	for range 9 {
		require.NoError(t, lane.Call(context.Background(), providers.Op{Name: "status"}, ok))
	}
	assert.Equal(t, 2*time.Second, clock.Total(), "9 calls at 4 a second: 8 gaps of 250ms")

	clock = providerstest.NewClock(epoch)
	lane = providers.Stack(providers.Options{Provider: "p", Rate: 4, Burst: 1, Clock: clock})
	limited := &providers.Error{Class: providers.ErrTransient, Provider: "p", Op: "send", HTTPStatus: 429, RetryAfter: 3 * time.Second}
	err := lane.Call(context.Background(), providers.Op{Name: "send", Retries: -1}, func(context.Context) error { return limited })
	require.ErrorIs(t, err, providers.ErrTransient)
	require.NoError(t, lane.Call(context.Background(), providers.Op{Name: "status"}, ok))
	require.Equal(t, []time.Duration{3 * time.Second}, clock.Slept(), "the next call waits out the Retry-After")
	require.NoError(t, lane.Call(context.Background(), providers.Op{Name: "status"}, ok))
	slowed := clock.Slept()[1]
	assert.Greater(t, slowed, 250*time.Millisecond, "the rate is lower after a 429")
	for range 10 {
		require.NoError(t, lane.Call(context.Background(), providers.Op{Name: "status"}, ok))
	}
	sl := clock.Slept()
	assert.InDelta(t, float64(250*time.Millisecond), float64(sl[len(sl)-1]), float64(time.Millisecond), "back to the full rate")
}

// At most Concurrency calls are in flight at once.
func TestCallerBoundsConcurrency(t *testing.T) {
	t.Parallel()
	const bound, calls = 3, 8
	lane := providers.Stack(providers.Options{Provider: "p", Concurrency: bound, Clock: providerstest.NewClock(epoch)})
	var inFlight, most atomic.Int64
	entered := make(chan struct{}, calls)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range calls {
		wg.Go(func() {
			assert.NoError(t, lane.Call(context.Background(), providers.Op{Name: "status"}, func(context.Context) error {
				n := inFlight.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				entered <- struct{}{}
				<-release
				inFlight.Add(-1)
				return nil
			}))
		})
	}
	for range bound {
		<-entered // the first calls are in and held
	}
	for range 1000 {
		runtime.Gosched() // let every other call try to get in
	}
	for i := range calls {
		release <- struct{}{}
		if i+bound < calls {
			<-entered
		}
	}
	wg.Wait()
	assert.Equal(t, int64(bound), most.Load())
}

// Each attempt is logged once, each resend with why; secrets stay out.
func TestCallerLogsWithoutSecrets(t *testing.T) {
	t.Parallel()
	hs := httptest.NewServer(http.NotFoundHandler())
	closed := hs.URL
	hs.Close()
	const key = "pk_live_0123456789"
	var buf testsupport.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	lane := providers.Stack(providers.Options{Provider: "mycoolpay", Clock: providerstest.NewClock(epoch), Log: log,
		Retry: providers.Retry{Max: 1}})
	err := lane.Call(context.Background(), providers.Op{Name: "balance", Idempotent: true}, func(ctx context.Context) error {
		_, err := providers.Exchange(ctx, http.DefaultClient, providers.Request{Provider: "mycoolpay", Op: "balance",
			Method: http.MethodGet, URL: closed + "/api/" + key + "/balance?key=" + key, Safe: true, Secrets: []string{key}})
		return err
	})
	require.ErrorIs(t, err, providers.ErrTransient)
	out := buf.String()
	assert.Contains(t, out, "provider call failed, sending it again")
	assert.Contains(t, out, "attempt=1")
	assert.Contains(t, out, "attempt=2")
	assert.Contains(t, out, "op=balance")
	assert.NotContains(t, out, key)
}
