package batch_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/campay"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
)

// BenchmarkReconcile reconciles paid CamPay items against the sandbox, first
// one lookup at a time (as reconcile did before) and then side by side within
// a lane of concurrency 4, in the same run; it reports both times and their
// ratio (speedup). 10,000 items at zero latency, 1,000 at 5 ms, and 100,000
// at zero latency (-bench 'Reconcile/100k', with no finding, false or not). CamPay's
// history of the day of 10,000 payouts is larger than providers.MaxAnswer: it
// is read one transaction at a time as it arrives.
//
//	go test ./batch/ -run '^$' -bench 'Reconcile/(10k|1k)' -benchtime 3x
func BenchmarkReconcile(b *testing.B) {
	b.Run("10k at zero latency", func(b *testing.B) { benchReconcile(b, 10_000, 0) })
	b.Run("1k at 5ms", func(b *testing.B) { benchReconcile(b, 1_000, 5*time.Millisecond) })
	b.Run("100k at zero latency", func(b *testing.B) { benchReconcile(b, 100_000, 0) })
}

func benchReconcile(b *testing.B, n int, latency time.Duration) {
	ctx := context.Background()
	clock := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	srv, err := sandbox.New(sandbox.Options{SettleDelay: time.Millisecond, Now: clock.Now, Latency: latency})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.SetBalance("campay/MTN", 1<<50); err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	b.Cleanup(func() { srv.Close(); hs.CloseClientConnections(); hs.Close() })
	c := campay.New(campay.WithBaseURL(hs.URL+"/campay/api"), campay.WithCredentials("u", "p"),
		campay.WithHTTPClient(&http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}))
	items := make([]batch.Item, n)
	known := map[string]map[string]bool{"campay": {}}
	for i := range items {
		amount := int64(1000 + i)
		res, err := c.Send(ctx, providers.Payout{Reference: uuid.NewString(), Phone: fmt.Sprintf("237677%06d", i),
			Amount: amount, Country: "CM", Operator: "MTN", Name: "Jean"})
		if err != nil {
			b.Fatal(err)
		}
		items[i] = batch.Item{Row: i + 2, Provider: "campay", ProviderReference: res.ProviderReference,
			State: batch.Succeeded, Amount: amount}
		known["campay"][res.ProviderReference] = true
	}
	if err := clock.Sleep(ctx, time.Hour); err != nil { // every payout settles
		b.Fatal(err)
	}
	bt := batch.Batch{CreatedAt: clock.Now()}
	reconcile := func(lk batch.Lookups) time.Duration {
		start := time.Now()
		mism, unchecked, err := batch.Reconcile(ctx, map[string]batch.Provider{"campay": c}, bt, items, known, clock.Now(), lk)
		if err != nil || len(mism) > 0 || len(unchecked) > 0 {
			b.Fatalf("reconcile: %v, %d mismatch(es), %d unchecked", err, len(mism), len(unchecked))
		}
		return time.Since(start)
	}
	var one, side time.Duration
	b.ResetTimer()
	for b.Loop() {
		one += reconcile(batch.Lookups{})
		side += reconcile(batch.Lookups{Lanes: map[string]batch.Lane{"campay": {Provider: c, Concurrency: 4}}})
	}
	b.ReportMetric(one.Seconds()/float64(b.N), "one-at-a-time-s/op")
	b.ReportMetric(side.Seconds()/float64(b.N), "concurrency4-s/op")
	b.ReportMetric(one.Seconds()/side.Seconds(), "speedup")
}
