package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// api2026 sends one request to the 2026 API's simulator: the HTTP status and
// the JSON answer.
func api2026(t *testing.T, root, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, root+"/cinetpay-api"+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return resp.StatusCode, m
}

func TestCinetPayAPISimulator(t *testing.T) {
	t.Parallel()
	rig := sandboxtest.New(t, sandbox.Options{CinetPayAPI: sandbox.CinetPayAPIOptions{Accounts: map[string]sandbox.CinetPayAPIAccount{
		"CI": {APIKey: "sk_test_ci", APIPassword: "ci"}, "SN": {APIKey: "sk_test_sn", APIPassword: "sn"}}}})
	root := rig.URL

	status, _ := api2026(t, root, http.MethodPost, "/v1/oauth/login", "", `{"api_key":"sk_test_ci","api_password":"wrong"}`)
	assert.Equal(t, http.StatusUnauthorized, status)
	status, m := api2026(t, root, http.MethodPost, "/v1/oauth/login", "", `{"api_key":"sk_test_ci","api_password":"ci"}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, float64(200), m["code"])
	assert.Equal(t, "bearer", m["token_type"])
	assert.Equal(t, float64(86400), m["expires_in"])
	ci := m["access_token"].(string)

	status, m = api2026(t, root, http.MethodGet, "/v1/balances", ci, "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "XOF", m["currency"])
	assert.Equal(t, float64(1_000_000_000), m["available_balance"])

	transfer := `{"currency":"XOF","payment_method":"OM_CI","merchant_transaction_id":"BP-ROW-2","amount":5000,` +
		`"phone_number":"+2250701020304","reason":"salary","notify_url":"http://127.0.0.1:1/notify"}`
	status, m = api2026(t, root, http.MethodPost, "/v1/transfer", ci, transfer)
	require.Equal(t, http.StatusOK, status, m)
	assert.Equal(t, float64(2001), m["code"])
	assert.Equal(t, "INITIATED", m["status"])
	assert.NotEmpty(t, m["notify_token"])
	id := m["transaction_id"].(string)

	status, m = api2026(t, root, http.MethodPost, "/v1/transfer", ci, transfer)
	assert.Equal(t, http.StatusUnprocessableEntity, status, "a merchant_transaction_id used before")
	assert.Contains(t, m["errors"], "merchant_transaction_id")

	senegal := strings.NewReplacer("OM_CI", "OM_SN", "+2250701020304", "+221771234567", "BP-ROW-2", "BP-ROW-3").Replace(transfer)
	status, m = api2026(t, root, http.MethodPost, "/v1/transfer", ci, senegal)
	assert.Equal(t, http.StatusUnprocessableEntity, status, "the CI account pays CI only")
	assert.Contains(t, m["errors"], "payment_method")

	rig.Advance(t, time.Minute)
	status, m = api2026(t, root, http.MethodGet, "/v1/transfer/"+id, ci, "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, float64(100), m["code"])
	assert.Equal(t, "SUCCESS", m["status"])
	assert.Equal(t, "5000", m["amount"], "the lookup writes amounts as strings")
	assert.Equal(t, "BP-ROW-2", m["merchant_transaction_id"])
	status, _ = api2026(t, root, http.MethodGet, "/v1/transfer/no-such-id", ci, "")
	assert.Equal(t, http.StatusNotFound, status)

	// 24 hours on, the token has expired: HTTP 200 with code 1003
	rig.Advance(t, 24*time.Hour)
	status, m = api2026(t, root, http.MethodGet, "/v1/balances", ci, "")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, float64(1003), m["code"])
	assert.Equal(t, "EXPIRED_TOKEN", m["status"])
	status, _ = api2026(t, root, http.MethodGet, "/v1/balances", "", "")
	assert.Equal(t, http.StatusUnauthorized, status)
}
