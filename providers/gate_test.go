package providers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGatedClientTakesATurnPerRequest(t *testing.T) {
	t.Parallel()
	var served, chunked atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if len(r.TransferEncoding) > 0 || r.ContentLength != 0 {
			chunked.Add(1)
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	var turns, released atomic.Int64
	closed := false
	hc := Gated(&http.Client{Timeout: 0}, func(ctx context.Context) (func(), error) {
		if closed {
			return nil, errors.New("the ledger cannot be reached")
		}
		turns.Add(1)
		return func() { released.Add(1) }, nil
	})
	for range 3 {
		resp, err := hc.Get(srv.URL)
		require.NoError(t, err)
		resp.Body.Close()
	}
	assert.Equal(t, int64(3), turns.Load(), "one turn per request")
	assert.Equal(t, int64(3), released.Load())
	assert.Equal(t, int64(3), served.Load())
	assert.Zero(t, chunked.Load(), "a GET goes without a body, as it came")

	closed = true
	_, err := hc.Get(srv.URL)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrHeldBack)
	assert.True(t, NeverSent(err), "a request held back never left: it may be sent again")
	assert.Equal(t, int64(3), served.Load())
}

func TestGatedClientKeepsItsTimeoutForTheRequest(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	hc := Gated(&http.Client{Timeout: 50 * time.Millisecond}, func(ctx context.Context) (func(), error) { return func() {}, nil })
	assert.Zero(t, hc.Timeout, "the wait for a turn is not counted")
	_, err := hc.Get(srv.URL)
	require.Error(t, err, "the request itself still times out")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, NeverSent(err), "a request that timed out may have been processed")
}
