package providerstest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"bulkpay/providers"
)

// Received is one callback a Receiver was sent: what the parser made of it,
// and the request as it came, to replay or tamper with.
type Received struct {
	Callback providers.Callback
	Err      error
	Method   string
	URL      string // path and query
	Header   http.Header
	Body     []byte
}

// Request rebuilds the received request, with body in place of its own when
// body is not nil, as if it came from remoteAddr.
func (r Received) Request(body []byte, remoteAddr string) *http.Request {
	if body == nil {
		body = r.Body
	}
	req := httptest.NewRequest(r.Method, r.URL, bytes.NewReader(body))
	req.Header = r.Header.Clone()
	req.RemoteAddr = remoteAddr
	return req
}

// Receiver is an HTTP server that parses every request with a provider's
// CallbackParser, answers as the provider expects, and hands each one to
// the test, in order.
type Receiver struct {
	URL    string
	got    chan Received
	status func(n int) int // the status of the n-th request instead of the parser's, when set
}

// NewReceiver starts a Receiver for p, closed when the test ends. answer,
// when not nil, decides the status of the n-th request (from 1) instead.
func NewReceiver(t testing.TB, p providers.CallbackParser, answer func(n int) int) *Receiver {
	r := &Receiver{got: make(chan Received, 64), status: answer}
	n := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		cb, err := p.ParseCallback(req)
		n++
		status, text := p.Answer(err)
		if r.status != nil {
			status = r.status(n)
		}
		w.WriteHeader(status)
		io.WriteString(w, text)
		r.got <- Received{Callback: cb, Err: err, Method: req.Method, URL: req.URL.RequestURI(), Header: req.Header.Clone(), Body: body}
	}))
	t.Cleanup(hs.Close)
	r.URL = hs.URL
	return r
}

// Next waits for the next callback; the test fails when none comes within
// a minute (a bound for a broken test, never a measure).
func (r *Receiver) Next(t testing.TB) Received {
	t.Helper()
	select {
	case got := <-r.got:
		return got
	case <-time.After(time.Minute):
		t.Fatal("no callback came")
		return Received{}
	}
}

// None reports whether no callback is waiting.
func (r *Receiver) None() bool { return len(r.got) == 0 }
