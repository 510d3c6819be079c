package webhooks_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/providerstest"
	"bulkpay/webhooks"
)

// TestSecretsStayOut: neither the signing secret nor a token in the
// endpoint's URL reaches the delivery log, the errors, the logs or the list,
// whatever the endpoint does (refuses the connection, answers 500, never
// answers, redirects).
func TestSecretsStayOut(t *testing.T) {
	t.Parallel()
	const token = "tok-9d8e7f"
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "secret "+secret+" token "+token, http.StatusInternalServerError) // an endpoint echoing what it got
	}))
	t.Cleanup(failing.Close)
	quit := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // then the server hears the client hang up
		select {
		case <-r.Context().Done():
		case <-quit:
		}
	}))
	t.Cleanup(silent.Close)
	t.Cleanup(func() { close(quit) }) // runs first: the handler never outlives the test
	moved := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/?token="+token, http.StatusFound)
	}))
	t.Cleanup(moved.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	clock := providerstest.NewClock(t0)
	m := outbox(webhooks.ItemFailed)
	var logs bytes.Buffer
	var eps []webhooks.Endpoint
	for _, u := range []string{failing.URL, silent.URL, moved.URL, closed.URL} {
		eps = append(eps, webhooks.NewEndpoint(u+"/hooks?token="+token, nil, []byte(secret)))
	}
	d := &webhooks.Deliverer{Store: m, Clock: clock, Endpoints: eps, Timeout: 50 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	p, err := d.Deliver(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 4, p.Failed)

	log := m.Attempts()
	require.Len(t, log, 4)
	assert.Equal(t, "HTTP 500 Internal Server Error", log[0].Error)
	assert.Equal(t, "timeout: no answer in time", log[1].Error)
	assert.Equal(t, "HTTP 302 Found", log[2].Error, "a redirect is not followed")
	assert.Contains(t, log[3].Error, "connection refused")
	list, err := m.List(context.Background(), 10)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, webhooks.WriteList(&out, list, true))
	assert.Contains(t, out.String(), failing.URL+"/hooks ")
	everything := fmt.Sprintf("%s %s %+v %+v %+v %#v", out.String(), logs.String(), log, list, d, eps)
	assert.NotContains(t, everything, secret)
	assert.NotContains(t, everything, token)
}
