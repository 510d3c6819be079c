package campay_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/campay"
)

const webhookKey = "whk-test-0123456789"

// jwt makes a compact JWS over header and payload (JSON text) with an HMAC.
func jwt(header, payload string, h func() hash.Hash, key string) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	m := hmac.New(h, []byte(key))
	m.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(m.Sum(nil))
}

func TestCamPayCallbackKnownJWT(t *testing.T) {
	t.Parallel()
	// the example token of jwt.io, HS256 with the key "your-256-bit-secret"
	tok := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	cbs, err := campay.NewCallbacks("your-256-bit-secret")
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodGet, "/callbacks/campay?status=SUCCESSFUL&reference=abc&signature="+tok, nil)
	cb, err := cbs.ParseCallback(r)
	require.NoError(t, err)
	assert.Equal(t, "abc", cb.ProviderReference)
	assert.Equal(t, providers.StatusSucceeded, cb.Status)
}

func TestCamPayCallbacks(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	good := jwt(`{"alg":"HS256","typ":"JWT"}`, `{"iat":1700000000}`, sha256.New, webhookKey)
	fields := func(sig string, extra ...string) url.Values {
		v := url.Values{"status": {"SUCCESSFUL"}, "reference": {"bcedde9b-62a7-4421-96ac-2e6179552a1a"}, "amount": {"5000"},
			"currency": {"XAF"}, "operator": {"MTN"}, "code": {"CP201027T00005"}, "operator_reference": {"1880106956"},
			"endpoint": {"withdraw"}, "external_reference": {"2ceefe04-1a79-4914-9dd0-c61748c2aecb"}, "phone_number": {"237677123456"}}
		if sig != "" {
			v.Set("signature", sig)
		}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	get := func(v url.Values) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/callbacks/campay?"+v.Encode(), nil)
		r.RemoteAddr = "203.0.113.9:4431"
		return r
	}
	postJSON := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/callbacks/campay", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	cases := []struct {
		name  string
		req   *http.Request
		class error // nil: accepted
	}{
		{"valid GET", get(fields(good)), nil},
		{"valid POST JSON, amount a string", postJSON(`{"status":"SUCCESSFUL","reference":"bcedde9b-62a7-4421-96ac-2e6179552a1a","amount":"5000","currency":"XAF","external_reference":"2ceefe04-1a79-4914-9dd0-c61748c2aecb","signature":"` + good + `"}`), nil},
		{"valid POST JSON, amount a number", postJSON(`{"status":"SUCCESSFUL","reference":"bcedde9b-62a7-4421-96ac-2e6179552a1a","amount":5000,"external_reference":"2ceefe04-1a79-4914-9dd0-c61748c2aecb","signature":"` + good + `"}`), nil},
		{"HS512 accepted", get(fields(jwt(`{"alg":"HS512"}`, `{}`, sha512.New, webhookKey))), nil},
		{"unknown fields kept out", get(fields(good, "extra_first_name", "Awa", "colour", "blue")), nil},
		{"replayed: parse is pure, the same callback parses again", get(fields(good)), nil},
		{"wrong key", get(fields(jwt(`{"alg":"HS256"}`, `{}`, sha256.New, "another-key"))), providers.ErrCallbackSignature},
		{"missing signature", get(fields("")), providers.ErrCallbackSignature},
		{"alg none", get(fields(base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." +
			base64.RawURLEncoding.EncodeToString([]byte(`{}`)) + ".")), providers.ErrCallbackSignature},
		{"alg none with a signature copied", get(fields(strings.Replace(good, strings.Split(good, ".")[0],
			base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)), 1))), providers.ErrCallbackSignature},
		{"alg RS256", get(fields(jwt(`{"alg":"RS256"}`, `{}`, sha256.New, webhookKey))), providers.ErrCallbackSignature},
		{"header swapped to HS512, HS256 signature", get(fields(strings.Replace(good, strings.Split(good, ".")[0],
			base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS512"}`)), 1))), providers.ErrCallbackSignature},
		{"not a JWT", get(fields("asdfasdfasdfasdf")), providers.ErrCallbackSignature},
		{"expired", get(fields(jwt(`{"alg":"HS256"}`, `{"exp":1700000000}`, sha256.New, webhookKey))), providers.ErrCallbackSignature},
		{"not valid yet", get(fields(jwt(`{"alg":"HS256"}`, `{"nbf":1900000000}`, sha256.New, webhookKey))), providers.ErrCallbackSignature},
		{"valid until after now", get(fields(jwt(`{"alg":"HS256"}`, `{"exp":1900000000}`, sha256.New, webhookKey))), nil},
		{"no reference", get(func() url.Values { v := fields(good); v.Del("reference"); return v }()), providers.ErrCallbackMalformed},
		{"body not JSON", postJSON(`status=SUCCESSFUL`), providers.ErrCallbackMalformed},
		{"amount with decimals", get(fields(good, "amount", "5000.50")), providers.ErrCallbackMalformed},
		{"field twice", get(func() url.Values { v := fields(good); v.Add("status", "FAILED"); return v }()), providers.ErrCallbackMalformed},
	}
	cbs, err := campay.NewCallbacks(webhookKey, campay.WithCallbackClock(func() time.Time { return now }))
	require.NoError(t, err)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cb, err := cbs.ParseCallback(tc.req)
			if tc.class != nil {
				require.ErrorIs(t, err, tc.class)
				var ce *providers.CallbackError
				require.ErrorAs(t, err, &ce)
				assert.NotContains(t, err.Error(), webhookKey)
				assert.Equal(t, "campay", ce.Provider)
				status, body := cbs.Answer(err)
				assert.Contains(t, []int{400, 401, 403}, status)
				assert.Equal(t, "KO", body)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "campay", cb.Provider)
			assert.Equal(t, "bcedde9b-62a7-4421-96ac-2e6179552a1a", cb.ProviderReference)
			assert.Equal(t, "2ceefe04-1a79-4914-9dd0-c61748c2aecb", cb.ItemReference)
			assert.Equal(t, providers.StatusSucceeded, cb.Status)
			assert.Equal(t, int64(5000), cb.Amount)
			assert.True(t, cb.Signed)
			assert.NotEmpty(t, cb.Raw)
		})
	}
	assert.Equal(t, http.StatusUnauthorized, providers.CallbackStatus(mustErr(cbs.ParseCallback(get(fields(""))))))
	cb, err := cbs.ParseCallback(get(fields(good)))
	require.NoError(t, err)
	assert.Equal(t, "203.0.113.9", cb.SourceAddr)
}

func mustErr(_ providers.Callback, err error) error { return err }

func TestCamPayCallbacksNeedAKey(t *testing.T) {
	t.Parallel()
	_, err := campay.NewCallbacks("")
	require.Error(t, err)
}
