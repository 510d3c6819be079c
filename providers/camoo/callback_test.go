package camoo_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/camoo"
)

const apiSecret = "camoo-secret-0123456789"

func hmacHex(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func TestCamooCallbacks(t *testing.T) {
	t.Parallel()
	const item = "2ceefe04-1a79-4914-9dd0-c61748c2aecb"
	// the parameters sorted by name, values RFC 3986 encoded (a space is
	// %20, ':' is %3A), signed by hand
	signed := "payment_id=8c1b2f0e&status=SUCCESS&status_time=2026-11-24%2012%3A00%3A00&trx=" + item
	good := hmacHex(apiSecret, signed)
	query := "status=SUCCESS&payment_id=8c1b2f0e&status_time=2026-11-24%2012:00:00&trx=" + item
	get := func(path, q string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, path+"?"+q, nil)
		r.RemoteAddr = "198.51.100.20:5000"
		return r
	}
	at := "/callbacks/camoo/" + item
	cases := []struct {
		name  string
		req   *http.Request
		class error
	}{
		{"valid", get(at, query+"&sig="+good), nil},
		{"sig in upper case hex", get(at, query+"&sig="+hexUpper(good)), nil},
		{"without trx, the URL names the item", get(at, "payment_id=8c1b2f0e&status=SUCCESS&status_time=2026-11-24%2012%3A00%3A00&sig="+
			hmacHex(apiSecret, "payment_id=8c1b2f0e&status=SUCCESS&status_time=2026-11-24%2012%3A00%3A00")), nil},
		{"replayed: parse is pure", get(at, query+"&sig="+good), nil},
		{"unknown parameter, signed", get(at, query+"&x=1&sig="+hmacHex(apiSecret,
			"payment_id=8c1b2f0e&status=SUCCESS&status_time=2026-11-24%2012%3A00%3A00&trx="+item+"&x=1")), nil},
		{"unknown parameter added after signing", get(at, query+"&x=1&sig="+good), providers.ErrCallbackSignature},
		{"wrong secret", get(at, query+"&sig="+hmacHex("other", signed)), providers.ErrCallbackSignature},
		{"status changed", get(at, "status=FAILED&payment_id=8c1b2f0e&status_time=2026-11-24%2012:00:00&trx="+item+"&sig="+good), providers.ErrCallbackSignature},
		{"missing sig", get(at, query), providers.ErrCallbackSignature},
		{"sig not hex", get(at, query+"&sig=zz"), providers.ErrCallbackSignature},
		{"URL names another item", get("/callbacks/camoo/other-item", query+"&sig="+good), providers.ErrCallbackMalformed},
		{"no payment_id", get(at, "status=SUCCESS&sig="+hmacHex(apiSecret, "status=SUCCESS")), providers.ErrCallbackMalformed},
		{"parameter twice", get(at, query+"&status=FAILED&sig="+good), providers.ErrCallbackMalformed},
	}
	cbs, err := camoo.NewCallbacks(apiSecret)
	require.NoError(t, err)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cb, err := cbs.ParseCallback(tc.req)
			if tc.class != nil {
				require.ErrorIs(t, err, tc.class)
				assert.NotContains(t, err.Error(), apiSecret)
				assert.NotContains(t, err.Error(), good)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "8c1b2f0e", cb.ProviderReference)
			assert.Equal(t, item, cb.ItemReference)
			assert.Equal(t, providers.StatusSucceeded, cb.Status)
			assert.Equal(t, "198.51.100.20", cb.SourceAddr)
			assert.True(t, cb.Signed)
		})
	}
	_, err = camoo.NewCallbacks("")
	require.Error(t, err)
}

func hexUpper(s string) string {
	b, _ := hex.DecodeString(s)
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestCamooNotificationURLPerItem(t *testing.T) {
	t.Parallel()
	got := make(chan string, 2)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			URL string `json:"notification_url"`
		}
		assert.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		got <- body.URL
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"code":201,"cashOut":{"id":"x","status":"created"}}`))
	}))
	defer hs.Close()
	p := providers.Payout{Reference: "2ceefe04-1a79-4914-9dd0-c61748c2aecb", Phone: "237677123456", Amount: 100}
	_, err := camoo.New(camoo.WithBaseURL(hs.URL), camoo.WithKeys("k", "s"), camoo.WithPublicURL("https://pay.example.com/")).Send(t.Context(), p)
	require.NoError(t, err)
	assert.Equal(t, "https://pay.example.com/callbacks/camoo/2ceefe04-1a79-4914-9dd0-c61748c2aecb", <-got)
	_, err = camoo.New(camoo.WithBaseURL(hs.URL), camoo.WithKeys("k", "s")).Send(t.Context(), p)
	require.NoError(t, err)
	assert.Empty(t, <-got, "without a public URL, none, as before")
}
