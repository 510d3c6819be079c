package cinetpay2_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/cinetpay2"
)

func TestParseCallback(t *testing.T) {
	t.Parallel()
	const ours = "2ceefe04-1a79-4914-9dd0-c61748c2aecb"
	const id = "BPFTXP4BA2PFERJHOQYYLURQVOZM" // ours, as merchant_transaction_id
	tests := []struct {
		name, method, path, body string
		class                    error
		want                     providers.Callback
	}{
		{name: "webhook", method: http.MethodPost, path: "/callbacks/cinetpay/" + ours,
			body: `{"notify_token":"secret-token-1","merchant_transaction_id":"` + id + `","transaction_id":"TX-9","user":"merchant"}`,
			want: providers.Callback{ItemReference: ours, ProviderReference: "TX-9", Token: "secret-token-1"}},
		{name: "no item in the URL: merchant_transaction_id names it", method: http.MethodPost, path: "/callbacks/cinetpay",
			body: `{"notify_token":"tok-lower","merchant_transaction_id":"` + strings.ToLower(id) + `","transaction_id":12345}`,
			want: providers.Callback{ItemReference: ours, ProviderReference: "12345", Token: "tok-lower"}},
		{name: "empty: a check that the URL answers", method: http.MethodPost, path: "/callbacks/cinetpay/" + ours,
			want: providers.Callback{ItemReference: ours, Ping: true}},
		{name: "no notify_token", method: http.MethodPost, path: "/callbacks/cinetpay/" + ours,
			body: `{"merchant_transaction_id":"` + id + `","transaction_id":"TX-9"}`, class: providers.ErrCallbackSignature},
		{name: "no transaction_id", method: http.MethodPost, path: "/callbacks/cinetpay/" + ours,
			body: `{"notify_token":"t","merchant_transaction_id":"` + id + `"}`, class: providers.ErrCallbackMalformed},
		{name: "the URL names another item", method: http.MethodPost, path: "/callbacks/cinetpay/5f0c6c1e-0b7e-4a39-9d55-0b7c4b0e6a11",
			body: `{"notify_token":"t","merchant_transaction_id":"` + id + `","transaction_id":"TX-9"}`, class: providers.ErrCallbackMalformed},
		{name: "not JSON", method: http.MethodPost, path: "/callbacks/cinetpay/" + ours,
			body: `notify_token=secret-token-1&transaction_id=TX-9`, class: providers.ErrCallbackMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			r.Header.Set("Content-Type", "application/json")
			cb, err := cinetpay2.NewCallbacks().ParseCallback(r)
			if tc.class != nil {
				require.ErrorIs(t, err, tc.class)
				var ce *providers.CallbackError
				require.ErrorAs(t, err, &ce)
				assert.NotContains(t, ce.Raw, "secret-token-1", "the token is never kept")
				assert.NotContains(t, err.Error(), "secret-token-1")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, cinetpay2.Name, cb.Provider)
			assert.Equal(t, tc.want.ItemReference, cb.ItemReference)
			assert.Equal(t, tc.want.ProviderReference, cb.ProviderReference)
			assert.Equal(t, tc.want.Token, cb.Token)
			assert.Equal(t, tc.want.Ping, cb.Ping)
			assert.False(t, cb.Signed, "CinetPay signs nothing: the token is checked against the ledger")
			if tc.want.Token != "" {
				assert.NotContains(t, cb.Raw, tc.want.Token, "the token is not kept as evidence")
				assert.Contains(t, cb.Raw, `"notify_token":"{redacted}"`)
			}
		})
	}
}
