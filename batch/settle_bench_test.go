package batch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/sandbox"
)

// The end-to-end benchmarks run whole batches on the sandbox at 50 ms latency,
// payouts settling 1 ms after they are accepted (--settle-delay 1ms), each
// provider at 20 payouts a second. A provider's status endpoint has a budget of
// its own in the config (status_rate: 20): were the status checks paid out of
// the payouts' 20/s, N payouts and their N checks could not take less than
// 2N/rate, the naive loop's time. A payout's first status check is 100 ms
// after it was accepted (poll_interval: 100ms: the sandbox settles in 1 ms).
const (
	settleRate     = 20.0
	settleDelay    = time.Millisecond
	settleLatency  = 50 * time.Millisecond
	settlePollWait = 100 * time.Millisecond
	// requests in flight per lane, for payouts and for checks: the sandbox's
	// default concurrency in the config
	settleConcurrency = 8
)

// settleLane is p's lane: payouts and status checks each at settleRate, each
// settleConcurrency in flight; the status calls are counted in seen.
func settleLane(p batch.Provider, seen *opsSeen) batch.Lane {
	seen.next = providers.Stack(providers.Options{Provider: p.Name(), Rate: settleRate, Burst: 1, Concurrency: settleConcurrency})
	return batch.Lane{Provider: p, Rate: settleRate, Burst: 1, Concurrency: settleConcurrency, Status: &batch.Pace{Caller: seen, Concurrency: settleConcurrency}}
}

// checksPerItem is how many status calls the lanes made for n items.
func checksPerItem(seen []*opsSeen, n int) float64 {
	calls := 0
	for _, s := range seen {
		_, c := s.op("status")
		calls += c
	}
	return float64(calls) / float64(n)
}

// lastMoves is an Observer that keeps when the last payout was accepted and
// when the last one became final, from start.
type lastMoves struct {
	start          time.Time
	mu             sync.Mutex
	sent, finalled time.Duration
}

func (m *lastMoves) Moved(_ batch.Item, from, to batch.State) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case from == batch.Submitting:
		m.sent = time.Since(m.start)
	case to.Terminal():
		m.finalled = time.Since(m.start)
	}
}

// runToTheEnd runs bt through lanes, fails unless every item is paid, and
// reports when the last payout was accepted (sent-s).
func runToTheEnd(b *testing.B, w *benchWorld, bt batch.Batch, lanes map[string]batch.Lane, n int) time.Duration {
	b.Helper()
	moves := &lastMoves{start: time.Now()}
	r := &batch.Runner{Store: w.st, Lanes: lanes, PollInterval: settlePollWait, Observer: moves}
	sum, err := r.Run(context.Background(), bt)
	wall := time.Since(moves.start)
	if err != nil {
		b.Fatal(err)
	}
	if sum.Counts[batch.Succeeded] != n {
		b.Fatalf("%d of %d paid: %v", sum.Counts[batch.Succeeded], n, sum.Counts)
	}
	b.ReportMetric(moves.sent.Seconds(), "sent-s")
	return wall
}

// ideal is N / Σ rates, plus one settle delay.
func ideal(n int, rates float64) time.Duration {
	return time.Duration(float64(n)/rates*float64(time.Second)) + settleDelay
}

// BenchmarkSettle/campay2000: 2,000 CamPay rows end to end, against the ideal
// and against a one-row-at-a-time loop on its own sandbox in the same round.
// BenchmarkSettle/four500: 500 rows for each of the four providers.
func BenchmarkSettle(b *testing.B) {
	opts := sandbox.Options{Latency: settleLatency, SettleDelay: settleDelay}
	b.Run("campay2000", func(b *testing.B) {
		const n = 2000
		rows := make([]batch.Row, n)
		for i := range rows {
			rows[i] = batch.Row{Row: i + 2, Name: fmt.Sprintf("Beneficiary %d", i), Phone: fmt.Sprintf("2376771%05d", i),
				Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 1000}
		}
		for i := 0; i < b.N; i++ {
			w := newBenchWorld(b, opts)
			bt := w.plan(b, rows, "campay")
			seen := &opsSeen{}
			wall := runToTheEnd(b, w, bt, map[string]batch.Lane{"campay": settleLane(w.campay(), seen)}, n)
			w.close()

			w = newBenchWorld(b, opts)
			start := time.Now()
			if err := naiveLoop(w.url+"/campay/api", w.hc, rows); err != nil {
				b.Fatal(err)
			}
			naive := time.Since(start)
			w.close()

			best := ideal(n, settleRate)
			b.ReportMetric(wall.Seconds(), "wall-s")
			b.ReportMetric(best.Seconds(), "ideal-s")
			b.ReportMetric(naive.Seconds(), "naive-s")
			b.ReportMetric(wall.Seconds()/best.Seconds(), "x-ideal")
			b.ReportMetric(wall.Seconds()/naive.Seconds(), "x-naive")
			b.ReportMetric(checksPerItem([]*opsSeen{seen}, n), "checks/item")
		}
	})
	b.Run("four500", func(b *testing.B) {
		const perProvider = 500
		rows := fourProviderRows(perProvider)
		for i := 0; i < b.N; i++ {
			w := newBenchWorld(b, opts)
			bt := w.plan(b, rows, fourProviders...)
			lanes := map[string]batch.Lane{}
			var seen []*opsSeen
			for _, p := range w.providers() {
				seen = append(seen, &opsSeen{})
				lanes[p.Name()] = settleLane(p, seen[len(seen)-1])
			}
			wall := runToTheEnd(b, w, bt, lanes, len(rows))
			w.close()
			best := ideal(len(rows), 4*settleRate)
			b.ReportMetric(wall.Seconds(), "wall-s")
			b.ReportMetric(best.Seconds(), "ideal-s")
			b.ReportMetric(wall.Seconds()/best.Seconds(), "x-ideal")
			b.ReportMetric(checksPerItem(seen, len(rows)), "checks/item")
		}
	})
}

// naiveLoop pays rows one at a time the way a short script over CamPay's API
// (or its Go SDK) does: a token, then for each row a withdrawal and its status
// asked again and again until it is final.
func naiveLoop(base string, hc *http.Client, rows []batch.Row) error {
	var tok struct {
		Token string `json:"token"`
	}
	if err := naiveCall(hc, http.MethodPost, base+"/token/", "", map[string]string{"username": "u", "password": "p"}, &tok); err != nil {
		return err
	}
	for _, row := range rows {
		var sent struct {
			Reference string `json:"reference"`
		}
		body := map[string]any{"amount": fmt.Sprint(row.Amount), "to": row.Phone, "description": "payout",
			"external_reference": uuid.NewString()}
		if err := naiveCall(hc, http.MethodPost, base+"/withdraw/", tok.Token, body, &sent); err != nil {
			return err
		}
		for tries := 0; ; tries++ {
			if tries == 1000 {
				return fmt.Errorf("row %d still pending after %d status calls", row.Row, tries)
			}
			var st struct {
				Status string `json:"status"`
			}
			if err := naiveCall(hc, http.MethodGet, base+"/transaction/"+sent.Reference+"/", tok.Token, nil, &st); err != nil {
				return err
			}
			if st.Status == "SUCCESSFUL" || st.Status == "FAILED" {
				break
			}
		}
	}
	return nil
}

func naiveCall(hc *http.Client, method, url, token string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequest(method, url, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
