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
)

// The sandbox's CamPay calls back as CamPay does (POST JSON, or GET), signed
// with the webhook key: its callbacks pass ParseCallback; a third party's,
// or one with its signature altered, does not.
func TestSandboxCamPayCallbacksVerify(t *testing.T) {
	t.Parallel()
	for _, get := range []bool{false, true} {
		t.Run(map[bool]string{false: "POST", true: "GET"}[get], func(t *testing.T) {
			t.Parallel()
			clock := providerstest.NewClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
			cbs, err := campay.NewCallbacks(webhookKey, campay.WithCallbackClock(clock.Now))
			require.NoError(t, err)
			recv := providerstest.NewReceiver(t, cbs, nil)
			rules, err := sandbox.ParseRules("campay:callback-forged")
			require.NoError(t, err)
			srv, err := sandbox.New(sandbox.Options{Now: clock.Now, SettleDelay: time.Minute, Rules: rules,
				Callbacks: sandbox.CallbackOptions{Enabled: true, CamPayKey: webhookKey, CamPayGET: get,
					URLs: map[string]string{"campay": recv.URL + campay.CallbackPath}}})
			require.NoError(t, err)
			hs := httptest.NewServer(srv)
			t.Cleanup(func() { srv.Close(); hs.Close() })
			c := campay.New(campay.WithBaseURL(hs.URL+"/campay/api"), campay.WithCredentials("u", "p"))
			p := providers.Payout{Reference: "2ceefe04-1a79-4914-9dd0-c61748c2aecb", Phone: "237677123456", Amount: 25, Currency: "XAF"}
			res, err := c.Send(t.Context(), p)
			require.NoError(t, err)
			require.True(t, recv.None(), "nothing before the payout is final")

			require.NoError(t, clock.Sleep(t.Context(), time.Minute))
			assert.Equal(t, 2, srv.Tick(), "the forgery, the genuine")
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
