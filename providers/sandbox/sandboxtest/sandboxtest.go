// Package sandboxtest starts the provider sandbox for a test, on 127.0.0.1,
// behind a Recorder that counts the requests and keeps their bodies.
package sandboxtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"bulkpay/providers/sandbox"
)

// New makes a sandbox with opts; the test fails if they are refused.
func New(t testing.TB, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.New(opts)
	require.NoError(t, err)
	return srv
}

// Serve serves h (srv, or something in front of it) on 127.0.0.1 until the
// test ends and gives its URL. srv closes first, so that no answer it holds
// back keeps the server from closing.
func Serve(t testing.TB, srv *sandbox.Server, h http.Handler) string {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); hs.CloseClientConnections(); hs.Close() })
	return hs.URL
}

// Start serves a sandbox made with opts behind a Recorder until the test ends:
// the sandbox, the recorder and the URL the clients are given.
func Start(t testing.TB, opts sandbox.Options) (*sandbox.Server, *Recorder, string) {
	t.Helper()
	srv := New(t, opts)
	rec := NewRecorder(srv)
	return srv, rec, Serve(t, srv, rec)
}

// Recorder counts the requests that reach h and keeps each JSON body.
type Recorder struct {
	h      http.Handler
	mu     sync.Mutex
	counts map[string]int
	total  int
	bodies []map[string]any
}

// NewRecorder puts a Recorder in front of h.
func NewRecorder(h http.Handler) *Recorder {
	return &Recorder{h: h, counts: map[string]int{}}
}

// ServeHTTP counts and keeps r, then lets h answer it.
func (c *Recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	var m map[string]any
	c.mu.Lock()
	c.counts[r.URL.Path]++
	c.counts[r.Method+" "+r.URL.Path]++
	c.total++
	if json.Unmarshal(b, &m) == nil {
		c.bodies = append(c.bodies, m)
	}
	c.mu.Unlock()
	c.h.ServeHTTP(w, r)
}

// Count is how many requests reached key: a path ("/campay/api/token/"), or a
// method and a path ("POST /campay/api/token/").
func (c *Recorder) Count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[key]
}

// Total is how many requests reached the handler.
func (c *Recorder) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// Bodies are the JSON objects the requests carried, in the order they came.
func (c *Recorder) Bodies() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]map[string]any(nil), c.bodies...)
}

// Last is the JSON object the latest request that carried one carried.
func (c *Recorder) Last() map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.bodies) == 0 {
		return nil
	}
	return c.bodies[len(c.bodies)-1]
}
