package cinetpay_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// The sandbox's CinetPay calls the notify_url each transfer named
// ({public_url}/callbacks/cinetpay/{item}): an empty GET first, then the
// form POST, unsigned. Both parse; the POST moved to another item's URL is
// refused; a third party's forgery parses too (nothing is signed), which is
// why only check/money may move an item.
func TestSandboxCinetPayCallbacksParse(t *testing.T) {
	t.Parallel()
	cbs := cinetpay.NewCallbacks()
	recv := providerstest.NewReceiver(t, cbs, nil)
	rules, err := sandbox.ParseRules("cinetpay:callback-forged")
	require.NoError(t, err)
	rig := sandboxtest.New(t, sandbox.Options{Rules: rules, FailPhones: []string{"237677123456"}, Callbacks: sandbox.CallbackOptions{Enabled: true}})
	c := cinetpay.New(cinetpay.WithBaseURL(rig.URL+"/cinetpay/v1"), cinetpay.WithCredentials("k", "p"),
		cinetpay.WithNotifyURL("http://127.0.0.1/unused"), cinetpay.WithPublicURL(recv.URL))
	_, err = c.AddContacts(t.Context(), []providers.Contact{{Phone: "237677123456", Name: "Awa Ndi"}})
	require.NoError(t, err)
	p := providers.Payout{Reference: "2ceefe04-1a79-4914-9dd0-c61748c2aecb", Phone: "237677123456", Country: "CM", Amount: 5000, Currency: "XAF"}
	res, err := c.Send(t.Context(), p)
	require.NoError(t, err)

	assert.Equal(t, 3, rig.Advance(t, time.Minute), "the forgery, the empty GET, the POST")
	forged := recv.Next(t)
	require.NoError(t, forged.Err, "unsigned: a forgery cannot be told apart")
	assert.Equal(t, providers.StatusSucceeded, forged.Callback.Status, "it claims the opposite of what happened")
	ping := recv.Next(t)
	require.NoError(t, ping.Err)
	assert.Equal(t, http.MethodGet, ping.Method)
	assert.True(t, ping.Callback.Ping)
	assert.Equal(t, "/callbacks/cinetpay/"+p.Reference, ping.URL)
	post := recv.Next(t)
	require.NoError(t, post.Err)
	assert.Equal(t, http.MethodPost, post.Method)
	assert.Equal(t, res.ProviderReference, post.Callback.ProviderReference)
	assert.Equal(t, p.Reference, post.Callback.ItemReference)
	assert.Equal(t, providers.StatusFailed, post.Callback.Status)
	assert.False(t, post.Callback.Signed)

	moved := post.Request(nil, "127.0.0.1:1")
	moved.URL.Path = "/callbacks/cinetpay/another-item"
	_, err = cbs.ParseCallback(moved)
	require.ErrorIs(t, err, providers.ErrCallbackMalformed)
	_, err = cbs.ParseCallback(post.Request([]byte(strings.ReplaceAll(string(post.Body), "transaction_id", "tx")), "127.0.0.1:1"))
	require.ErrorIs(t, err, providers.ErrCallbackMalformed)
}
