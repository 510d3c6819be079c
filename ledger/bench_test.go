package ledger

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"bulkpay/batch"
)

// benchLedger opens a new ledger holding one planned batch of n CamPay items.
func benchLedger(b *testing.B, n int) (*Store, batch.Batch) {
	b.Helper()
	return benchLedgerPaying(b, n, batch.ModeMobileMoney)
}

// benchLedgerPaying opens a new ledger holding one planned batch of n CamPay
// items paid in mode.
func benchLedgerPaying(b *testing.B, n int, mode string) (*Store, batch.Batch) {
	b.Helper()
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(b.TempDir(), "l.db"))
	if err != nil {
		b.Fatal(err)
	}
	bt := batch.Batch{Reference: "bench", SheetHash: "h", SheetName: "s.csv", Currency: "XAF", TotalAmount: int64(n) * 1000}
	items := make([]batch.Item, n)
	for i := range items {
		items[i] = batch.Item{Row: i + 2, Name: "N", Phone: fmt.Sprintf("2376771%05d", i), Country: "CM", Operator: "MTN",
			Mode: mode, Amount: 1000, Reference: fmt.Sprintf("ref-%d", i), Provider: "campay"}
	}
	if err := st.CreateBatch(ctx, &bt, items); err != nil {
		b.Fatal(err)
	}
	return st, bt
}

// BenchmarkClaim claims a 2,000-item batch one item at a time, as the runner
// does for providers paid one request per item: each claim is committed and
// checkpointed into the main file before it returns.
func BenchmarkClaim(b *testing.B) {
	const n = 2000
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		st, bt := benchLedger(b, n)
		b.StartTimer()
		for range n {
			if _, err := st.Claim(ctx, bt.ID, "campay", 1); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/claim")
}

// BenchmarkPayoutStatements is the CPU the ledger spends on one payout's
// writes, the disk left out: a 5,000-item batch claimed, answered (pending)
// and settled (succeeded) one item after the other, as the runner writes them,
// on a ledger whose connection is set to synchronous=OFF so that no fsync is
// waited for or counted. It reports the process's CPU time (user and system)
// per payout: what a change to the ledger's statements gains or costs, apart
// from the disk and from everything else a run does.
func BenchmarkPayoutStatements(b *testing.B) {
	const n = 5000
	ctx := context.Background()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		st, bt := benchLedger(b, n)
		if _, err := st.db.ExecContext(ctx, `PRAGMA synchronous=OFF`); err != nil {
			b.Fatal(err)
		}
		start := processCPU()
		for range n {
			cs, err := st.Claim(ctx, bt.ID, "campay", 1)
			if err != nil || len(cs) != 1 {
				b.Fatal(err, len(cs))
			}
			c := cs[0]
			if err := st.Apply(ctx, batch.Change{ItemID: c.Item.ID, From: batch.Submitting, To: batch.Pending, Cause: "provider accepted the payout",
				ProviderReference: "p-" + c.Item.Reference, Attempt: &batch.AttemptEnd{ID: c.AttemptID, Outcome: batch.OutcomeAccepted, ProviderReference: "p-" + c.Item.Reference}}); err != nil {
				b.Fatal(err)
			}
			if err := st.Apply(ctx, batch.Change{ItemID: c.Item.ID, From: batch.Pending, To: batch.Succeeded, CloseOpen: true,
				Cause: "provider reported the final status"}); err != nil {
				b.Fatal(err)
			}
		}
		cpu += processCPU() - start
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*n), "cpu-µs/payout")
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAlreadyComplete answers "is this 100,000-item batch already
// complete?" and "what is its standing?" on a SQLite ledger, the way run and
// resume answered before (every item read, then counted) and the way they
// answer now (one GROUP BY over the items), and status's standing before
// (Status: every item read) and now (Glance: counts, and only the failed and
// in-review items). The ratios, now over before, are printed at the end.
func BenchmarkAlreadyComplete(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	st, bt := benchLedger(b, n)
	defer st.Close()
	// every item paid but a few failed, as a finished batch stands
	if _, err := st.db.ExecContext(ctx, `UPDATE items SET state = CASE WHEN row % 1000 = 0 THEN 'failed' ELSE 'succeeded' END WHERE batch_id = ?`, bt.ID); err != nil {
		b.Fatal(err)
	}

	type cost struct{ ns, bytes float64 }
	costs := map[string]cost{}
	measure := func(name string, fn func() (batch.Summary, error)) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				sum, err := fn()
				if err != nil {
					b.Fatal(err)
				}
				if !sum.Complete() || sum.Items != n {
					b.Fatalf("summary %+v: want %d items, complete", sum.Counts, n)
				}
			}
			runtime.ReadMemStats(&after)
			costs[name] = cost{float64(b.Elapsed().Nanoseconds()) / float64(b.N), float64(after.TotalAlloc-before.TotalAlloc) / float64(b.N)}
		})
	}
	measure("complete/items", func() (batch.Summary, error) {
		all, err := st.Items(ctx, bt.ID)
		return batch.Summarize(bt, all), err
	})
	measure("complete/totals", func() (batch.Summary, error) { return batch.SummaryOf(ctx, st, bt) })
	measure("status/all-items", func() (batch.Summary, error) {
		s, err := batch.Status(ctx, st, bt)
		return s.Summary, err
	})
	measure("status/glance", func() (batch.Summary, error) {
		s, err := batch.Glance(ctx, st, bt)
		return s.Summary, err
	})
	for _, p := range [][2]string{{"complete/totals", "complete/items"}, {"status/glance", "status/all-items"}} {
		now, was := costs[p[0]], costs[p[1]]
		if was.ns > 0 && was.bytes > 0 {
			fmt.Printf("ratio %s over %s: time %.4f, bytes %.5f\n", p[0], p[1], now.ns/was.ns, now.bytes/was.bytes)
		}
	}
}
