package cinetpay_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// refusingChecks serves the simulator, except that while on it refuses every
// transfer look-up with code (708: this address is not allowed).
type refusingChecks struct {
	h  http.Handler
	on atomic.Bool
}

func (r *refusingChecks) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if r.on.Load() && strings.HasSuffix(req.URL.Path, "/transfer/check/money") {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"code":708,"message":"NOT_ALLOWED","description":"this address is not allowed","data":[]}`))
		return
	}
	r.h.ServeHTTP(w, req)
}

func startRefusingChecks(t *testing.T) (*sandbox.Server, *refusingChecks, *cinetpay.Client) {
	t.Helper()
	srv := sandboxtest.Sandbox(t, sandbox.Options{SettleDelay: 20 * time.Millisecond})
	rc := &refusingChecks{h: srv}
	c := newClient(sandboxtest.Serve(t, srv, rc), &http.Client{Timeout: 2 * time.Second})
	_, err := c.AddContacts(context.Background(), []providers.Contact{{Phone: "2250701020304"}})
	require.NoError(t, err)
	return srv, rc, c
}

// A refused look-up says nothing about the transfer: it must never read as a
// refused payout, which would mark an item in doubt failed and let `retry` pay
// it a second time.
func TestRefusedLookupIsNotARefusedPayout(t *testing.T) {
	t.Parallel()
	srv, rc, c := startRefusingChecks(t)
	ctx := context.Background()
	rc.on.Store(true)

	_, err := c.Settle(ctx, payout("3f0c6f0e-8a51-4c39-9d51-1b8f1c7a9e01", "2250701020304", 5000))
	require.Error(t, err)
	assert.Equal(t, providers.ErrTransient, providers.Classify(err), "ask again later: %v", err)
	assert.Empty(t, srv.Payouts(), "nothing sent while the look-up cannot tell")

	_, err = c.Check(ctx, "12345")
	assert.Equal(t, providers.ErrTransient, providers.Classify(err), "%v", err)
}

// CinetPay's 805 says the transfer exists; when its look-up then fails, the
// payout is in doubt, never refused and never free to go to another provider.
func TestSentBeforeWithAFailedLookupIsInDoubt(t *testing.T) {
	t.Parallel()
	srv, rc, c := startRefusingChecks(t)
	ctx := context.Background()
	p := payout("9b2d4c1e-7f3a-4e8b-a6d2-5c9e0f1a2b3c", "2250701020304", 5000)
	_, err := c.Send(ctx, p)
	require.NoError(t, err)

	rc.on.Store(true)
	_, err = c.Send(ctx, p) // the same id again: 805
	require.Error(t, err)
	assert.Equal(t, providers.ErrUnknownOutcome, providers.Classify(err), "%v", err)
	assert.Contains(t, err.Error(), "805")
	assert.Len(t, srv.Payouts(), 1, "paid once")
}
