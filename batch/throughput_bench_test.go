package batch_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"bulkpay/batch"
	"bulkpay/internal/testsupport/pgtest"
	"bulkpay/ledger"
	"bulkpay/providers/campay"
	"bulkpay/providers/sandbox"
)

// BenchmarkThroughput pays a stored CamPay batch of 10k, 100k or 1M rows end to
// end at zero latency: the real runner and HTTP client against the sandbox on
// 127.0.0.1, `rate: unlimited`, the lane's concurrency of 8 (the sandbox
// default; 10k also one request at a time), the ledger on disk at synchronous=FULL. Planning is outside the
// time; the run is timed until every payout is final (the sandbox settles a
// payout the moment after it was made, the runner polls every millisecond).
//
// It reports payouts/s (final), sent/s (until every answer to a send is
// recorded), the ledger's commits and checkpoints per payout, and the CPU time
// per payout of the whole process (runner, client, sandbox and ledger: on a
// machine of c free cores, c seconds over it bound payouts/s). When 10k and
// 100k (or 100k and 1M) ran in the same invocation it prints how the time grows
// with the batch: the exponent k in time ∝ rows^k (1 is linear).
func BenchmarkThroughput(b *testing.B) {
	perRow := map[int]float64{} // seconds per payout, by size
	type size struct{ n, concurrency int }
	for _, sz := range []size{{10_000, 1}, {10_000, 8}, {100_000, 8}, {1_000_000, 8}} {
		n, name := sz.n, fmt.Sprintf("%dk", sz.n/1000)
		if n >= 1_000_000 {
			name = fmt.Sprintf("%dM", n/1_000_000) // as the README names it: Throughput/1M
		}
		if sz.concurrency == 1 {
			name += "-one-at-a-time"
		}
		b.Run(name, func(b *testing.B) {
			var wall, sent, cpu time.Duration
			var stats ledger.Stats
			for b.Loop() {
				b.StopTimer()
				w, s, c, st := payAtZeroLatency(b, n, sz.concurrency, "")
				wall, sent, cpu = wall+w, sent+s, cpu+c
				stats = ledger.Stats{Commits: stats.Commits + st.Commits, Checkpoints: stats.Checkpoints + st.Checkpoints}
				b.StartTimer()
			}
			payouts := float64(n * b.N)
			b.ReportMetric(payouts/wall.Seconds(), "payouts/s")
			b.ReportMetric(payouts/sent.Seconds(), "sent/s")
			b.ReportMetric(float64(stats.Commits)/payouts, "commits/payout")
			b.ReportMetric(float64(stats.Checkpoints)/payouts, "checkpoints/payout")
			b.ReportMetric(float64(cpu.Microseconds())/payouts, "cpu-µs/payout")
			if sz.concurrency == 8 {
				perRow[n] = wall.Seconds() / payouts
			}
		})
	}
	for _, p := range [][2]int{{10_000, 100_000}, {100_000, 1_000_000}} {
		if perRow[p[0]] > 0 && perRow[p[1]] > 0 {
			total := func(n int) float64 { return perRow[n] * float64(n) }
			k := math.Log(total(p[1])/total(p[0])) / math.Log(float64(p[1])/float64(p[0]))
			fmt.Printf("time %dk -> %dk grows as rows^%.3f (time ratio %.2f for 10x the rows)\n", p[0]/1000, p[1]/1000, k, total(p[1])/total(p[0]))
		}
	}
}

// BenchmarkThroughputBackends pays the same stored 10k-row CamPay batch as
// BenchmarkThroughput/10k (zero latency, rate unlimited, 8 in flight) on each
// ledger backend, one after the other in the same invocation: a SQLite file,
// and a PostgreSQL schema when BULKPAY_TEST_POSTGRES names a server.
func BenchmarkThroughputBackends(b *testing.B) {
	backends := pgtest.Backends()
	for _, name := range slices.Sorted(maps.Keys(backends)) {
		b.Run(name+"/10k", func(b *testing.B) {
			const n = 10_000
			var wall, sent, cpu time.Duration
			var stats ledger.Stats
			for b.Loop() {
				b.StopTimer()
				w, s, c, st := payAtZeroLatency(b, n, 8, backends[name](b))
				wall, sent, cpu = wall+w, sent+s, cpu+c
				stats.Commits += st.Commits
				b.StartTimer()
			}
			payouts := float64(n * b.N)
			b.ReportMetric(payouts/wall.Seconds(), "payouts/s")
			b.ReportMetric(payouts/sent.Seconds(), "sent/s")
			b.ReportMetric(float64(stats.Commits)/payouts, "commits/payout")
			b.ReportMetric(float64(cpu.Microseconds())/payouts, "cpu-µs/payout")
		})
	}
}

// payAtZeroLatency stores a CamPay batch of n rows in the ledger at loc (""
// for a SQLite file of its own) and runs it; it returns the run's wall time,
// the time until every send's answer was recorded, and the ledger's commits
// and checkpoints during the run.
func payAtZeroLatency(b *testing.B, n, concurrency int, loc string) (wall, sent, cpu time.Duration, stats ledger.Stats) {
	b.Helper()
	ctx := context.Background()
	url, st, bt := storedCamPayBatchAt(b, n, loc)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = concurrency
	hc := &http.Client{Timeout: 30 * time.Second, Transport: tr}
	defer tr.CloseIdleConnections()
	p := campay.New(campay.WithBaseURL(url+"/campay/api"), campay.WithHTTPClient(hc), campay.WithCredentials("u", "p"))
	obs := &sendsDone{want: int64(n), done: make(chan struct{})}
	r := &batch.Runner{Store: st, Observer: obs, PollInterval: time.Millisecond, PendingWait: time.Hour,
		Lanes: map[string]batch.Lane{"campay": {Provider: p, Concurrency: concurrency}}}
	before, cpu0 := st.Stats(), cpuTime()
	start := time.Now()
	obs.start = start
	sum, err := r.Run(ctx, bt)
	wall = time.Since(start)
	cpu = cpuTime() - cpu0
	if err != nil {
		b.Fatal(err)
	}
	if sum.Counts[batch.Succeeded] != n {
		failed, _ := st.Items(ctx, bt.ID, batch.Failed)
		if len(failed) > 0 {
			b.Logf("row %d: %s", failed[0].Row, failed[0].Message)
		}
		b.Fatalf("%d of %d paid: %v", sum.Counts[batch.Succeeded], n, sum.Counts)
	}
	after := st.Stats()
	select {
	case <-obs.done:
	default:
		b.Fatalf("only %d of %d sends recorded", obs.moved.Load(), n)
	}
	return wall, obs.sent, cpu, ledger.Stats{Commits: after.Commits - before.Commits, Checkpoints: after.Checkpoints - before.Checkpoints}
}

// sendsDone notes when the answer to the last send was recorded.
type sendsDone struct {
	want  int64
	moved atomic.Int64
	start time.Time
	sent  time.Duration
	once  sync.Once
	done  chan struct{}
}

func (s *sendsDone) Moved(_ batch.Item, from, _ batch.State) {
	if from == batch.Submitting && s.moved.Add(1) == s.want {
		s.once.Do(func() { s.sent = time.Since(s.start); close(s.done) })
	}
}

// BenchmarkResumeAtHalf measures how long a run resumed after a kill at 50 %
// takes to record its first new payout, for a CamPay batch of 10k and of 100k
// rows: half the items paid, 8 left submitting by the kill (recovered and
// settled first), the rest planned. It prints the 100k time over the 10k time
// (target: within 1.5), and the same for the ledger's part alone: reading what
// recovery reads (the items submitting, unknown and pending) and one claim,
// measured on a copy of the state before the run.
func BenchmarkResumeAtHalf(b *testing.B) {
	first, store := map[int]time.Duration{}, map[int]time.Duration{}
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			var total, ledgerTotal time.Duration
			for b.Loop() {
				b.StopTimer()
				t, l := resumeAtHalf(b, n)
				total, ledgerTotal = total+t, ledgerTotal+l
				b.StartTimer()
			}
			first[n], store[n] = total/time.Duration(b.N), ledgerTotal/time.Duration(b.N)
			b.ReportMetric(first[n].Seconds()*1000, "ms-to-first-payout")
			b.ReportMetric(store[n].Seconds()*1000, "ledger-ms")
		})
	}
	if first[10_000] > 0 && first[100_000] > 0 {
		fmt.Printf("resume at 50 %%: time to the first new payout, 100k over 10k: %.2f; the ledger's part (recovery reads and a claim): %.2f\n",
			first[100_000].Seconds()/first[10_000].Seconds(), store[100_000].Seconds()/store[10_000].Seconds())
	}
}

// resumeAtHalf stores a batch of n rows standing as a kill at 50 % leaves it,
// resumes it, and returns the time until the first new payout was recorded and
// the time the ledger took for recovery's reads and a claim.
func resumeAtHalf(b *testing.B, n int) (took, store time.Duration) {
	b.Helper()
	ctx := context.Background()
	url, st, bt := storedCamPayBatch(b, n)
	for paid := 0; paid < n/2; paid += 1000 {
		claims, err := st.Claim(ctx, bt.ID, "campay", 1000)
		if err != nil {
			b.Fatal(err)
		}
		changes := make([]batch.Change, len(claims))
		for i, c := range claims {
			changes[i] = batch.Change{ItemID: c.Item.ID, From: batch.Submitting, To: batch.Succeeded, Cause: "paid before the kill",
				ProviderReference: "pr-" + c.Item.Reference, Attempt: &batch.AttemptEnd{ID: c.AttemptID, Outcome: batch.OutcomeAccepted}}
		}
		if err := st.Apply(ctx, changes...); err != nil {
			b.Fatal(err)
		}
	}
	inFlight, err := st.Claim(ctx, bt.ID, "campay", 8) // sent or not when the kill came
	if err != nil || len(inFlight) != 8 {
		b.Fatal(err, len(inFlight))
	}
	firstNew := inFlight[len(inFlight)-1].Item.Row // rows after it were never claimed
	store = ledgerPartOfResume(b, st, bt)
	p := campay.New(campay.WithBaseURL(url+"/campay/api"), campay.WithCredentials("u", "p"))
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	obs := &firstPayout{after: firstNew, done: make(chan struct{})}
	r := &batch.Runner{Store: st, Observer: obs, PollInterval: time.Millisecond, PendingWait: time.Hour,
		Lanes: map[string]batch.Lane{"campay": {Provider: p, Concurrency: 8}}}
	start := time.Now()
	ran := make(chan error, 1)
	go func() {
		_, err := r.Run(rctx, bt)
		ran <- err
	}()
	select {
	case <-obs.done:
	case err := <-ran:
		b.Fatalf("run ended before a new payout: %v", err)
	}
	took = time.Since(start)
	cancel()
	<-ran
	return took, store
}

// ledgerPartOfResume times what a resumed run asks the ledger before its first
// send: the items a kill left submitting, unknown or pending, and one claim
// (undone, so that the run finds the state as the kill left it).
func ledgerPartOfResume(b *testing.B, st *ledger.Store, bt batch.Batch) time.Duration {
	ctx := context.Background()
	start := time.Now()
	for _, state := range []batch.State{batch.Submitting, batch.Unknown, batch.Pending} {
		if _, err := st.Items(ctx, bt.ID, state); err != nil {
			b.Fatal(err)
		}
	}
	claims, err := st.Claim(ctx, bt.ID, "campay", 1)
	took := time.Since(start)
	if err != nil || len(claims) != 1 {
		b.Fatal(err, len(claims))
	}
	c := claims[0]
	if err := st.Apply(ctx, batch.Change{ItemID: c.Item.ID, From: batch.Submitting, To: batch.Planned, Cause: "undone",
		Attempt: &batch.AttemptEnd{ID: c.AttemptID, Outcome: batch.OutcomeNotProcessed}}); err != nil {
		b.Fatal(err)
	}
	return took
}

// firstPayout notes the first item after row `after` whose send was answered.
type firstPayout struct {
	after int
	once  sync.Once
	done  chan struct{}
}

func (f *firstPayout) Moved(it batch.Item, from, _ batch.State) {
	if from == batch.Submitting && it.Row > f.after {
		f.once.Do(func() { close(f.done) })
	}
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// storedCamPayBatch starts the sandbox (every payout settled the moment after it
// was made) and a ledger holding a planned CamPay batch of n rows; both are
// closed when the benchmark ends.
func storedCamPayBatch(b *testing.B, n int) (url string, st *ledger.Store, bt batch.Batch) {
	b.Helper()
	return storedCamPayBatchAt(b, n, "")
}

// storedCamPayBatchAt is storedCamPayBatch with the ledger at loc ("": a
// SQLite file of its own).
func storedCamPayBatchAt(b *testing.B, n int, loc string) (url string, st *ledger.Store, bt batch.Batch) {
	b.Helper()
	if loc == "" {
		loc = filepath.Join(b.TempDir(), "l.db")
	}
	ctx := context.Background()
	srv, err := sandbox.New(sandbox.Options{SettleDelay: time.Nanosecond})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	st, err = ledger.Open(ctx, loc)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		st.Close()
		hs.Close()
		srv.Close()
	})
	bt = batch.Batch{Reference: "bench", SheetHash: "h", SheetName: "s.csv", Currency: "XAF", TotalAmount: int64(n) * 1000}
	items := make([]batch.Item, n)
	for i := range items {
		items[i] = batch.Item{Row: i + 2, Name: "N", Phone: fmt.Sprintf("23767%07d", i), Country: "CM", Operator: "MTN",
			Mode: batch.ModeMobileMoney, Amount: 1000, Reference: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Provider: "campay", Route: []string{"campay"}}
	}
	if err := st.CreateBatch(ctx, &bt, items); err != nil {
		b.Fatal(err)
	}
	return hs.URL, st, bt
}

// plainStore hides a store's held claims (batch.HoldingStore).
type plainStore struct{ batch.RunStore }

// BenchmarkHeldClaims is what holding claims costs a provider that cannot be
// asked about our reference (a release committed to the main file before each
// request): a stored batch of 5k rows paid at zero latency through such a
// provider (CamPay's client without its Settle), eight at a time, with its
// claims held and without. It reports payouts/s and the ledger's commits and
// checkpoints per payout.
func BenchmarkHeldClaims(b *testing.B) {
	const n = 5000
	for _, held := range []bool{false, true} {
		name := "not-held"
		if held {
			name = "held"
		}
		b.Run(name, func(b *testing.B) {
			var wall time.Duration
			var stats ledger.Stats
			for b.Loop() {
				b.StopTimer()
				ctx := context.Background()
				url, st, bt := storedCamPayBatch(b, n)
				p := campay.New(campay.WithBaseURL(url+"/campay/api"), campay.WithCredentials("u", "p"))
				var store batch.RunStore = st
				if !held {
					store = plainStore{st}
				}
				r := &batch.Runner{Store: store, PollInterval: time.Millisecond, PendingWait: time.Hour,
					Lanes: map[string]batch.Lane{"campay": {Provider: blind{p}, Concurrency: 8}}}
				before := st.Stats()
				start := time.Now()
				b.StartTimer()
				sum, err := r.Run(ctx, bt)
				b.StopTimer()
				wall += time.Since(start)
				if err != nil || sum.Counts[batch.Succeeded] != n {
					b.Fatalf("%v: %v", err, sum.Counts)
				}
				after := st.Stats()
				stats.Commits += after.Commits - before.Commits
				stats.Checkpoints += after.Checkpoints - before.Checkpoints
				b.StartTimer()
			}
			payouts := float64(n * b.N)
			b.ReportMetric(payouts/wall.Seconds(), "payouts/s")
			b.ReportMetric(float64(stats.Commits)/payouts, "commits/payout")
			b.ReportMetric(float64(stats.Checkpoints)/payouts, "checkpoints/payout")
		})
	}
}
