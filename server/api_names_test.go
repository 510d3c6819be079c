package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// GET /payments/mobile_money/phone_number_info/{phone} answers the seed's
// phone_info_verification_results: the registered first and last names, to
// approvers and admins only, for any number the sandbox's directory knows
// (an Orange one too) and through MoMo for an MTN one; never in the logs.
func TestPhoneNumberInfoTellsTheRegisteredNameToThoseAllowed(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := newHarness(t, func(o *Options) {
		o.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	resp, err := http.Post(h.sandbox+"/_sandbox/names", "application/json",
		strings.NewReader(`{"237677123456": "Jean-Pierre MBARGA", "237699009900": "Aïcha BELLO"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	tests := []struct {
		user, phone string
		first, last string // "": null
		account     string
	}{
		{"bob", "677123456", "Jean-Pierre", "MBARGA", "active"}, // MTN: MoMo
		{"dana", "+237699009900", "Aïcha", "BELLO", "active"},   // Orange: the sandbox's directory
		{"bob", "677999999", "", "", "active"},                  // no name disclosed
		{"carl", "677123456", "", "", ""},                       // an auditor does not see names
		{"awa", "677123456", "", "", ""},                        // nor an initiator
	}
	for _, tt := range tests {
		got := h.api(tt.user, "password-"+tt.user).call(http.MethodGet, "/payments/mobile_money/phone_number_info/"+tt.phone, nil)
		require.Equal(t, http.StatusOK, got.code, got.body)
		info := decode[phoneInfoJSON](t, got)
		if tt.first == "" {
			assert.Nil(t, info.FirstName, "%s %s", tt.user, tt.phone)
			assert.Nil(t, info.LastName, "%s %s", tt.user, tt.phone)
		} else {
			require.NotNil(t, info.FirstName, "%s %s", tt.user, tt.phone)
			assert.Equal(t, tt.first, *info.FirstName)
			assert.Equal(t, tt.last, *info.LastName)
		}
		assert.Equal(t, tt.account, info.Account, "%s %s", tt.user, tt.phone)
	}
	assert.NotContains(t, logs.String(), "MBARGA")
	assert.NotContains(t, logs.String(), "BELLO")
}
