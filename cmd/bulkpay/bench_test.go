package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
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

// BenchmarkPlanReportStatusPeakRSS runs `bulkpay plan` on a csv of 100,000 and
// of 200,000 rows (the most a sheet may hold), then `report` and `status` of
// the 100,000-item batch, and reports each process's peak resident memory
// (targets: plan ≤ 200 MB, report and status ≤ 150 MB).
func BenchmarkPlanReportStatusPeakRSS(b *testing.B) {
	for _, n := range []int{100_000, 200_000} {
		path, err := sheettest.BigCSV(n)
		if err != nil {
			b.Fatal(err)
		}
		ref := strings.TrimSuffix(filepath.Base(path), ".csv")
		b.Run(fmt.Sprintf("plan-%dk", n/1000), func(b *testing.B) {
			var peak int64
			for b.Loop() {
				peak = max(peak, runPeak(b, "plan", path, "--db", filepath.Join(b.TempDir(), "bulkpay.db")))
			}
			b.ReportMetric(float64(peak)/1024, "peak-MB")
		})
		if n != 100_000 {
			continue
		}
		db := filepath.Join(b.TempDir(), "bulkpay.db")
		runPeak(b, "plan", path, "--db", db)
		for _, args := range [][]string{{"report", ref, "--out", b.TempDir()}, {"status", ref}} {
			b.Run(fmt.Sprintf("%s-%dk", args[0], n/1000), func(b *testing.B) {
				var peak int64
				for b.Loop() {
					peak = max(peak, runPeak(b, append(args, "--db", db)...))
				}
				b.ReportMetric(float64(peak)/1024, "peak-MB")
			})
		}
	}
}

// runPeak runs bulkpay and returns its peak resident memory in KiB.
func runPeak(b *testing.B, args ...string) int64 {
	b.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = b.TempDir()
	out, err := cmd.CombinedOutput()
	// plan exits 0, or 1 when the sandbox's balances are short: both stored the plan
	if err != nil && cmd.ProcessState.ExitCode() > 1 {
		b.Fatalf("%v: %v: %s", args, err, out)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return ru.Maxrss // KiB on Linux
}
