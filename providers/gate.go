package providers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ErrHeldBack is the error of a request that never left because it waited
// for a turn under a rate limit shared with other processes and did not get
// one (the context ended, the gate failed): nothing was sent.
var ErrHeldBack = errors.New("held back by the shared rate limit: not sent")

// Gated returns a client that sends each request, tokens and lookups as well
// as payouts, only once gate has given it a turn: a rate limit kept for
// several processes together counts every request that reaches the provider.
// The wait for the turn is not counted in hc's Timeout, which applies to the
// request itself from when it leaves until its answer is read.
func Gated(hc *http.Client, gate func(ctx context.Context) (release func(), err error)) *http.Client {
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	out := *hc
	out.Transport = gatedTransport{base: base, gate: gate, timeout: hc.Timeout}
	out.Timeout = 0
	return &out
}

type gatedTransport struct {
	base    http.RoundTripper
	gate    func(ctx context.Context) (func(), error)
	timeout time.Duration
}

func (g gatedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	release, err := g.gate(req.Context())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrHeldBack, err)
	}
	release() // a turn of the rate: nothing is held while the request runs
	req = oneShot(req)
	if g.timeout <= 0 {
		return g.base.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), g.timeout)
	resp, err := g.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose ends a request's timeout once its answer is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// oneShot makes req one the transport never sends a second time on its own
// (it resends a GET, or a request with an Idempotency-Key, when a reused
// connection fails): each request that reaches the provider has had its turn.
// A request without a body gets an empty one, read as none.
func oneShot(req *http.Request) *http.Request {
	out := req.Clone(req.Context())
	if out.Body == nil || out.Body == http.NoBody {
		out.Body = io.NopCloser(strings.NewReader(""))
		out.ContentLength = 0
	}
	out.GetBody = nil
	return out
}
