package mycoolpay_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/mycoolpay"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// The sandbox's My-CoolPay posts one callback per payout, signed with the
// private key the payout was sent with, never retried: it passes
// ParseCallback; with its amount altered, or from an address off the
// allow-list, it does not.
func TestSandboxMyCoolPayCallbacksVerify(t *testing.T) {
	t.Parallel()
	// the sandbox posts from this machine: 127.0.0.1 stands for My-CoolPay's address
	cbs, err := mycoolpay.NewCallbacks(publicKey, privateKey, mycoolpay.WithSources("127.0.0.1"))
	require.NoError(t, err)
	recv := providerstest.NewReceiver(t, cbs, func(int) int { return http.StatusInternalServerError })
	rules, err := sandbox.ParseRules("mycoolpay:callback-wrong-source")
	require.NoError(t, err)
	rig := sandboxtest.New(t, sandbox.Options{Rules: rules, Callbacks: sandbox.CallbackOptions{Enabled: true,
		URLs: map[string]string{"mycoolpay": recv.URL + mycoolpay.CallbackPath}}})
	c := mycoolpay.New(mycoolpay.WithBaseURL(rig.URL+"/mycoolpay/api"), mycoolpay.WithKeys(publicKey, privateKey))
	p := providers.Payout{Reference: "2ceefe04-1a79-4914-9dd0-c61748c2aecb", Phone: "237677123456", Operator: "MTN", Amount: 1500, Currency: "XAF"}
	res, err := c.Send(t.Context(), p)
	require.NoError(t, err)

	assert.Equal(t, 2, rig.Advance(t, time.Minute), "the genuine one, then a copy from another address")
	got := recv.Next(t)
	require.NoError(t, got.Err)
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, res.ProviderReference, got.Callback.ProviderReference)
	assert.Equal(t, p.Reference, got.Callback.ItemReference)
	assert.Equal(t, providers.StatusSucceeded, got.Callback.Status)
	assert.Equal(t, int64(1500), got.Callback.Amount)
	d := <-rig.Delivered
	assert.Equal(t, http.StatusInternalServerError, d.HTTPStatus)
	replayed := recv.Next(t)
	require.ErrorIs(t, replayed.Err, providers.ErrCallbackSource, "the same callback from 127.0.0.2")
	assert.Equal(t, got.Body, replayed.Body)
	assert.Equal(t, "wrong-source", (<-rig.Delivered).Kind)

	// never retried, however long one waits
	assert.Zero(t, rig.Advance(t, 24*time.Hour))
	assert.Len(t, rig.Server.Deliveries(), 2)
	assert.True(t, recv.None())

	tampered := strings.Replace(string(got.Body), `"transaction_amount":1500`, `"transaction_amount":15000`, 1)
	require.NotEqual(t, string(got.Body), tampered)
	_, err = cbs.ParseCallback(got.Request([]byte(tampered), "127.0.0.1:1"))
	require.ErrorIs(t, err, providers.ErrCallbackSignature)

	strict, err := mycoolpay.NewCallbacks(publicKey, privateKey) // the documented source only
	require.NoError(t, err)
	_, err = strict.ParseCallback(got.Request(nil, "127.0.0.1:1"))
	require.ErrorIs(t, err, providers.ErrCallbackSource)
	_, err = strict.ParseCallback(got.Request(nil, mycoolpay.CallbackSource+":443"))
	require.NoError(t, err)
}
