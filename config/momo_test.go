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

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/providers"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// MoMo's secrets come from the environment variables the config names (or
// MOMO_SUBSCRIPTION_KEY, MOMO_API_USER, MOMO_API_KEY); target_environment
// and markets shape where it pays.
func TestMoMoConfig(t *testing.T) {
	srv := sandboxtest.Sandbox(t, sandbox.Options{MoMo: sandbox.MoMoOptions{SubscriptionKey: "sub-from-env", APIUser: "user-from-env", APIKey: "key-from-env"}})
	root := sandboxtest.Serve(t, srv, srv)
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	require.NoError(t, os.WriteFile(path, []byte("providers:\n  momo:\n    base_url: "+root+"/momo\n"+
		"    subscription_key_env: PAYROLL_MOMO_SUB\n    api_user_env: PAYROLL_MOMO_USER\n    apikey_env: PAYROLL_MOMO_KEY\n"+
		"    markets: [CM, ci]\n"), 0o600))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	pc := cfg.Providers["momo"]
	assert.Equal(t, []string{"CM", "ci"}, pc.Markets)

	_, err = config.NewProvider("momo", pc, "", http.DefaultClient)
	require.ErrorContains(t, err, "set PAYROLL_MOMO_SUB and PAYROLL_MOMO_USER and PAYROLL_MOMO_KEY in the environment")

	t.Setenv("PAYROLL_MOMO_SUB", "sub-from-env")
	t.Setenv("PAYROLL_MOMO_USER", "user-from-env")
	t.Setenv("PAYROLL_MOMO_KEY", "key-from-env")
	prov, err := config.NewProvider("momo", pc, "", http.DefaultClient)
	require.NoError(t, err)
	ctx := context.Background()
	res, err := prov.Send(ctx, providers.Payout{Reference: uuid.NewString(), Phone: "237677123456", Country: "CM", Amount: 500, Currency: "XAF"})
	require.NoError(t, err)
	assert.Equal(t, providers.StatusPending, res.Status)
	_, err = prov.Send(ctx, providers.Payout{Reference: uuid.NewString(), Phone: "242061234567", Country: "CG", Amount: 500, Currency: "XAF"})
	require.ErrorIs(t, err, providers.ErrRejected, "Congo is not among the markets")

	pc.TargetEnvironment = "sandbox" // MTN's developer sandbox: its test numbers, in EUR
	prov, err = config.NewProvider("momo", pc, "", http.DefaultClient)
	require.NoError(t, err)
	_, err = prov.Send(ctx, providers.Payout{Reference: uuid.NewString(), Phone: "46733123453", Amount: 5, Currency: "XAF"})
	require.NoError(t, err)
	assert.Len(t, srv.Payouts(), 2)

	// through a sandbox, the account pays the config's region: one balance,
	// which the balance check reads as the account's
	open := sandboxtest.Sandbox(t, sandbox.Options{})
	sb := config.Default()
	conn, err := sb.Connect(ctx, config.Target{SandboxURL: sandboxtest.Serve(t, open, open)})
	require.NoError(t, err)
	defer conn.Close()
	bs, err := conn.Lanes["momo"].Provider.(batch.Balancer).Balances(ctx)
	require.NoError(t, err)
	require.Len(t, bs, 1)
	assert.Equal(t, providers.Balance{Amount: 1_000_000_000, Currency: "XAF"}, bs[0])

	require.NoError(t, os.WriteFile(path, []byte("providers:\n  momo:\n    markets: [CM, NG]\n"), 0o600))
	_, err = config.Load(path)
	assert.ErrorContains(t, err, `providers.momo.markets: "NG" is not a market bulkpay pays through MTN MoMo (BJ, CG, CI, CM, GN)`)
	require.NoError(t, os.WriteFile(path, []byte("providers:\n  campay:\n    markets: [CM]\n"), 0o600))
	_, err = config.Load(path)
	assert.ErrorContains(t, err, "providers.campay: markets and target_environment are MTN MoMo settings")
}
