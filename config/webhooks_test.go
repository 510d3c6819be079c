package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/config"
	"bulkpay/webhooks"
)

func loadYAML(t *testing.T, body string) (config.Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bulkpay.yaml")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return config.Load(path)
}

func TestWebhooksParse(t *testing.T) {
	t.Parallel()
	cfg, err := loadYAML(t, `
webhooks:
  - url: https://hr.example.com/bulkpay?token=abc
    events: [item.succeeded, item.failed, link.claimed]
    secret_env: HR_WEBHOOK_SECRET
  - url: http://127.0.0.1:9000/hooks
    secret_env: LOCAL_HOOK_SECRET
`)
	require.NoError(t, err)
	assert.Equal(t, []config.Webhook{
		{URL: "https://hr.example.com/bulkpay?token=abc", Events: []string{"item.succeeded", "item.failed", "link.claimed"}, SecretEnv: "HR_WEBHOOK_SECRET"},
		{URL: "http://127.0.0.1:9000/hooks", SecretEnv: "LOCAL_HOOK_SECRET"},
	}, cfg.Webhooks)

	env := map[string]string{"HR_WEBHOOK_SECRET": "hr-secret-0123456789", "LOCAL_HOOK_SECRET": "local-secret-0123456789"}
	eps, err := cfg.WebhookEndpoints(func(k string) string { return env[k] })
	require.NoError(t, err)
	require.Len(t, eps, 2)
	assert.Equal(t, "https://hr.example.com/bulkpay", eps[0].Key(), "the token in the query stays out of the ledger and lists")
	assert.True(t, eps[0].Wants(webhooks.ItemFailed))
	assert.False(t, eps[0].Wants(webhooks.BatchPlanned))
	assert.True(t, eps[1].Wants(webhooks.BatchPlanned), "no events listed: every event")
	for _, ep := range eps {
		for _, s := range env {
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", ep, ep, ep), s, "printing an endpoint never shows its secret")
		}
	}
}

func TestWebhooksRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yaml, want string }{
		{"webhooks:\n  - url: http://hr.example.com/hooks\n    secret_env: S\n", "webhooks[0].url: http://hr.example.com/hooks is plain http"},
		{"webhooks:\n  - url: https://u:p@hr.example.com/hooks\n    secret_env: S\n", "webhooks[0].url: https://hr.example.com/hooks holds credentials"},
		{"webhooks:\n  - secret_env: S\n", "webhooks[0].url: give the address"},
		{"webhooks:\n  - url: https://hr.example.com\n    events: [item.paid]\n    secret_env: S\n", `webhooks[0].events: "item.paid" is not an event bulkpay sends`},
		{"webhooks:\n  - url: https://hr.example.com\n", "webhooks[0].secret_env: name the environment variable"},
		{"webhooks:\n  - url: https://hr.example.com\n    secret_env: \"s3cr3t value!\"\n", "webhooks[0].secret_env: name the environment variable"},
		{"webhooks:\n  - url: https://hr.example.com/h\n    secret_env: A\n  - url: https://hr.example.com/h?x=1\n    secret_env: B\n",
			"webhooks[1].url: https://hr.example.com/h is already listed"},
		{"webhooks:\n  - url: https://hr.example.com\n    secret: abc\n", "field secret not found"},
	} {
		_, err := loadYAML(t, tc.yaml)
		assert.ErrorContains(t, err, tc.want, tc.yaml)
		assert.NotContains(t, err.Error(), "s3cr3t", "a secret written in secret_env by mistake is not repeated")
	}
}

func TestWebhookSecretComesFromTheEnvironment(t *testing.T) {
	t.Parallel()
	cfg, err := loadYAML(t, "webhooks:\n  - url: https://hr.example.com/hooks?token=t0k\n    secret_env: HR_SECRET\n")
	require.NoError(t, err)
	_, err = cfg.WebhookEndpoints(func(string) string { return "" })
	assert.EqualError(t, err, "webhooks[0] (https://hr.example.com/hooks): the signing secret in HR_SECRET is not set: set it in the environment (a long random string the endpoint shares)")
	_, err = cfg.WebhookEndpoints(func(string) string { return "short-s3cr3t" })
	assert.ErrorContains(t, err, "HR_SECRET is shorter than 16 characters")
	assert.NotContains(t, err.Error(), "s3cr3t")
	assert.NotContains(t, err.Error(), "t0k")
}
