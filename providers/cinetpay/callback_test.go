package cinetpay_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/cinetpay"
)

func TestCinetPayCallbacks(t *testing.T) {
	t.Parallel()
	const item = "2ceefe04-1a79-4914-9dd0-c61748c2aecb"
	at := "/callbacks/cinetpay/" + item
	form := "transaction_id=TR1234&client_transaction_id=" + item + "&lot=100001&amount=5000&receiver=237677123456" +
		"&operator=MTN&sending_status=CONFIRM&comment=&treatment_status=VAL&operator_transaction_id=OP1&validated_at=2026-11-24+12%3A00%3A00"
	post := func(path, body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.RemoteAddr = "198.51.100.30:5000"
		return r
	}
	cbs := cinetpay.NewCallbacks()

	ping, err := cbs.ParseCallback(httptest.NewRequest(http.MethodGet, at, nil))
	require.NoError(t, err)
	assert.True(t, ping.Ping, "the empty GET first: acknowledged, carries nothing")
	assert.Empty(t, ping.ProviderReference)
	assert.Equal(t, http.StatusOK, providers.CallbackStatus(err))

	cases := []struct {
		name   string
		req    *http.Request
		class  error
		status providers.Status
	}{
		{"valid POST", post(at, form), nil, providers.StatusSucceeded},
		{"replayed: parse is pure", post(at, form), nil, providers.StatusSucceeded},
		{"unknown fields", post(at, form+"&colour=blue"), nil, providers.StatusSucceeded},
		{"rejected", post(at, strings.Replace(form, "treatment_status=VAL", "treatment_status=REJ", 1)), nil, providers.StatusFailed},
		{"in progress", post(at, strings.Replace(form, "treatment_status=VAL", "treatment_status=REC", 1)), nil, providers.StatusPending},
		{"fields in a GET's query", httptest.NewRequest(http.MethodGet, at+"?"+form, nil), nil, providers.StatusSucceeded},
		{"URL names another item", post("/callbacks/cinetpay/other", form), providers.ErrCallbackMalformed, ""},
		{"no reference at all", post(at, "treatment_status=VAL&amount=5"), providers.ErrCallbackMalformed, ""},
		{"amount not whole", post(at, strings.Replace(form, "amount=5000", "amount=50.5", 1)), providers.ErrCallbackMalformed, ""},
		{"field twice", post(at, form+"&treatment_status=REJ"), providers.ErrCallbackMalformed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cb, err := cbs.ParseCallback(tc.req)
			if tc.class != nil {
				require.ErrorIs(t, err, tc.class)
				assert.Equal(t, http.StatusBadRequest, providers.CallbackStatus(err))
				return
			}
			require.NoError(t, err)
			assert.False(t, cb.Ping)
			assert.False(t, cb.Signed, "CinetPay does not sign: only check/money can confirm")
			assert.Equal(t, "TR1234", cb.ProviderReference)
			assert.Equal(t, item, cb.ItemReference)
			assert.Equal(t, tc.status, cb.Status)
			assert.Equal(t, int64(5000), cb.Amount)
		})
	}
	// the item from the body alone, when posted to a URL without one
	cb, err := cbs.ParseCallback(post("/notify", form))
	require.NoError(t, err)
	assert.Equal(t, item, cb.ItemReference)
}
