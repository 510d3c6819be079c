package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/sandbox"
	"bulkpay/webhooks"
)

const hookSecret = "hook-secret-5f0c1e2d3b4a"

// hookReceiver is the customer's endpoint: it checks each signature and keeps
// the events it took, by id.
type hookReceiver struct {
	mu       sync.Mutex
	ids      []string // every event id taken, in order, repeats included
	types    map[string]string
	bad      int
	failWith int // when set, every request is answered with it
}

func newHookReceiver(t *testing.T) (*hookReceiver, *httptest.Server) {
	h := &hookReceiver{types: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var e struct{ ID, Type string }
		_ = json.Unmarshal(body, &e)
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.failWith != 0 {
			w.WriteHeader(h.failWith)
			return
		}
		if r.URL.Query().Get("token") != "tok-7731" || r.Header.Get(webhooks.EventIDHeader) != e.ID ||
			webhooks.Verify([]byte(hookSecret), r.Header.Get(webhooks.SignatureHeader), body, time.Now(), 5*time.Minute) != nil {
			h.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h.ids = append(h.ids, e.ID)
		h.types[e.ID] = e.Type
	}))
	t.Cleanup(srv.Close)
	return h, srv
}

func (h *hookReceiver) count(typ string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, id := range h.ids {
		if h.types[id] == typ {
			n++
		}
	}
	return n
}

func TestRunDeliversWebhooksAndTheCommandsListAndResendThem(t *testing.T) {
	t.Parallel()
	dir := withSamples(t)
	// a sandbox whose payouts settle in 20ms, not the built-in one's second:
	// the webhooks are the same
	url := newSimulator(t, sandbox.Options{}).URL
	h, srv := newHookReceiver(t)
	cfg := unpaced(t, dir, "webhooks:\n  - url: "+srv.URL+"/events?token=tok-7731\n    secret_env: ACME_HOOK_SECRET\n")
	env := []string{"ACME_HOOK_SECRET=" + hookSecret}

	r := bulkpayEnv(t, dir, env, "run", "samples/payroll-2026-11.xlsx", "--config", cfg, "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "webhooks: 28 delivered, 0 failed, 0 given up")
	assert.Equal(t, 1, h.count(webhooks.BatchPlanned))
	assert.Equal(t, 1, h.count(webhooks.BatchStarted))
	assert.Equal(t, 25, h.count(webhooks.ItemSucceeded))
	assert.Equal(t, 1, h.count(webhooks.BatchCompleted))
	assert.Zero(t, h.bad, "every request carried a signature that verifies")

	r = bulkpayEnv(t, dir, env, "webhooks", "deliver", "--config", cfg)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "webhooks: 0 delivered, 0 failed, 0 given up")

	r = bulkpay(t, dir, "webhooks", "list", "--log")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "batch.completed")
	assert.Regexp(t, `item\.succeeded\s+payroll-2026-11 row 4 \(\S+\)\s+\S+\s+`+regexp.QuoteMeta(srv.URL+"/events")+`\s+delivered\s+1\s+200 at`, r.stdout)
	completed := regexp.MustCompile(`(evt_[0-9a-f]{32})\s+batch\.completed`).FindStringSubmatch(r.stdout)
	require.NotNil(t, completed, r.stdout)

	r = bulkpayEnv(t, dir, env, "webhooks", "resend", completed[1], "--config", cfg)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "webhooks: 1 delivered")
	assert.Equal(t, 2, h.count(webhooks.BatchCompleted), "sent again under the same event id")

	r = bulkpayEnv(t, dir, env, "webhooks", "resend", "evt_nosuch", "--config", cfg)
	assert.NotEqual(t, 0, r.code)
	assert.Contains(t, r.stderr, "webhook event not found: evt_nosuch")

	// an endpoint that fails never changes the run's outcome, and the secret
	// and the URL's token appear nowhere
	h.mu.Lock()
	h.failWith = http.StatusInternalServerError
	h.mu.Unlock()
	r = bulkpayEnv(t, dir, env, "run", "samples/payroll-2026-11.csv", "--config", cfg, "--reference", "payroll-2026-11-b", "--allow-repeat", "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "webhooks: 0 delivered, 28 failed, 0 given up; 28 waiting, the next due at")
	l := bulkpay(t, dir, "webhooks", "list", "--log", "--limit", "1000")
	require.Equal(t, 0, l.code, l.stderr)
	assert.Contains(t, l.stdout, "HTTP 500 Internal Server Error; next at")
	for _, out := range []string{r.stdout, r.stderr, l.stdout, l.stderr} {
		assert.NotContains(t, out, hookSecret)
		assert.NotContains(t, out, "tok-7731")
	}

	// without its secret in the environment, delivery is refused naming the variable; run still succeeds
	r = bulkpay(t, dir, "webhooks", "deliver", "--config", cfg)
	assert.NotEqual(t, 0, r.code)
	assert.Contains(t, r.stderr, "the signing secret in ACME_HOOK_SECRET is not set")
	r = bulkpay(t, dir, "run", "samples/payroll-2026-11.xlsx", "--config", cfg, "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	assert.True(t, strings.Contains(r.stderr, "webhooks not delivered now"), r.stderr)
}
