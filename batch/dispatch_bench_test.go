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

// benchWorld is a sandbox over HTTP and a fresh ledger for one round of a
// benchmark.
type benchWorld struct {
	url   string
	st    *ledger.Store
	hc    *http.Client
	close func()
}

func newBenchWorld(b *testing.B, opts sandbox.Options) *benchWorld {
	b.Helper()
	srv, err := sandbox.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	st, err := ledger.Open(context.Background(), filepath.Join(b.TempDir(), "l.db"))
	if err != nil {
		b.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	return &benchWorld{url: hs.URL, st: st, hc: &http.Client{Timeout: 10 * time.Second, Transport: tr}, close: func() {
		st.Close()
		srv.Close()
		hs.CloseClientConnections()
		hs.Close()
	}}
}

// providers are the four clients of the world's sandbox.
func (w *benchWorld) providers() []batch.Provider {
	return []batch.Provider{
		w.campay(),
		cinetpay.New(cinetpay.WithBaseURL(w.url+"/cinetpay/v1"), cinetpay.WithHTTPClient(w.hc), cinetpay.WithCredentials("k", "p"),
			cinetpay.WithNotifyURL("http://127.0.0.1/n")),
		mycoolpay.New(mycoolpay.WithBaseURL(w.url+"/mycoolpay/api"), mycoolpay.WithHTTPClient(w.hc), mycoolpay.WithKeys("pub", "priv")),
		camoo.New(camoo.WithBaseURL(w.url+"/camoo/v1/payment"), camoo.WithHTTPClient(w.hc), camoo.WithKeys("k", "s")),
	}
}

func (w *benchWorld) campay() *campay.Client {
	return campay.New(campay.WithBaseURL(w.url+"/campay/api"), campay.WithHTTPClient(w.hc), campay.WithCredentials("u", "p"))
}

// plan stores rows as a batch in the world's ledger.
func (w *benchWorld) plan(b *testing.B, rows []batch.Row, configured ...string) batch.Batch {
	b.Helper()
	set := map[string]bool{}
	for _, p := range configured {
		set[p] = true
	}
	bt, items, errs := batch.Plan("bench", "bench.csv", "XAF", rows, batch.Routes{Rules: batch.DefaultRules, Configured: set})
	if len(errs) > 0 {
		b.Fatal(errs[0])
	}
	bt, _, err := batch.Prepare(context.Background(), w.st, bt, items, rows)
	if err != nil {
		b.Fatal(err)
	}
	return bt
}

// fourProviderRows is perProvider rows for each of the four providers.
func fourProviderRows(perProvider int) []batch.Row {
	var rows []batch.Row
	for i := 0; i < perProvider; i++ {
		rows = append(rows,
			batch.Row{Row: len(rows) + 2, Name: "A", Phone: fmt.Sprintf("23767%07d", i), Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 1000},
			batch.Row{Row: len(rows) + 3, Name: "B", Phone: fmt.Sprintf("22501%08d", i), Country: "CI", Operator: "Moov", Mode: batch.ModeMobileMoney, Amount: 1000},
			batch.Row{Row: len(rows) + 4, Name: "C", Phone: fmt.Sprintf("23769%07d", i), Country: "CM", Operator: "Orange", Mode: batch.ModeMobileMoney, Amount: 1000, Provider: "mycoolpay"},
			batch.Row{Row: len(rows) + 5, Name: "D", Phone: fmt.Sprintf("23765%07d", i), Country: "CM", Operator: "MTN", Mode: batch.ModeCashout, Amount: 1000})
	}
	return rows
}

var fourProviders = []string{"campay", "cinetpay", "mycoolpay", "camoo"}

// BenchmarkDispatch sends 2,000 rows across the four providers (500 each) on the
// sandbox at 50 ms latency, every provider limited to 20 requests/s, and reports
// the dispatch efficiency: the ideal wall time N / Σ rates (25 s) over the time
// it took to send every item. Pending payouts are not checked (PendingWait < 0).
func BenchmarkDispatch(b *testing.B) {
	const perProvider, ratePerProvider = 500, 20.0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := newBenchWorld(b, sandbox.Options{Latency: 50 * time.Millisecond, SettleDelay: time.Hour})
		lanes := map[string]batch.Lane{}
		for _, p := range w.providers() {
			lanes[p.Name()] = batch.Lane{Provider: p, Rate: ratePerProvider, Burst: 1, Concurrency: 4}
		}
		rows := fourProviderRows(perProvider)
		bt := w.plan(b, rows, fourProviders...)
		r := &batch.Runner{Store: w.st, Lanes: lanes, PendingWait: -1}
		b.StartTimer()
		start := time.Now()
		sum, err := r.Run(context.Background(), bt)
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
		w.close()
		b.StartTimer()
	}
}
