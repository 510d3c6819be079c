// Package sandboxtest serves the sandbox to tests on 127.0.0.1: behind a
// Recorder that counts the requests and keeps their bodies (Recorded), or on
// a clock that moves only when told, so that payouts settle and callbacks go
// out exactly when a test says (Rig).
package sandboxtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
)

// Sandbox makes a sandbox with opts; the test fails if they are refused.
func Sandbox(t testing.TB, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
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

// Recorded serves a sandbox made with opts behind a Recorder until the test
// ends: the sandbox, the recorder and the URL the clients are given.
func Recorded(t testing.TB, opts sandbox.Options) (*sandbox.Server, *Recorder, string) {
	t.Helper()
	srv := Sandbox(t, opts)
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

// Start is when a Rig's clock starts.
var Start = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// Rig is a served sandbox with its clock and the callbacks it sent.
type Rig struct {
	Server    *sandbox.Server
	URL       string // the sandbox's root: URL+"/campay/api", ...
	Clock     *providerstest.Clock
	Delivered chan sandbox.Delivery // every callback sent (or lost), once its answer is in
}

// New serves a sandbox made with opts, on a clock that starts at Start;
// payouts settle after a minute unless opts say otherwise. It is closed when
// the test ends.
func New(t testing.TB, opts sandbox.Options) *Rig {
	t.Helper()
	r := &Rig{Clock: providerstest.NewClock(Start), Delivered: make(chan sandbox.Delivery, 64)}
	opts.Now = r.Clock.Now
	if opts.SettleDelay == 0 {
		opts.SettleDelay = time.Minute
	}
	opts.Callbacks.OnDelivery = func(d sandbox.Delivery) { r.Delivered <- d }
	r.Server = Sandbox(t, opts)
	r.URL = Serve(t, r.Server, r.Server)
	return r
}

// Advance moves the clock on by d and lets the sandbox act on it: it
// returns how many callbacks went out.
func (r *Rig) Advance(t testing.TB, d time.Duration) int {
	if err := r.Clock.Sleep(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return r.Server.Tick()
}
