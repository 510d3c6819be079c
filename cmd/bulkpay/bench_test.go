package main

import (
	"os/exec"
	"syscall"
	"testing"

	"bulkpay/sheet/sheettest"
)

// BenchmarkValidate1MPeakRSS runs `bulkpay validate` on a 1,000,000-row xlsx and
// reports the process's peak resident memory (target: ≤ 150 MB), for text
// stored inline (stream writers) and in a shared strings table (spreadsheet programs).
func BenchmarkValidate1MPeakRSS(b *testing.B) {
	b.Run("inline", func(b *testing.B) { peakRSS(b, sheettest.BigXLSX) })
	b.Run("shared", func(b *testing.B) { peakRSS(b, sheettest.BigXLSXShared) })
}

func peakRSS(b *testing.B, gen func(int) (string, error)) {
	path, err := gen(1_000_000)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var peak int64
	for b.Loop() {
		cmd := exec.Command(binary, "validate", path, "--json")
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = max(peak, ru.Maxrss) // KiB on Linux
		}
	}
	b.ReportMetric(float64(peak)/1024, "peak-MB")
}
