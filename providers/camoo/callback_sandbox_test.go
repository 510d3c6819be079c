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
	"bulkpay/providers/sandbox/sandboxtest"
)

// The sandbox's Camoo calls the notification_url each cashout named
// ({public_url}/callbacks/camoo/{item}) with a GET signed with the API
// secret, and again until it gets a 200: its notifications pass
// ParseCallback; with the status altered they do not.
func TestSandboxCamooCallbacksVerify(t *testing.T) {
	t.Parallel()
	cbs, err := camoo.NewCallbacks(apiSecret)
	require.NoError(t, err)
	recv := providerstest.NewReceiver(t, cbs, func(n int) int {
		if n == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	rig := sandboxtest.New(t, sandbox.Options{Callbacks: sandbox.CallbackOptions{Enabled: true, CamooRetry: 10 * time.Minute}})
	c := camoo.New(camoo.WithBaseURL(rig.URL+"/camoo/v1/payment"), camoo.WithKeys("key", apiSecret), camoo.WithPublicURL(recv.URL))
	p := providers.Payout{Reference: "2ceefe04-1a79-4914-9dd0-c61748c2aecb", Phone: "237677123456", Amount: 5000, Currency: "XAF"}
	res, err := c.Send(t.Context(), p)
	require.NoError(t, err)

	assert.Equal(t, 1, rig.Advance(t, time.Minute))
	first := recv.Next(t)
	require.NoError(t, first.Err)
	assert.Equal(t, http.MethodGet, first.Method)
	assert.True(t, strings.HasPrefix(first.URL, "/callbacks/camoo/"+p.Reference+"?"), first.URL)
	assert.Equal(t, res.ProviderReference, first.Callback.ProviderReference)
	assert.Equal(t, p.Reference, first.Callback.ItemReference)
	assert.Equal(t, providers.StatusSucceeded, first.Callback.Status)
	assert.Equal(t, http.StatusServiceUnavailable, (<-rig.Delivered).HTTPStatus)

	// answered 503: Camoo sends it again once the retry is due, not before
	assert.Zero(t, rig.Server.Tick())
	assert.Equal(t, 1, rig.Advance(t, 10*time.Minute))
	again := recv.Next(t)
	require.NoError(t, again.Err)
	assert.Equal(t, first.URL, again.URL, "the same notification")
	d := <-rig.Delivered
	assert.Equal(t, http.StatusOK, d.HTTPStatus)
	assert.Equal(t, 2, d.Attempt)

	// answered 200: no more
	assert.Zero(t, rig.Advance(t, time.Hour))
	assert.Len(t, rig.Server.Deliveries(), 2)

	tampered := httptest.NewRequest(http.MethodGet, strings.Replace(first.URL, "status=success", "status=failed", 1), nil)
	require.NotEqual(t, first.URL, tampered.URL.RequestURI())
	_, err = cbs.ParseCallback(tampered)
	require.ErrorIs(t, err, providers.ErrCallbackSignature)
}
