package providers_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/providers"
)

func TestCallbackStatus(t *testing.T) {
	t.Parallel()
	refused := func(class error) error {
		return fmt.Errorf("wrapped: %w", &providers.CallbackError{Class: class, Provider: "x", Reason: "r", SourceAddr: "192.0.2.1"})
	}
	for err, want := range map[error]int{
		nil:                                         http.StatusOK,
		refused(providers.ErrCallbackSignature):     http.StatusUnauthorized,
		refused(providers.ErrCallbackSource):        http.StatusForbidden,
		refused(providers.ErrCallbackMalformed):     http.StatusBadRequest,
		errors.New("the ledger is closed"):          http.StatusInternalServerError,
		fmt.Errorf("x: %w", providers.ErrRejected):  http.StatusInternalServerError,
		fmt.Errorf("x: %w", providers.ErrTransient): http.StatusInternalServerError,
	} {
		assert.Equal(t, want, providers.CallbackStatus(err), fmt.Sprint(err))
	}
	status, body := providers.CallbackAnswer(nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "OK", body)
	status, body = providers.CallbackAnswer(refused(providers.ErrCallbackSource))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "KO", body)
	assert.Equal(t, "mycoolpay callback from 192.0.2.1: callback from an address not allowed: r",
		(&providers.CallbackError{Class: providers.ErrCallbackSource, Provider: "mycoolpay", Reason: "r", SourceAddr: "192.0.2.1"}).Error())
}

func TestItemCallbackURL(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "", providers.ItemCallbackURL("", "camoo", "ref"), "no public URL: none")
	assert.Equal(t, "https://pay.example.com/callbacks/camoo/2ceefe04-1a79-4914-9dd0-c61748c2aecb",
		providers.ItemCallbackURL("https://pay.example.com/", "camoo", "2ceefe04-1a79-4914-9dd0-c61748c2aecb"))
	assert.Equal(t, "https://pay.example.com/bulkpay/callbacks/cinetpay/a%2Fb",
		providers.ItemCallbackURL("https://pay.example.com/bulkpay", "cinetpay", "a/b"))
}

func TestPathItem(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"/callbacks/cinetpay/2ceefe04":          "2ceefe04",
		"/bulkpay/callbacks/cinetpay/2ceefe04/": "2ceefe04",
		"/callbacks/cinetpay":                   "",
		"/callbacks/cinetpay/a/b":               "",
		"/callbacks/camoo/2ceefe04":             "",
	} {
		assert.Equal(t, want, providers.PathItem(httptest.NewRequest(http.MethodGet, path, nil), "cinetpay"), path)
	}
	mux := http.NewServeMux()
	var got string
	mux.HandleFunc("/hooks/{item_reference}", func(w http.ResponseWriter, r *http.Request) { got = providers.PathItem(r, "cinetpay") })
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/hooks/abc", nil))
	assert.Equal(t, "abc", got, "a ServeMux wildcard is read first")
}

func TestAllowList(t *testing.T) {
	t.Parallel()
	assert.True(t, providers.AllowList(nil).Allows("198.51.100.1"), "empty: any")
	l := providers.AllowList{"15.236.140.89", "10.0.0.0/8", "2001:db8::/32"}
	for ip, want := range map[string]bool{"15.236.140.89": true, "10.9.8.7": true, "2001:db8::1": true,
		"15.236.140.90": false, "127.0.0.1": false, "": false, "not-an-ip": false} {
		assert.Equal(t, want, l.Allows(ip), ip)
	}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.RemoteAddr = "[2001:db8::1]:443"
	r.Header.Set("X-Forwarded-For", "15.236.140.89")
	assert.Equal(t, "2001:db8::1", providers.SourceIP(r), "the connection's address, never a header")
}

func TestRFC3986Escape(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "AZaz09-._~", providers.RFC3986Escape("AZaz09-._~"))
	assert.Equal(t, "2026-11-24%2012%3A00%3A00", providers.RFC3986Escape("2026-11-24 12:00:00"))
	assert.Equal(t, "a%2Bb%26c%3Dd%2F%C3%A9", providers.RFC3986Escape("a+b&c=d/é"))
}

func TestCallbackValues(t *testing.T) {
	t.Parallel()
	long := "a=" + strings.Repeat("x", providers.MaxCallbackBody)
	for _, tc := range []struct {
		name, method, target, body string
		raw                        string
		fields                     url.Values
		refusal                    string
	}{
		{"a GET's query", http.MethodGet, "/cb?a=1&b=x%20y", "", "a=1&b=x%20y", url.Values{"a": {"1"}, "b": {"x y"}}, ""},
		{"an empty GET", http.MethodGet, "/cb", "", "", url.Values{}, ""},
		{"a POST's form, not its query", http.MethodPost, "/cb?q=1", "a=1", "a=1", url.Values{"a": {"1"}}, ""},
		{"a field twice", http.MethodGet, "/cb?a=1&a=2", "", "a=1&a=2", nil, "field a given 2 times"},
		{"a form field twice", http.MethodPost, "/cb", "a=1&b=2&b=3", "a=1&b=2&b=3", nil, "field b given 2 times"},
		{"an unreadable query", http.MethodGet, "/cb?a=%zz", "", "a=%zz", nil, "query not readable"},
		{"an unreadable form", http.MethodPost, "/cb", "a=%zz", "a=%zz", nil, "form not readable"},
		{"a body too long", http.MethodPost, "/cb", long, "", nil, "body longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			raw, fields, err := providers.CallbackValues(r)
			assert.Equal(t, tc.raw, raw, "what was read is kept")
			if tc.refusal != "" {
				assert.ErrorContains(t, err, tc.refusal)
				assert.Nil(t, fields)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tc.fields, fields)
		})
	}
}
