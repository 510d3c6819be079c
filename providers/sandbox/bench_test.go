package sandbox

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// benchClock is a clock moved by hand, for one goroutine.
type benchClock struct{ now time.Time }

func (c *benchClock) Now() time.Time          { return c.now }
func (c *benchClock) Advance(d time.Duration) { c.now = c.now.Add(d) }

// benchServer holds n CamPay payouts, half of them still pending, recorded as
// withdraw records them.
func benchServer(b *testing.B, n int) (*Server, *benchClock, []string) {
	b.Helper()
	clock := &benchClock{now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	s, err := New(Options{SettleDelay: time.Hour, Now: clock.Now, CamPay: CamPayOptions{PermanentToken: "bench"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	refs := make([]string, n)
	s.mu.Lock()
	for i := range n {
		if i == n/2 {
			clock.Advance(2 * time.Hour) // the first half is due, the second stays pending throughout
		}
		p := &Payout{Provider: "campay", ProviderReference: s.newRef("campay"), ClientReference: fmt.Sprintf("ours-%d", i),
			Phone: "237677123456", Amount: 100, Status: "PENDING", Operator: "MTN", CreatedAt: clock.Now(),
			Final: "SUCCESSFUL", Success: true, Account: "campay/MTN"}
		s.shape(p, "FAILED")
		if _, err := s.accept(p); err != nil {
			b.Fatal(err)
		}
		refs[i] = p.ProviderReference
	}
	s.settleDue() // the first half ends here, before timing starts
	s.mu.Unlock()
	return s, clock, refs
}

// benchRequest sends req to s with benchServer's CamPay token and fails
// unless it is answered 200.
func benchRequest(b *testing.B, s *Server, req *http.Request) {
	req.Header.Set("Authorization", "Token bench")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("status %d: %s", w.Code, w.Body)
	}
}

// BenchmarkLookup is one CamPay status request against a sandbox holding N
// payouts: its cost must not grow with N.
func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			s, _, refs := benchServer(b, n)
			i := 0
			for b.Loop() {
				benchRequest(b, s, httptest.NewRequest(http.MethodGet, "/campay/api/transaction/"+refs[i%n]+"/", nil))
				i++
			}
		})
	}
}

// BenchmarkWithdraw is one CamPay payout accepted by a sandbox already holding
// N payouts.
func BenchmarkWithdraw(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			s, clock, _ := benchServer(b, n)
			i := 0
			for b.Loop() {
				clock.Advance(time.Millisecond)
				body := fmt.Sprintf(`{"amount":100,"to":"237677123456","external_reference":"%08x-0000-4000-8000-000000000000"}`, i)
				req := httptest.NewRequest(http.MethodPost, "/campay/api/withdraw/", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				benchRequest(b, s, req)
				i++
			}
		})
	}
}

// BenchmarkRetained is what a sandbox keeps of each CamPay payout it accepted
// and settled (N withdraw requests, each answered 200, then settled): the heap
// bytes and heap objects per payout, and how long one full garbage collection
// takes per thousand payouts held. A 1M-row benchmark runs this simulator in
// bulkpay's process, whose collector marks all of it.
func BenchmarkRetained(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		name := fmt.Sprintf("%dk", n/1000)
		if n >= 1_000_000 {
			name = fmt.Sprintf("%dM", n/1_000_000)
		}
		b.Run(name, func(b *testing.B) { retained(b, n) })
	}
}

func retained(b *testing.B, n int) {
	for b.Loop() {
		clock := &benchClock{now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		s, err := New(Options{SettleDelay: time.Millisecond, Now: clock.Now, CamPay: CamPayOptions{PermanentToken: "bench"}})
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			clock.Advance(time.Millisecond)
			body := fmt.Sprintf(`{"amount":100,"to":"237677123456","external_reference":"%08x-0000-4000-8000-000000000000"}`, i)
			req := httptest.NewRequest(http.MethodPost, "/campay/api/withdraw/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			benchRequest(b, s, req)
		}
		clock.Advance(time.Hour)
		s.mu.Lock()
		s.settleDue()
		s.mu.Unlock()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		start := time.Now()
		runtime.GC()
		gc := time.Since(start)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "bytes/payout")
		b.ReportMetric(float64(after.HeapObjects-before.HeapObjects)/float64(n), "objects/payout")
		b.ReportMetric(float64(gc.Microseconds())/float64(n/1000), "gc-µs/1k-payouts")
		runtime.KeepAlive(s)
		s.Close()
	}
}
