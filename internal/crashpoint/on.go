//go:build crashpoints

package crashpoint

import (
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"

	"bulkpay/providers/registry"
)

// Crash points, compiled only into the binary the tests build (go build -tags
// crashpoints): BULKPAY_CRASH_AT names a point and BULKPAY_CRASH_AFTER (default
// 1) which passage through it kills the process with SIGKILL, as a power cut
// would. Points: after-claim (intent committed, nothing sent), after-send (the
// request reached the provider, its answer not read), after-answer (the answer
// read, not recorded). BULKPAY_CRASH_MODE=panic panics there instead, as a bug
// would. Unset, nothing happens.
type crasher struct {
	point string
	after int64
	panic bool
	seen  atomic.Int64
}

var crashes = crashFromEnv()

func crashFromEnv() *crasher {
	point := os.Getenv("BULKPAY_CRASH_AT")
	if point == "" {
		return nil
	}
	after, err := strconv.ParseInt(os.Getenv("BULKPAY_CRASH_AFTER"), 10, 64)
	if err != nil || after < 1 {
		after = 1
	}
	return &crasher{point: point, after: after, panic: os.Getenv("BULKPAY_CRASH_MODE") == "panic"}
}

// At is the runner's crash points (batch.RunOptions.Crash), nil when none is set.
func At() func(string) {
	if crashes == nil {
		return nil
	}
	return crashes.at
}

// at kills the process on the configured passage through point.
func (c *crasher) at(point string) {
	if point != c.point {
		return
	}
	if c.seen.Add(1) == c.after {
		if c.panic {
			panic("test crash point " + point)
		}
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // never returns
	}
}

// Wrap gives the providers' HTTP clients the after-send point when it is set
// (config.Target.WrapHTTP), nil otherwise.
func Wrap() func(*http.Client) *http.Client {
	if crashes == nil || crashes.point != "after-send" {
		return nil
	}
	return func(hc *http.Client) *http.Client {
		base := hc.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		return &http.Client{Timeout: hc.Timeout, Transport: afterSend{base: base, c: crashes}}
	}
}

// afterSend kills the process after a request that moves money reached the
// provider and before its answer is read.
type afterSend struct {
	base http.RoundTripper
	c    *crasher
}

func (t afterSend) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if registry.MovesMoney(req) {
		t.c.at("after-send")
	}
	return resp, err
}
