package door

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/config"
	"bulkpay/ledger"
)

func TestDelivererNeedsWebhooksAndTheirSecrets(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	_, err := Deliverer(cfg, nil, func(string) string { return "" }, nil)
	require.ErrorIs(t, err, ErrNoWebhooks)
	p, err := DeliverDue(context.Background(), cfg, nil, func(string) string { return "" }, nil, time.Second)
	require.NoError(t, err, "without webhooks a run delivers nothing and says nothing")
	assert.Zero(t, p)

	cfg.Webhooks = []config.Webhook{{URL: "https://example.test/hook", SecretEnv: "HOOK_SECRET"}}
	_, err = Deliverer(cfg, nil, func(string) string { return "zq9secret" }, nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "zq9secret", "the secret is never in an error")
	d, err := Deliverer(cfg, nil, func(string) string { return strings.Repeat("s", config.MinWebhookSecret) }, nil)
	require.NoError(t, err)
	assert.Len(t, d.Endpoints, 1)

	done, cancel := context.WithCancel(context.Background())
	cancel()
	p, err = DeliverDue(done, cfg, nil, func(string) string { return "" }, nil, time.Second)
	require.NoError(t, err, "once the run's context is done nothing is tried")
	assert.Zero(t, p)
}

func TestProcessOwner(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	o := ProcessOwner(at)
	assert.Equal(t, os.Getpid(), o.PID)
	assert.Equal(t, at, o.At)
	host, err := os.Hostname()
	require.NoError(t, err)
	assert.Equal(t, host, o.Host)
	assert.Equal(t, ledger.ProcessStart(os.Getpid()), o.Start, "what tells this process from another with its pid")
	assert.NotEmpty(t, o.Start)
}

func TestHooksWithoutWebhooksChangeNothingAndSayNothing(t *testing.T) {
	t.Parallel()
	var said []string
	h := Hooks{Config: config.Default(), Getenv: func(string) string { return "" },
		Say: func(format string, args ...any) { said = append(said, format) }}
	require.ErrorIs(t, h.Resend(context.Background(), nil, "evt_1", time.Now()), ErrNoWebhooks,
		"refused before the event is opened again")
	require.ErrorIs(t, h.Deliver(context.Background(), nil), ErrNoWebhooks)
	h.AfterRun(context.Background(), nil)
	assert.Empty(t, said, "a run without webhooks says nothing of them")
}
