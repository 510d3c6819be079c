package config_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/config"
	"bulkpay/providers"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/cinetpay2"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// CinetPay's 2026 API is chosen with api: "2026"; each country account's
// secrets come from the variables the config names, or
// CINETPAY_{CC}_API_KEY and CINETPAY_{CC}_API_PASSWORD.
func TestCinetPay2026Config(t *testing.T) {
	srv := sandboxtest.Sandbox(t, sandbox.Options{CinetPayAPI: sandbox.CinetPayAPIOptions{Accounts: map[string]sandbox.CinetPayAPIAccount{
		"CI": {APIKey: "sk_test_ci_env", APIPassword: "ci-pass-env"}, "SN": {APIKey: "sk_test_sn_env", APIPassword: "sn-pass-env"}}}})
	root := sandboxtest.Serve(t, srv, srv)
	path := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(path, []byte("public_url: https://pay.example.org\nproviders:\n  cinetpay:\n    api: \"2026\"\n    base_url: "+root+"/cinetpay-api\n"+
		"    accounts:\n      CI: {api_key_env: PAYROLL_CI_KEY, api_password_env: PAYROLL_CI_PASSWORD}\n      SN: {}\n"), 0o600))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	pc := cfg.Providers["cinetpay"]

	_, err = config.NewProvider("cinetpay", pc, "", cfg.PublicURL, http.DefaultClient)
	require.ErrorContains(t, err, "set PAYROLL_CI_KEY and PAYROLL_CI_PASSWORD in the environment")
	t.Setenv("PAYROLL_CI_KEY", "sk_test_ci_env")
	t.Setenv("PAYROLL_CI_PASSWORD", "ci-pass-env")
	_, err = config.NewProvider("cinetpay", pc, "", cfg.PublicURL, http.DefaultClient)
	require.ErrorContains(t, err, "set CINETPAY_SN_API_KEY and CINETPAY_SN_API_PASSWORD in the environment")
	t.Setenv("CINETPAY_SN_API_KEY", "sk_test_sn_env")
	t.Setenv("CINETPAY_SN_API_PASSWORD", "sn-pass-env")
	p, err := config.NewProvider("cinetpay", pc, "", cfg.PublicURL, http.DefaultClient)
	require.NoError(t, err)
	require.IsType(t, &cinetpay2.Client{}, p)
	assert.Equal(t, cinetpay.Name, p.Name(), "the same provider in routes and the ledger")
	for _, payee := range []providers.Payout{
		{Phone: "2250701020304", Country: "CI", Operator: "Orange", Amount: 5000, Currency: "XOF"},
		{Phone: "221771234567", Country: "SN", Operator: "Orange", Amount: 5000, Currency: "XOF"},
	} {
		payee.Reference = uuid.NewString()
		_, err := p.Send(context.Background(), payee)
		require.NoError(t, err, "each country paid from its own account")
	}
	payouts := srv.Payouts()
	require.Len(t, payouts, 2)

	// without base_url, sk_test_ keys go to CinetPay's sandbox, others to production
	pc.BaseURL = ""
	assert.Equal(t, cinetpay2.SandboxURL, config.Config{Providers: map[string]config.ProviderConfig{"cinetpay": pc}}.Endpoint(config.Target{}).Providers["cinetpay"])
	t.Setenv("CINETPAY_SN_API_KEY", "sk_live_sn")
	assert.Equal(t, cinetpay2.LiveURL, config.Config{Providers: map[string]config.ProviderConfig{"cinetpay": pc}}.Endpoint(config.Target{}).Providers["cinetpay"])
}

func TestCinetPayAPIRefusals(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, yaml, refusal string }{
		{"accounts without api 2026", "  cinetpay:\n    accounts:\n      CI: {}\n", `add api: "2026"`},
		{"api 2026 without accounts", "  cinetpay:\n    api: \"2026\"\n", "list them under accounts"},
		{"an api bulkpay does not know", "  cinetpay:\n    api: \"2027\"\n", `api "2027"`},
		{"a country the 2026 API does not serve", "  cinetpay:\n    api: \"2026\"\n    accounts:\n      FR: {}\n", `"FR" is not a country`},
		{"api on another provider", "  campay:\n    api: \"2026\"\n", "CinetPay settings"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "c.yaml")
			require.NoError(t, os.WriteFile(path, []byte("providers:\n"+c.yaml), 0o600))
			_, err := config.Load(path)
			require.ErrorContains(t, err, c.refusal)
		})
	}
}
