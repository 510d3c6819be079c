package main

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// Crash points for tests: BULKPAY_CRASH_AT names a point and BULKPAY_CRASH_AFTER
// (default 1) which passage through it kills the process with SIGKILL, as a power
// cut would. Points: after-claim (intent committed, nothing sent), after-send (the
// request reached the provider, its answer not read), after-answer (the answer
// read, not recorded). BULKPAY_CRASH_MODE=panic panics there instead, as a
// bug would. Unset, nothing happens.
type crasher struct {
	point string
	after int64
	panic bool
	seen  atomic.Int64
}

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

// at kills the process on the configured passage through point.
func (c *crasher) at(point string) {
	if c == nil || point != c.point {
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

// sendPaths are the requests that move money, per provider.
var sendPaths = []string{"/withdraw", "/transfer/money/send/contact", "/payout", "/cashout"}

// transport kills the process after a money-moving request reached the provider
// and before its answer is read (the after-send point).
type transport struct {
	base http.RoundTripper
	c    *crasher
}

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if req.Method == http.MethodPost {
		for _, p := range sendPaths {
			if strings.Contains(req.URL.Path, p) {
				t.c.at("after-send")
			}
		}
	}
	return resp, err
}

// wrap returns hc with the after-send crash point when one is set.
func (c *crasher) wrap(hc *http.Client) *http.Client {
	if c == nil || c.point != "after-send" {
		return hc
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{Timeout: hc.Timeout, Transport: transport{base: base, c: c}}
}
