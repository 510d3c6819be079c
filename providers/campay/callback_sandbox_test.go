package campay_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/campay"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// The sandbox's CamPay calls back as CamPay does (POST JSON, or GET), signed
// with the webhook key: its callbacks pass ParseCallback; a third party's,
// or one with its signature altered, does not.
func TestSandboxCamPayCallbacksVerify(t *testing.T) {
	t.Parallel()
	for _, get := range []bool{false, true} {
		t.Run(map[bool]string{false: "POST", true: "GET"}[get], func(t *testing.T) {
			t.Parallel()
			cbs, err := campay.NewCallbacks(webhookKey, campay.WithCallbackClock(func() time.Time { return sandboxtest.Start }))
			require.NoError(t, err)
			recv := providerstest.NewReceiver(t, cbs, nil)
			rules, err := sandbox.ParseRules("campay:callback-forged")
			require.NoError(t, err)
			rig := sandboxtest.New(t, sandbox.Options{Rules: rules, Callbacks: sandbox.CallbackOptions{Enabled: true,
				CamPayKey: webhookKey, CamPayGET: get, URLs: map[string]string{"campay": recv.URL + campay.CallbackPath}}})
			c := campay.New(campay.WithBaseURL(rig.URL+"/campay/api"), campay.WithCredentials("u", "p"))
			p := providers.Payout{Reference: "2ceefe04-1a79-4914-9dd0-c61748c2aecb", Phone: "237677123456", Amount: 25, Currency: "XAF"}
			res, err := c.Send(t.Context(), p)
			require.NoError(t, err)
			require.True(t, recv.None(), "nothing before the payout is final")

			assert.Equal(t, 2, rig.Advance(t, time.Minute), "the forgery, the genuine")
			forged := recv.Next(t)
			require.ErrorIs(t, forged.Err, providers.ErrCallbackSignature, "the third party's comes first and is refused")
			genuine := recv.Next(t)
			require.NoError(t, genuine.Err)
			assert.Equal(t, map[bool]string{false: http.MethodPost, true: http.MethodGet}[get], genuine.Method)
			assert.Equal(t, res.ProviderReference, genuine.Callback.ProviderReference)
			assert.Equal(t, p.Reference, genuine.Callback.ItemReference)
			assert.Equal(t, providers.StatusSucceeded, genuine.Callback.Status)
			assert.Equal(t, int64(25), genuine.Callback.Amount)

			// the genuine callback, its signature altered, is refused
			var tampered *http.Request
			if get {
				u := strings.Replace(genuine.URL, "signature=", "signature=x", 1)
				tampered = httptest.NewRequest(http.MethodGet, u, nil)
			} else {
				tampered = genuine.Request([]byte(strings.Replace(string(genuine.Body), `"signature":"ey`, `"signature":"ex`, 1)), "127.0.0.1:1")
			}
			_, err = cbs.ParseCallback(tampered)
			require.ErrorIs(t, err, providers.ErrCallbackSignature)
			// and verified with another key, so is the genuine one
			other, _ := campay.NewCallbacks("another-key")
			_, err = other.ParseCallback(genuine.Request(nil, "127.0.0.1:1"))
			require.ErrorIs(t, err, providers.ErrCallbackSignature)
		})
	}
}
