package config_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
)

func TestExampleConfigParses(t *testing.T) {
	cfg, err := config.Load("../samples/bulkpay.example.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"camoo", "campay", "cinetpay", "mycoolpay"}, cfg.ProviderNames())
	assert.Equal(t, "CINETPAY_APIKEY", cfg.Providers["cinetpay"].APIKeyEnv)
	assert.Equal(t, 20, cfg.Providers["cinetpay"].ChunkSize)
}

func TestPartialConfigKeepsDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(path, []byte("pending_wait: 30s\n"), 0o600))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, cfg.PendingWait)
	assert.Equal(t, "bulkpay.db", cfg.Ledger)
	assert.Equal(t, "CM", cfg.Region)
	assert.Empty(t, cfg.Providers, "no providers: the sandbox is used")

	require.NoError(t, os.WriteFile(path, []byte("providers:\n  paypal: {}\n"), 0o600))
	_, err = config.Load(path)
	assert.ErrorContains(t, err, `provider "paypal" is not one bulkpay knows`)

	require.NoError(t, os.WriteFile(path, []byte("providers:\n  campay:\n    password: hunter2\n"), 0o600))
	_, err = config.Load(path)
	assert.ErrorContains(t, err, "field password not found", "secrets have no place in the file")
}

func TestMissingCredentialsNameTheVariables(t *testing.T) {
	t.Setenv("CAMPAY_USERNAME", "")
	t.Setenv("CAMPAY_PASSWORD", "")
	t.Setenv("CAMPAY_TOKEN", "")
	_, err := config.NewProvider("campay", config.DefaultPace(config.ProviderConfig{}), "", "", nil)
	assert.ErrorContains(t, err, "set CAMPAY_USERNAME and CAMPAY_PASSWORD")
	t.Setenv("MY_USER", "u")
	t.Setenv("MY_PASS", "p")
	p, err := config.NewProvider("campay", config.DefaultPace(config.ProviderConfig{UsernameEnv: "MY_USER", PasswordEnv: "MY_PASS"}), "", "", nil)
	require.NoError(t, err)
	assert.Equal(t, "campay", p.Name())
}

func TestLiveBaseURLMustBeHTTPS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url     string
		refusal string
	}{
		{"", ""},
		{"https://www.campay.net/api", ""},
		{"http://127.0.0.1:8089/campay/api", ""},
		{"http://localhost:8089/campay/api", ""},
		{"http://[::1]:8089/campay/api", ""},
		{"http://127.8.9.10/x", ""},
		{"http://www.campay.net/api", "plain http"},
		{"http://10.0.0.5:8089/campay/api", "plain http"},
		{"http://0.0.0.0:8089/campay/api", "plain http"},
		{"https://user:hunter2@www.campay.net/api", "holds credentials"},
		{"ftp://www.campay.net/api", "not an address"},
		{"www.campay.net/api", "not an address"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			err := config.CheckBaseURL(tc.url)
			if tc.refusal == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.refusal)
			assert.NotContains(t, err.Error(), "hunter2", "the error repeats no secret")
		})
	}

	path := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(path, []byte("providers:\n  camoo: {base_url: \"http://api.camoo.cm/v1/payment\"}\n"), 0o600))
	_, err := config.Load(path)
	assert.ErrorContains(t, err, "providers.camoo.base_url: http://api.camoo.cm/v1/payment is plain http")
}

func TestFeePercentMustBeADecimal(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c.yaml")
	for body, refusal := range map[string]string{
		"providers:\n  camoo: {fee_percent: \"2\"}\n":    "",
		"providers:\n  camoo: {fee_percent: \"1.5\"}\n":  "",
		"providers:\n  camoo: {fee_percent: \"2%\"}\n":   "providers.camoo fee_percent: percentage \"2%\" is not a decimal number",
		"providers:\n  camoo: {fee_percent: \"-1\"}\n":   "not a decimal number",
		"providers:\n  camoo: {fee_percent: \"150\"}\n":  "150 is not between 0 and 100",
		"providers:\n  campay: {fee_percent: \"0,5\"}\n": "providers.campay fee_percent",
	} {
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
		_, err := config.Load(path)
		if refusal == "" {
			assert.NoError(t, err, body)
			continue
		}
		assert.ErrorContains(t, err, refusal, body)
	}
}

// The sandbox's Camoo draws 2% on top of each cashout: the balance check knows
// it from the sandbox itself, and a config's fee_percent overrides it.
func TestSandboxCostsComeFromTheSimulators(t *testing.T) { // not parallel: it sets the environment
	ctx := context.Background()
	conn, err := config.Default().Connect(ctx, config.Target{SandboxURL: "http://127.0.0.1:1"})
	require.NoError(t, err)
	defer conn.Close()
	assert.True(t, conn.Sandbox)
	assert.Equal(t, batch.Costs{"camoo": "2"}, conn.Costs)
	assert.Equal(t, int64(10200), conn.Costs.Of(batch.Item{Provider: "camoo", Amount: 10000}))
	assert.Equal(t, int64(10000), conn.Costs.Of(batch.Item{Provider: "campay", Amount: 10000}))

	cfg := config.Default()
	cfg.Providers = map[string]config.ProviderConfig{"camoo": {FeePercent: "1.5"}}
	conn, err = cfg.Connect(ctx, config.Target{SandboxURL: "http://127.0.0.1:1"})
	require.NoError(t, err)
	defer conn.Close()
	assert.Equal(t, batch.Costs{"camoo": "1.5"}, conn.Costs, "the config's fee_percent wins")
	assert.Len(t, conn.Lanes, 5, "the sandbox serves every provider")

	t.Setenv("CAMOO_API_KEY", "k")
	t.Setenv("CAMOO_API_SECRET", "s")
	conn, err = cfg.Connect(ctx, config.Target{})
	require.NoError(t, err)
	defer conn.Close()
	assert.False(t, conn.Sandbox)
	assert.Equal(t, batch.Costs{"camoo": "1.5"}, conn.Costs)
	live := config.Default()
	live.Providers = map[string]config.ProviderConfig{"camoo": {}}
	conn, err = live.Connect(ctx, config.Target{})
	require.NoError(t, err)
	defer conn.Close()
	assert.Empty(t, conn.Costs, "a real provider draws only what the config says")
}

func TestEndpointAndConfiguredProviders(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	assert.Equal(t, batch.Endpoint{Kind: batch.EndpointBuiltin}, cfg.Endpoint(config.Target{}))
	assert.Equal(t, batch.SandboxEndpoint("http://127.0.0.1:8089"), cfg.Endpoint(config.Target{SandboxURL: "http://127.0.0.1:8089/"}))
	assert.Equal(t, []string{"camoo", "campay", "cinetpay", "momo", "mycoolpay"}, cfg.Configured(""))
	cfg.Providers = map[string]config.ProviderConfig{"campay": {}, "camoo": {BaseURL: "https://camoo.example/v1"}}
	e := cfg.Endpoint(config.Target{ConfigPath: "c.yaml"})
	assert.Equal(t, batch.EndpointLive, e.Kind)
	assert.Equal(t, map[string]string{"campay": "https://demo.campay.net/api", "camoo": "https://camoo.example/v1"}, e.Providers)
	assert.True(t, filepath.IsAbs(e.Config))
	assert.Equal(t, []string{"camoo", "campay"}, cfg.Configured(""))
	assert.Equal(t, []string{"camoo", "campay", "cinetpay", "momo", "mycoolpay"}, cfg.Configured("http://127.0.0.1:8089"))
}

func TestRateIsANumberOrUnlimited(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, tc := range []struct {
		rate    string
		want    config.Rate
		pace    float64 // what the call stack is given: 0 is no pace
		refusal string
	}{
		{rate: "20", want: 20, pace: 20},
		{rate: "0.5", want: 0.5, pace: 0.5},
		{rate: "unlimited", want: config.Unlimited, pace: 0},
		{rate: "0", refusal: `rate "0": write the requests per second`},
		{rate: "-3", refusal: `rate "-3"`},
		{rate: "fast", refusal: `rate "fast"`},
		{rate: ".inf", refusal: `rate ".inf"`},
	} {
		path := filepath.Join(dir, fmt.Sprintf("c%d.yaml", i))
		require.NoError(t, os.WriteFile(path, []byte("providers:\n  campay:\n    rate: "+tc.rate+"\n"), 0o600))
		cfg, err := config.Load(path)
		if tc.refusal != "" {
			assert.ErrorContains(t, err, tc.refusal, tc.rate)
			continue
		}
		require.NoError(t, err, tc.rate)
		got := cfg.Providers["campay"].Rate
		assert.Equal(t, tc.want, got, tc.rate)
		assert.Equal(t, tc.pace, config.DefaultPace(cfg.Providers["campay"]).Rate.PerSecond(), tc.rate)
	}
	assert.Equal(t, 5.0, config.DefaultPace(config.ProviderConfig{}).Rate.PerSecond(), "left out: 5 a second")
}

func TestStatusChecksMayHaveABudgetOfTheirOwn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, tc := range []struct {
		yaml string
		want *batch.Pace
	}{
		{yaml: "rate: 20\n    concurrency: 4", want: nil},
		{yaml: "rate: 20\n    status_rate: 50", want: &batch.Pace{Rate: 50, Burst: 1, Concurrency: 4}},
		{yaml: "rate: 20\n    status_rate: unlimited\n    status_concurrency: 8", want: &batch.Pace{Rate: 0, Burst: 1, Concurrency: 8}},
		{yaml: "rate: 20\n    burst: 3\n    status_concurrency: 2", want: &batch.Pace{Rate: 20, Burst: 3, Concurrency: 2}},
	} {
		path := filepath.Join(dir, fmt.Sprintf("c%d.yaml", i))
		require.NoError(t, os.WriteFile(path, []byte("providers:\n  campay:\n    "+tc.yaml+"\n"), 0o600))
		cfg, err := config.Load(path)
		require.NoError(t, err, tc.yaml)
		assert.Equal(t, tc.want, config.DefaultPace(cfg.Providers["campay"]).StatusPace(), tc.yaml)
	}
	path := filepath.Join(dir, "zero.yaml")
	require.NoError(t, os.WriteFile(path, []byte("providers:\n  campay:\n    status_rate: 0\n"), 0o600))
	_, err := config.Load(path)
	assert.ErrorContains(t, err, `rate "0"`, "a status rate of 0 is refused like a rate of 0")
}

func TestPollingIsTheFallbackOncePublicURLIsSet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, tc := range []struct {
		name      string
		yaml      string
		callbacks bool
		delay     time.Duration
	}{
		{"no public URL: polling alone", "", false, 30 * time.Second},
		{"a public URL: every provider calls back", "public_url: https://pay.example.org\n", true, 30 * time.Second},
		{"its own pace", "public_url: https://pay.example.org\ncallback_poll_delay: 1m\n", true, time.Minute},
	} {
		path := filepath.Join(dir, fmt.Sprintf("c%d.yaml", i))
		require.NoError(t, os.WriteFile(path, []byte(tc.yaml), 0o600))
		cfg, err := config.Load(path)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.delay, cfg.RunOptions(false, nil, nil).CallbackPollDelay, tc.name)
		assert.Equal(t, tc.delay, cfg.SettleOptions(false, nil).CallbackPollDelay, tc.name)
		conn, err := cfg.Connect(context.Background(), config.Target{SandboxURL: "http://127.0.0.1:1"})
		require.NoError(t, err, tc.name)
		for name, l := range conn.Lanes {
			assert.Equal(t, tc.callbacks, l.Callbacks, "%s: %s", tc.name, name)
		}
		conn.Close()
	}
}

// Reconcile polls what is in doubt as a run does: the sandbox every 500ms
// unless the config sets its own poll_interval, the providers at the config's.
func TestReconcilePollsAsARunDoes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, tc := range []struct {
		yaml            string
		sandbox, config time.Duration
	}{
		{"", 500 * time.Millisecond, config.Default().PollInterval},
		{"poll_interval: 20ms\n", 20 * time.Millisecond, 20 * time.Millisecond},
	} {
		path := filepath.Join(dir, fmt.Sprintf("c%d.yaml", i))
		require.NoError(t, os.WriteFile(path, []byte(tc.yaml), 0o600))
		cfg, err := config.Load(path)
		require.NoError(t, err, tc.yaml)
		for _, sandbox := range []bool{true, false} {
			want := tc.config
			if sandbox {
				want = tc.sandbox
			}
			assert.Equal(t, want, cfg.RunOptions(sandbox, nil, nil).PollInterval, "run: %q sandbox %v", tc.yaml, sandbox)
			assert.Equal(t, want, cfg.SettleOptions(sandbox, nil).PollInterval, "reconcile: %q sandbox %v", tc.yaml, sandbox)
		}
	}
}
