package camoo_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/camoo"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
)

// The sandbox's Camoo calls the notification_url each cashout named
// ({public_url}/callbacks/camoo/{item}) with a GET signed with the API
// secret, and again until it gets a 200: its notifications pass
// ParseCallback; with the status altered they do not.
func TestSandboxCamooCallbacksVerify(t *testing.T) {
	t.Parallel()
	clock := providerstest.NewClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	cbs, err := camoo.NewCallbacks(apiSecret)
	require.NoError(t, err)
	recv := providerstest.NewReceiver(t, cbs, func(n int) int {
		if n == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	delivered := make(chan sandbox.Delivery, 8)
	srv, err := sandbox.New(sandbox.Options{Now: clock.Now, SettleDelay: time.Minute,
		Callbacks: sandbox.CallbackOptions{Enabled: true, CamooRetry: 10 * time.Minute, OnDelivery: func(d sandbox.Delivery) { delivered <- d }}})
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	c := camoo.New(camoo.WithBaseURL(hs.URL+"/camoo/v1/payment"), camoo.WithKeys("key", apiSecret), camoo.WithPublicURL(recv.URL))
	p := providers.Payout{Reference: "2ceefe04-1a79-4914-9dd0-c61748c2aecb", Phone: "237677123456", Amount: 5000, Currency: "XAF"}
	res, err := c.Send(t.Context(), p)
	require.NoError(t, err)

	require.NoError(t, clock.Sleep(t.Context(), time.Minute))
	assert.Equal(t, 1, srv.Tick())
	first := recv.Next(t)
	require.NoError(t, first.Err)
	assert.Equal(t, http.MethodGet, first.Method)
	assert.True(t, strings.HasPrefix(first.URL, "/callbacks/camoo/"+p.Reference+"?"), first.URL)
	assert.Equal(t, res.ProviderReference, first.Callback.ProviderReference)
	assert.Equal(t, p.Reference, first.Callback.ItemReference)
	assert.Equal(t, providers.StatusSucceeded, first.Callback.Status)
	assert.Equal(t, http.StatusServiceUnavailable, (<-delivered).HTTPStatus)

	// answered 503: Camoo sends it again once the retry is due, not before
	assert.Zero(t, srv.Tick())
	require.NoError(t, clock.Sleep(t.Context(), 10*time.Minute))
	assert.Equal(t, 1, srv.Tick())
	again := recv.Next(t)
	require.NoError(t, again.Err)
	assert.Equal(t, first.URL, again.URL, "the same notification")
	d := <-delivered
	assert.Equal(t, http.StatusOK, d.HTTPStatus)
	assert.Equal(t, 2, d.Attempt)

	// answered 200: no more
	require.NoError(t, clock.Sleep(t.Context(), time.Hour))
	assert.Zero(t, srv.Tick())
	assert.Len(t, srv.Deliveries(), 2)

	tampered := httptest.NewRequest(http.MethodGet, strings.Replace(first.URL, "status=success", "status=failed", 1), nil)
	require.NotEqual(t, first.URL, tampered.URL.RequestURI())
	_, err = cbs.ParseCallback(tampered)
	require.ErrorIs(t, err, providers.ErrCallbackSignature)
}
