package ledger

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"bulkpay/batch"
)

// BenchmarkClaim claims a 2,000-item batch one item at a time, as the runner
// does for providers paid one request per item: each claim is committed and
// checkpointed into the main file before it returns.
func BenchmarkClaim(b *testing.B) {
	const n = 2000
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		st, err := Open(ctx, filepath.Join(b.TempDir(), "l.db"))
		if err != nil {
			b.Fatal(err)
		}
		bt := batch.Batch{Reference: "bench", SheetHash: "h", SheetName: "s.csv", Currency: "XAF", TotalAmount: n * 1000}
		items := make([]batch.Item, n)
		for i := range items {
			items[i] = batch.Item{Row: i + 2, Name: "N", Phone: fmt.Sprintf("2376771%05d", i), Country: "CM", Operator: "MTN",
				Mode: batch.ModeMobileMoney, Amount: 1000, Reference: fmt.Sprintf("ref-%d", i), Provider: "campay"}
		}
		if err := st.CreateBatch(ctx, &bt, items); err != nil {
			b.Fatal(err)
		}
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
