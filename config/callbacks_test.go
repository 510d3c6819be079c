package config_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/config"
	"bulkpay/providers"
	"bulkpay/providers/mycoolpay"
)

func TestCallbackSettingsAreRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`public_url: https://pay.example.org
providers:
  campay: {webhook_key_env: MY_CAMPAY_HOOK}
  mycoolpay: {callback_sources: [203.0.113.0/24]}
  camoo: {}
  cinetpay: {}
  momo: {}
`), 0o600))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	assert.Equal(t, "https://pay.example.org", cfg.PublicURL)
	assert.Equal(t, "MY_CAMPAY_HOOK", cfg.Providers["campay"].WebhookKeyEnv)
	assert.Equal(t, []string{"203.0.113.0/24"}, cfg.Providers["mycoolpay"].CallbackSources)

	t.Setenv("MY_CAMPAY_HOOK", "hook-key")
	t.Setenv("MYCOOLPAY_PUBLIC_KEY", "pub")
	t.Setenv("MYCOOLPAY_PRIVATE_KEY", "priv")
	t.Setenv("CAMOO_API_SECRET", "")
	parsers, skipped, err := cfg.Callbacks(config.Target{})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"campay", "cinetpay", "mycoolpay", "momo"}, keys(parsers), "MoMo's and CinetPay's are unsigned: no key needed")
	require.Len(t, skipped, 1)
	assert.Contains(t, skipped[0], "camoo", "a provider whose secret is missing is named")
	for _, s := range skipped {
		assert.NotContains(t, s, "hook-key")
	}

	// My-CoolPay's callbacks are heard from the allow-list only
	body := `{"application":"pub","app_transaction_ref":"r","transaction_ref":"t","transaction_type":"PAYOUT","transaction_amount":1000,` +
		`"transaction_currency":"XAF","transaction_operator":"CM_MOMO","transaction_status":"SUCCESS","signature":"` +
		mycoolpay.Sign("t", "PAYOUT", "1000", "XAF", "CM_MOMO", "priv") + `"}`
	for addr, want := range map[string]error{"203.0.113.7:443": nil, mycoolpay.CallbackSource + ":443": providers.ErrCallbackSource} {
		r := httptest.NewRequest(http.MethodPost, "/callbacks/mycoolpay", strings.NewReader(body))
		r.RemoteAddr = addr
		_, err := parsers["mycoolpay"].ParseCallback(r)
		if want == nil {
			assert.NoError(t, err, addr)
		} else {
			assert.ErrorIs(t, err, want, addr)
		}
	}

	require.NoError(t, os.WriteFile(path, []byte("public_url: ftp://pay.example.org\n"), 0o600))
	_, err = config.Load(path)
	assert.ErrorContains(t, err, "public_url")
}

func TestTheSandboxsCallbacksAreHeardFromAnywhere(t *testing.T) {
	t.Parallel()
	parsers, skipped, err := config.Default().Callbacks(config.Target{SandboxURL: "http://127.0.0.1:8089"})
	require.NoError(t, err)
	assert.Empty(t, skipped)
	assert.ElementsMatch(t, []string{"campay", "cinetpay", "mycoolpay", "camoo", "momo"}, keys(parsers))
}

func keys(m map[string]providers.CallbackParser) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
