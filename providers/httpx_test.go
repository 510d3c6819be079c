package providers_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
)

func serve(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(func() { hs.CloseClientConnections(); hs.Close() })
	return hs.URL
}

func request(url string, safe bool) providers.Request {
	return providers.Request{Provider: "campay", Op: "withdraw", Method: http.MethodPost, URL: url, Body: []byte(`{}`), Safe: safe}
}

// An answer larger than the limit is an error that says so, never a body
// silently cut: on a payout the outcome is in doubt, on a read it is transient.
func TestAnswerLargerThanTheLimit(t *testing.T) {
	t.Parallel()
	const limit = 64
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n := limit
		if r.URL.Path == "/big" {
			n = limit + 1
		}
		fmt.Fprint(w, strings.Repeat("x", n))
	})
	cases := []struct {
		path  string
		safe  bool
		class error
	}{
		{"/fits", false, nil},
		{"/big", false, providers.ErrUnknownOutcome},
		{"/big", true, providers.ErrTransient},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s safe=%v", tc.path, tc.safe), func(t *testing.T) {
			t.Parallel()
			r := request(url+tc.path, tc.safe)
			r.Limit = limit
			resp, err := providers.Exchange(context.Background(), http.DefaultClient, r)
			if tc.class == nil {
				require.NoError(t, err)
				assert.Len(t, resp.Body, limit, "an answer of exactly the limit is read whole")
				return
			}
			require.ErrorIs(t, err, tc.class)
			assert.Nil(t, resp)
			assert.Contains(t, err.Error(), "answer larger than 64 bytes")
			var pe *providers.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, http.StatusOK, pe.HTTPStatus)
		})
	}
	t.Run("default limit is 1 MiB", func(t *testing.T) {
		t.Parallel()
		big := serve(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, strings.Repeat("x", providers.MaxAnswer+1))
		})
		_, err := providers.Exchange(context.Background(), http.DefaultClient, request(big, false))
		require.ErrorIs(t, err, providers.ErrUnknownOutcome)
		assert.Contains(t, err.Error(), fmt.Sprint(providers.MaxAnswer))
	})
}

// failing is a Doer whose error quotes the whole URL, as a careless transport might.
type failing struct{ err error }

func (f failing) Do(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("cannot reach %s: %w", r.URL, f.err)
}

// Neither the query string nor a configured secret reaches an error, whether
// the transport names the URL in a url.Error or in its own words; the error
// still says what happened (errors.Is).
func TestSecretsNeverInErrors(t *testing.T) {
	t.Parallel()
	hs := httptest.NewServer(http.NotFoundHandler())
	closedURL := hs.URL
	hs.Close()

	const pub, token = "pk_live_publickey", "tok-0123456789"
	cases := []struct {
		name  string
		doer  providers.Doer
		url   string
		class error
		is    error
	}{
		{"refused connection (url.Error)", http.DefaultClient, closedURL + "/api/" + pub + "/payout?token=" + token + "&lang=fr", providers.ErrTransient, syscall.ECONNREFUSED},
		{"transport in its own words", failing{err: net.ErrClosed}, "http://127.0.0.1:1/api/" + pub + "/payout?token=" + token, providers.ErrUnknownOutcome, net.ErrClosed},
		{"request not built", http.DefaultClient, "http://127.0.0.1:1/api/" + pub + "/%zz?token=" + token, providers.ErrTransient, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := request(tc.url, false)
			r.Secrets = []string{pub, token, "", "ab"} // empty and short values are ignored
			_, err := providers.Exchange(context.Background(), tc.doer, r)
			require.ErrorIs(t, err, tc.class)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			msg := err.Error()
			assert.NotContains(t, msg, pub)
			assert.NotContains(t, msg, token)
			assert.NotContains(t, msg, "token=")
			assert.NotContains(t, msg, "lang=")
			assert.Contains(t, msg, "campay withdraw")
		})
	}
}

// An echoed secret in an answer does not reach a message built from it.
func TestSnippetAndErrorsOfAnAnswerAreRedacted(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-password"
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"message":"bad password %s"}`, secret)
	})
	r := request(url, false)
	r.Secrets = []string{secret}
	resp, err := providers.Exchange(context.Background(), http.DefaultClient, r)
	require.NoError(t, err)
	assert.NotContains(t, resp.Snippet(), secret)
	assert.NotContains(t, resp.Error(providers.ErrRejected, "said: "+string(resp.Body)).Error(), secret)
	assert.NotContains(t, resp.Unreadable("answer", resp.Body).Error(), secret)
}

// Credentials refused: transient, ErrAuth inside, the answer's status kept.
func TestAuthErrorOfAnAnswer(t *testing.T) {
	t.Parallel()
	url := serve(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	resp, err := providers.Exchange(context.Background(), http.DefaultClient, request(url, false))
	require.NoError(t, err)
	pe := resp.AuthError("keys refused")
	assert.ErrorIs(t, pe, providers.ErrTransient)
	assert.ErrorIs(t, pe, providers.ErrAuth)
	assert.Equal(t, http.StatusUnauthorized, pe.HTTPStatus)
	assert.Equal(t, "keys refused", pe.Message)
}

// What happened to the request decides the class: nothing sent is transient;
// anything after sending is in doubt on a payout and transient on a read.
func TestTransportErrorsClassified(t *testing.T) {
	t.Parallel()
	hangup := serve(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // read the request, answer nothing
		}
	})
	cutoff := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		fmt.Fprint(w, `{"status":`) // fewer bytes than promised
	})
	hs := httptest.NewServer(http.NotFoundHandler())
	refused := hs.URL
	hs.Close()
	cases := []struct {
		name  string
		url   string
		safe  bool
		class error
	}{
		{"refused, payout", refused, false, providers.ErrTransient},
		{"refused, read", refused, true, providers.ErrTransient},
		{"hung up after the request, payout", hangup, false, providers.ErrUnknownOutcome},
		{"hung up after the request, read", hangup, true, providers.ErrTransient},
		{"answer cut off, payout", cutoff, false, providers.ErrUnknownOutcome},
		{"answer cut off, read", cutoff, true, providers.ErrTransient},
		{"unsupported scheme", "ftp://127.0.0.1/x", false, providers.ErrTransient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := providers.Exchange(context.Background(), http.DefaultClient, request(tc.url, tc.safe))
			require.ErrorIs(t, err, tc.class)
			var pe *providers.Error
			require.ErrorAs(t, err, &pe, "always a classified error")
		})
	}
}

func TestTooManyRequestsIsTransientWithRetryAfter(t *testing.T) {
	t.Parallel()
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
		assert.Equal(t, "yes", r.Header.Get("X-Own"))
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"message":"slow down"}`)
	})
	r := request(url, false)
	r.Header = http.Header{"X-Own": {"yes"}}
	r.Explain = func(b []byte) string { return strings.TrimSuffix(strings.TrimPrefix(string(b), `{"message":"`), `"}`) }
	resp, err := providers.Exchange(context.Background(), http.DefaultClient, r)
	require.ErrorIs(t, err, providers.ErrTransient)
	var pe *providers.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 7*time.Second, pe.RetryAfter)
	assert.Equal(t, http.StatusTooManyRequests, pe.HTTPStatus)
	assert.Contains(t, pe.Error(), "slow down")
	require.NotNil(t, resp, "the answer comes back too")
	assert.Equal(t, http.StatusTooManyRequests, resp.Status)
}

func TestContextEndsTheExchange(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := providers.Exchange(ctx, http.DefaultClient, request(url, false))
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled))
	var pe *providers.Error
	require.ErrorAs(t, err, &pe)
}
