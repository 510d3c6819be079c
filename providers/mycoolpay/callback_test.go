package mycoolpay_test

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/mycoolpay"
)

const (
	publicKey  = "118a4852-7df8-46d9-834b-23b4ef25aaab"
	privateKey = "priv-test-0123456789"
)

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// body is the documented callback, with amount written as given and sig.
func body(amount, sig string, extra ...string) string {
	b := `{"application":"` + publicKey + `","app_transaction_ref":"2ceefe04-1a79-4914-9dd0-c61748c2aecb",` +
		`"operator_transaction_ref":"MP200618.1634.A34527","transaction_ref":"18ac6335-2bdd-4b95-944e-ef029c49c5b5",` +
		`"transaction_type":"PAYOUT","transaction_amount":` + amount + `,"transaction_fees":2,"transaction_currency":"XAF",` +
		`"transaction_operator":"CM_OM","transaction_status":"SUCCESS","transaction_reason":"Salary",` +
		`"transaction_message":"Your transaction has been successfully completed","customer_phone_number":"699009900"`
	for _, e := range extra {
		b += "," + e
	}
	if sig != "" {
		b += `,"signature":"` + sig + `"`
	}
	return b + "}"
}

func TestMyCoolPayCallbacks(t *testing.T) {
	t.Parallel()
	// the documented formula, computed here by hand
	good := md5hex("18ac6335-2bdd-4b95-944e-ef029c49c5b5" + "PAYOUT" + "100" + "XAF" + "CM_OM" + privateKey)
	req := func(from, b string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/callbacks/mycoolpay", strings.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
		r.RemoteAddr = from + ":40000"
		return r
	}
	const mcp = mycoolpay.CallbackSource
	cases := []struct {
		name  string
		req   *http.Request
		class error
	}{
		{"valid", req(mcp, body("100", good)), nil},
		{"amount with insignificant zeros", req(mcp, body("100.00", good)), nil},
		{"amount as a string", req(mcp, body(`"100"`, good)), nil},
		{"signature in upper case", req(mcp, body("100", strings.ToUpper(good))), nil},
		{"unknown fields", req(mcp, body("100", good, `"colour":"blue"`, `"nested":{"a":[1,2]}`)), nil},
		{"replayed: parse is pure", req(mcp, body("100", good)), nil},
		{"wrong signature", req(mcp, body("100", md5hex("18ac6335-2bdd-4b95-944e-ef029c49c5b5PAYOUT100XAFCM_OMother"))), providers.ErrCallbackSignature},
		{"amount changed", req(mcp, body("1000", good)), providers.ErrCallbackSignature},
		{"missing signature", req(mcp, body("100", "")), providers.ErrCallbackSignature},
		{"another application", req(mcp, strings.Replace(body("100", good), publicKey, "someone-else", 1)), providers.ErrCallbackSignature},
		{"wrong source address", req("198.51.100.7", body("100", good)), providers.ErrCallbackSource},
		{"wrong source, even unsigned", req("198.51.100.7", body("100", "")), providers.ErrCallbackSource},
		{"not JSON", req(mcp, "transaction_ref=1"), providers.ErrCallbackMalformed},
		{"a GET", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/callbacks/mycoolpay", nil)
			r.RemoteAddr = mcp + ":1"
			return r
		}(), providers.ErrCallbackMalformed},
	}
	cbs, err := mycoolpay.NewCallbacks(publicKey, privateKey)
	require.NoError(t, err)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cb, err := cbs.ParseCallback(tc.req)
			if tc.class != nil {
				require.ErrorIs(t, err, tc.class)
				assert.NotContains(t, err.Error(), privateKey)
				assert.NotContains(t, err.Error(), good, "never the signature expected")
				_, answer := cbs.Answer(err)
				assert.Equal(t, "KO", answer)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, providers.Callback{Provider: "mycoolpay", ItemReference: "2ceefe04-1a79-4914-9dd0-c61748c2aecb",
				ProviderReference: "18ac6335-2bdd-4b95-944e-ef029c49c5b5", Status: providers.StatusSucceeded, ProviderStatus: "SUCCESS",
				Amount: 100, Signed: true, SourceAddr: mcp, Method: http.MethodPost, Raw: cb.Raw}, cb)
			assert.Contains(t, cb.Raw, "18ac6335")
			status, answer := cbs.Answer(nil)
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, "OK", answer)
		})
	}
	assert.Equal(t, http.StatusForbidden, providers.CallbackStatus(func() error {
		_, err := cbs.ParseCallback(req("198.51.100.7", body("100", good)))
		return err
	}()))
}

func TestMyCoolPayCallbackSources(t *testing.T) {
	t.Parallel()
	good := mycoolpay.Sign("18ac6335-2bdd-4b95-944e-ef029c49c5b5", "PAYOUT", "100", "XAF", "CM_OM", privateKey)
	req := func(from string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/callbacks/mycoolpay", strings.NewReader(body("100", good)))
		r.RemoteAddr = from + ":40000"
		return r
	}
	off, err := mycoolpay.NewCallbacks(publicKey, privateKey, mycoolpay.WithSources())
	require.NoError(t, err)
	_, err = off.ParseCallback(req("127.0.0.1"))
	require.NoError(t, err, "no allow-list: any address (the sandbox)")

	block, err := mycoolpay.NewCallbacks(publicKey, privateKey, mycoolpay.WithSources("10.1.0.0/16", "192.0.2.1"))
	require.NoError(t, err)
	_, err = block.ParseCallback(req("10.1.200.3"))
	require.NoError(t, err)
	_, err = block.ParseCallback(req("192.0.2.1"))
	require.NoError(t, err)
	_, err = block.ParseCallback(req(mycoolpay.CallbackSource))
	require.ErrorIs(t, err, providers.ErrCallbackSource)

	_, err = mycoolpay.NewCallbacks(publicKey, "")
	require.Error(t, err)
}
