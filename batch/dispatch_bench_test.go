package batch_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"bulkpay/batch"
	"bulkpay/ledger"
	"bulkpay/providers/camoo"
	"bulkpay/providers/campay"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/mycoolpay"
	"bulkpay/providers/sandbox"
)

// BenchmarkDispatch sends 2,000 rows across the four providers (500 each) on the
// sandbox at 50 ms latency, every provider limited to 20 requests/s, and reports
// the dispatch efficiency: the ideal wall time N / Σ rates (25 s) over the time
// it took to send every item. Pending payouts are not polled (PendingWait 0).
func BenchmarkDispatch(b *testing.B) {
	const perProvider, ratePerProvider = 500, 20.0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ctx := context.Background()
		srv, err := sandbox.New(sandbox.Options{Latency: 50 * time.Millisecond, SettleDelay: time.Hour})
		if err != nil {
			b.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		st, err := ledger.Open(ctx, filepath.Join(b.TempDir(), "l.db"))
		if err != nil {
			b.Fatal(err)
		}
		hc := &http.Client{Timeout: 10 * time.Second}
		lanes := map[string]batch.Lane{}
		for _, p := range []batch.Provider{
			campay.New(campay.WithBaseURL(hs.URL+"/campay/api"), campay.WithHTTPClient(hc), campay.WithCredentials("u", "p")),
			cinetpay.New(cinetpay.WithBaseURL(hs.URL+"/cinetpay/v1"), cinetpay.WithHTTPClient(hc), cinetpay.WithCredentials("k", "p"),
				cinetpay.WithNotifyURL("http://127.0.0.1/n")),
			mycoolpay.New(mycoolpay.WithBaseURL(hs.URL+"/mycoolpay/api"), mycoolpay.WithHTTPClient(hc), mycoolpay.WithKeys("pub", "priv")),
			camoo.New(camoo.WithBaseURL(hs.URL+"/camoo/v1/payment"), camoo.WithHTTPClient(hc), camoo.WithKeys("k", "s")),
		} {
			lanes[p.Name()] = batch.Lane{Provider: p, Rate: ratePerProvider, Burst: 1, Concurrency: 4}
		}
		var rows []batch.Row
		for i := 0; i < perProvider; i++ {
			rows = append(rows,
				batch.Row{Row: len(rows) + 2, Name: "A", Phone: fmt.Sprintf("23767%07d", i), Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 1000},
				batch.Row{Row: len(rows) + 3, Name: "B", Phone: fmt.Sprintf("22501%08d", i), Country: "CI", Operator: "Moov", Mode: batch.ModeMobileMoney, Amount: 1000},
				batch.Row{Row: len(rows) + 4, Name: "C", Phone: fmt.Sprintf("23769%07d", i), Country: "CM", Operator: "Orange", Mode: batch.ModeMobileMoney, Amount: 1000, Provider: "mycoolpay"},
				batch.Row{Row: len(rows) + 5, Name: "D", Phone: fmt.Sprintf("23765%07d", i), Country: "CM", Operator: "MTN", Mode: batch.ModeCashout, Amount: 1000})
		}
		router := batch.Routes{Rules: batch.DefaultRules, Configured: map[string]bool{"campay": true, "cinetpay": true, "mycoolpay": true, "camoo": true}}
		bt, items, errs := batch.Plan("bench", "bench.csv", "XAF", rows, router)
		if len(errs) > 0 {
			b.Fatal(errs[0])
		}
		if bt, _, err = batch.Prepare(ctx, st, bt, items, rows); err != nil {
			b.Fatal(err)
		}
		r := &batch.Runner{Store: st, Lanes: lanes, PendingWait: -1}
		b.StartTimer()
		start := time.Now()
		sum, err := r.Run(ctx, bt)
		wall := time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if sent := sum.Counts[batch.Pending] + sum.Counts[batch.Succeeded]; sent != len(rows) {
			b.Fatalf("%d of %d sent: %v", sent, len(rows), sum.Counts)
		}
		ideal := time.Duration(float64(len(rows)) / (4 * ratePerProvider) * float64(time.Second))
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(ideal.Seconds(), "ideal-s")
		b.ReportMetric(ideal.Seconds()/wall.Seconds(), "efficiency")
		st.Close()
		srv.Close()
		hs.CloseClientConnections()
		hs.Close()
		b.StartTimer()
	}
}
