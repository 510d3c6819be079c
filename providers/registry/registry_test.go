package registry_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/registry"
)

func TestEveryProviderDeclaresItself(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"camoo", "campay", "cinetpay", "momo", "mycoolpay"}, registry.Names())
	assert.Len(t, registry.All(), len(providers.Declarations()), "every declared provider has a client")
	for _, p := range registry.All() {
		assert.NotEmpty(t, p.Title, p.Name)
		assert.Contains(t, p.BaseURL, "https://", p.Name)
		assert.NotEmpty(t, p.SandboxPath, p.Name)
		assert.NotEmpty(t, p.SendPath, p.Name)
		assert.NotNil(t, p.Explain, p.Name)
		assert.NotEmpty(t, p.Pays, "%s declares what it pays", p.Name)
	}
	assert.Equal(t, "My-CoolPay", registry.Title("mycoolpay"))
	mcp, _ := registry.Lookup("mycoolpay")
	require.NotNil(t, mcp.Wallet, "My-CoolPay declares its wallets")
	assert.Equal(t, providers.CarrierMCP, mcp.Wallet.Carrier)
	assert.Equal(t, "paypal", registry.Title("paypal"), "an unknown provider keeps its name")
	_, ok := registry.Lookup("paypal")
	assert.False(t, ok)
}

func TestMovesMoney(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, url string
		want        bool
	}{
		{http.MethodPost, "http://127.0.0.1:8089/campay/api/withdraw/", true},
		{http.MethodPost, "https://client.cinetpay.com/v1/transfer/money/send/contact?token=x", true},
		{http.MethodPost, "https://my-coolpay.com/api/pub/payout", true},
		{http.MethodPost, "https://api.camoo.cm/v1/payment/cashout", true},
		{http.MethodGet, "http://127.0.0.1:8089/campay/api/withdraw/", false},
		{http.MethodPost, "http://127.0.0.1:8089/campay/api/token/", false},
		{http.MethodGet, "http://127.0.0.1:8089/campay/api/balance/", false},
	} {
		assert.Equal(t, tc.want, registry.MovesMoney(httptest.NewRequest(tc.method, tc.url, nil)), "%s %s", tc.method, tc.url)
	}
}
