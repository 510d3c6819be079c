package sheet

import (
	"encoding/csv"
	"os"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"bulkpay/batch"
	"bulkpay/sheet/sheettest"
)

func bigXLSX(b *testing.B, n int) string {
	gen := sheettest.BigXLSX
	if os.Getenv("BULKPAY_BENCH_SHARED") != "" {
		gen = sheettest.BigXLSXShared // text in a shared strings table, as spreadsheet programs save it
	}
	path, err := gen(n)
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// rawExcelize reads every cell's raw value with excelize's streaming reader,
// doing nothing with it.
func rawExcelize(b *testing.B, path string) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			b.Fatal(err)
		}
		n += len(cells)
	}
	if n == 0 {
		b.Fatal("no cells")
	}
}

// read100k reads and validates the 100k-row file at path, failing on any
// row error.
func read100k(b *testing.B, path string) {
	n := 0
	res, err := Read(b.Context(), path, Options{}, func(batch.Row) error { n++; return nil })
	if err != nil {
		b.Fatal(err)
	}
	if n != 100_000 || len(res.Errors) != 0 {
		b.Fatalf("read %d rows, %d errors: %v", n, len(res.Errors), res.Errors[:min(3, len(res.Errors))])
	}
}

// BenchmarkXLSX100k reads the same 100k-row xlsx with excelize's raw streaming
// read (the baseline) and with Read, alternating the two in each round so that
// both see the same machine; it reports baseline/read as the ratio (1 = as
// fast as excelize alone).
func BenchmarkXLSX100k(b *testing.B) {
	path := bigXLSX(b, 100_000)
	var base, read time.Duration
	for b.Loop() {
		t0 := time.Now()
		rawExcelize(b, path)
		t1 := time.Now()
		read100k(b, path)
		base += t1.Sub(t0)
		read += time.Since(t1)
	}
	b.ReportMetric(float64(base)/float64(read), "x-excelize")
}

// BenchmarkRawExcelize100k is the baseline: excelize's own streaming read of
// every cell's raw value, doing nothing with it.
func BenchmarkRawExcelize100k(b *testing.B) {
	path := bigXLSX(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		rawExcelize(b, path)
	}
}

// BenchmarkRead100k reads and validates the same file: header search, phone
// numbers with carriers, amounts, duplicates.
func BenchmarkRead100k(b *testing.B) {
	path := bigXLSX(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		read100k(b, path)
	}
}

// BenchmarkNormalize folds a mode cell as each row does: plain ASCII, and with
// an accent.
func BenchmarkNormalize(b *testing.B) {
	for _, s := range []string{"Mobile Money", "Espèces"} {
		b.Run(s, func(b *testing.B) {
			for b.Loop() {
				Normalize(s)
			}
		})
	}
}

// BenchmarkCSV100k reads the same 100k-row csv with encoding/csv into records
// (the baseline) and with Read, which also validates every row, alternating
// the two in each round; it reports baseline/read as the ratio (1 = as fast as
// encoding/csv).
func BenchmarkCSV100k(b *testing.B) {
	path, err := sheettest.BigCSV(100_000)
	if err != nil {
		b.Fatal(err)
	}
	var base, read time.Duration
	for b.Loop() {
		t0 := time.Now()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(recs) != 100_001 {
			b.Fatalf("%d records: %v", len(recs), err)
		}
		t1 := time.Now()
		read100k(b, path)
		base += t1.Sub(t0)
		read += time.Since(t1)
	}
	b.ReportMetric(float64(base)/float64(read), "x-encoding-csv")
}
