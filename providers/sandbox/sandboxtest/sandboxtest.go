// Package sandboxtest serves the sandbox to tests on a clock that moves only
// when told, so that payouts settle and callbacks go out exactly when a test
// says.
package sandboxtest

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
)

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
	r := &Rig{Clock: providerstest.NewClock(Start), Delivered: make(chan sandbox.Delivery, 64)}
	opts.Now = r.Clock.Now
	if opts.SettleDelay == 0 {
		opts.SettleDelay = time.Minute
	}
	opts.Callbacks.OnDelivery = func(d sandbox.Delivery) { r.Delivered <- d }
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	r.Server, r.URL = srv, hs.URL
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
