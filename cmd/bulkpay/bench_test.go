package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"bulkpay/sheet/sheettest"
)

// bigBinary is bulkpay built with -tags benchlimits: it reads sheets of up to
// a million rows, beyond what a batch may hold, for the benchmarks below.
var bigBinary = sync.OnceValues(func() (string, error) {
	path := filepath.Join(filepath.Dir(binary), "bulkpay-benchlimits")
	if out, err := exec.Command("go", "build", "-tags", "benchlimits", "-o", path, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build: %v\n%s", err, out)
	}
	return path, nil
})

// BenchmarkValidate1MPeakRSS runs `bulkpay validate` on a 1,000,000-row sheet
// and reports the process's peak resident memory (targets: ≤ 150 MB for an
// xlsx whose text is inline, as stream writers save it, and for csv; ≤ 350 MB
// for text in a shared strings table, as spreadsheet programs save it).
func BenchmarkValidate1MPeakRSS(b *testing.B) {
	b.Run("inline", func(b *testing.B) { peakRSS(b, "xlsx", "validate") })
	b.Run("shared", func(b *testing.B) { peakRSS(b, "xlsx-shared", "validate") })
	b.Run("csv", func(b *testing.B) { peakRSS(b, "csv", "validate") })
}

// BenchmarkPlan1MPeakRSS runs `bulkpay plan` on a 1,000,000-row csv into a new
// ledger and reports the process's peak resident memory (target ≤ 200 MB).
func BenchmarkPlan1MPeakRSS(b *testing.B) {
	peakRSS(b, "csv", "plan")
}

func peakRSS(b *testing.B, kind, verb string) {
	path := benchSheet(b, kind, 1_000_000)
	bin, err := bigBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var peak int64
	for b.Loop() {
		args := []string{verb, path, "--json"}
		if verb == "plan" {
			args = append(args, "--db", filepath.Join(b.TempDir(), "bulkpay.db"))
		}
		peak = max(peak, runPeak(b, bin, args...))
	}
	b.ReportMetric(float64(peak)/1024, "peak-MB")
}

// BenchmarkPlanReportStatusPeakRSS runs `bulkpay plan` on a csv of 100,000 and
// of 200,000 rows (the most a batch may hold), then `report` and `status` of
// the 100,000-item batch, and reports each process's peak resident memory
// (targets: plan ≤ 200 MB, report and status ≤ 150 MB).
func BenchmarkPlanReportStatusPeakRSS(b *testing.B) {
	for _, n := range []int{100_000, 200_000} {
		path := benchSheet(b, "csv", n)
		b.Run(fmt.Sprintf("plan-%dk", n/1000), func(b *testing.B) {
			var peak int64
			for b.Loop() {
				peak = max(peak, runPeak(b, binary, "plan", path, "--db", filepath.Join(b.TempDir(), "bulkpay.db")))
			}
			b.ReportMetric(float64(peak)/1024, "peak-MB")
		})
		if n != 100_000 {
			continue
		}
		db := filepath.Join(b.TempDir(), "bulkpay.db")
		runPeak(b, binary, "plan", path, "--db", db)
		ref := strings.TrimSuffix(filepath.Base(path), ".csv")
		for _, args := range [][]string{{"report", ref, "--out", b.TempDir()}, {"status", ref}} {
			b.Run(fmt.Sprintf("%s-%dk", args[0], n/1000), func(b *testing.B) {
				var peak int64
				for b.Loop() {
					peak = max(peak, runPeak(b, binary, append(args, "--db", db)...))
				}
				b.ReportMetric(float64(peak)/1024, "peak-MB")
			})
		}
	}
}

// BenchmarkRunReconcilePeakRSS runs `bulkpay run` on a csv of 100,000,
// 200,000 and 1,000,000 rows against the sandbox (payouts settling 1 ms after
// they are accepted, at zero latency, every provider at `rate: unlimited`),
// then `bulkpay reconcile` of the 100,000-item batch, and reports each
// process's peak resident memory (targets: run ≤ 200 MB at 1M, reconcile ≤
// 150 MB at 100k) and the run's payouts a second. The 1M run takes a long
// time: select the sizes with -bench, e.g. 'RunReconcilePeakRSS/run-100k'.
func BenchmarkRunReconcilePeakRSS(b *testing.B) {
	cfg := filepath.Join(b.TempDir(), "bulkpay.yaml")
	err := os.WriteFile(cfg, []byte("pending_wait: 2m\npoll_interval: 100ms\nproviders:\n"+
		"  campay: {rate: unlimited, concurrency: 16}\n  cinetpay: {rate: unlimited, concurrency: 4}\n"+
		"  mycoolpay: {rate: unlimited, concurrency: 16}\n  camoo: {rate: unlimited, concurrency: 16}\n"), 0o600)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{100_000, 200_000, 1_000_000} {
		path := benchSheet(b, "csv", n)
		bin := binary
		if n > 200_000 {
			if bin, err = bigBinary(); err != nil {
				b.Fatal(err)
			}
		}
		name := fmt.Sprintf("%dk", n/1000)
		if n >= 1_000_000 {
			name = fmt.Sprintf("%dM", n/1_000_000)
		}
		var db, url string // the last run's ledger and sandbox, reconciled below
		parent := b        // the sandbox and the ledger outlive the run, for reconcile
		b.Run("run-"+name, func(b *testing.B) {
			var peak int64
			var took time.Duration
			for b.Loop() {
				// a sandbox and a ledger of its own for each run: every payout is new
				url = startSandbox(parent, "--settle-delay", "1ms", "--balance", "campay/MTN=10000000000000,campay/Orange=10000000000000")
				db = filepath.Join(parent.TempDir(), "bulkpay.db")
				start := time.Now()
				peak = max(peak, runPeak(b, bin, "run", path, "--config", cfg, "--sandbox", url, "--db", db, "--quiet"))
				took += time.Since(start)
			}
			b.ReportMetric(float64(peak)/1024, "peak-MB")
			b.ReportMetric(float64(n)*float64(b.N)/took.Seconds(), "payouts/s")
		})
		if n != 100_000 || db == "" {
			continue
		}
		ref := strings.TrimSuffix(filepath.Base(path), ".csv")
		b.Run("reconcile-"+name, func(b *testing.B) {
			var peak int64
			for b.Loop() {
				peak = max(peak, runPeak(b, bin, "reconcile", ref, "--config", cfg, "--sandbox", url, "--db", db))
			}
			b.ReportMetric(float64(peak)/1024, "peak-MB")
			if n := storedFindings(b, db); n > 0 { // mismatches and records it could not check
				b.Fatalf("reconcile of a batch paid in full found %d thing(s) to look at", n)
			}
		})
	}
}

// storedFindings counts the findings the ledger at db keeps.
func storedFindings(b *testing.B, db string) int {
	sqldb, err := sql.Open("sqlite3", db)
	if err != nil {
		b.Fatal(err)
	}
	defer sqldb.Close()
	var n int
	if err := sqldb.QueryRow(`SELECT COUNT(*) FROM findings`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkRerunComplete100k runs `bulkpay run` again on the sheet of a
// complete 100,000-item batch (its items set succeeded in the ledger) and
// reports the time until it says "already complete" (target ≤ 1 s), against
// `bulkpay validate` of the same sheet (the floor: reading the sheet once),
// and the rerun's peak resident memory (the report it writes included).
func BenchmarkRerunComplete100k(b *testing.B) {
	path := benchSheet(b, "csv", 100_000)
	dir := b.TempDir()
	db := filepath.Join(dir, "bulkpay.db")
	runPeak(b, binary, "plan", path, "--db", db)
	sqldb, err := sql.Open("sqlite3", db)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sqldb.Exec(`UPDATE items SET state = 'succeeded'`); err != nil { // paid, as far as a rerun can tell
		b.Fatal(err)
	}
	sqldb.Close()
	b.ResetTimer()
	var rerun, validate time.Duration
	var peak int64
	for b.Loop() {
		d, rss := untilLine(b, "already complete", "run", path, "--db", db)
		rerun, peak = rerun+d, max(peak, rss)
		d, _ = untilLine(b, "", "validate", path)
		validate += d
	}
	b.ReportMetric(rerun.Seconds()/float64(b.N), "s-to-complete")
	b.ReportMetric(validate.Seconds()/float64(b.N), "s-validate")
	b.ReportMetric(rerun.Seconds()/validate.Seconds(), "x-validate")
	b.ReportMetric(float64(peak)/1024, "peak-MB")
}

// untilLine runs bulkpay and returns how long it took to write a line
// holding want to stderr (to its end when want is ""), and its peak resident
// memory in KiB.
func untilLine(b *testing.B, want string, args ...string) (time.Duration, int64) {
	b.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = b.TempDir()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var took time.Duration
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if want != "" && took == 0 && strings.Contains(sc.Text(), want) {
			took = time.Since(start)
		}
	}
	if err := cmd.Wait(); err != nil && cmd.ProcessState.ExitCode() > 1 {
		b.Fatalf("%v: %v", args, err)
	}
	if want == "" {
		took = time.Since(start)
	} else if took == 0 {
		b.Fatalf("%v never said %q", args, want)
	}
	return took, childPeak(b, cmd.ProcessState)
}

// runPeak runs bin (a bulkpay) and returns its peak resident memory in KiB.
func runPeak(b *testing.B, bin string, args ...string) int64 {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = b.TempDir()
	out, err := cmd.CombinedOutput()
	// plan exits 0, or 1 when the sandbox's balances are short: both stored the plan
	if err != nil && cmd.ProcessState.ExitCode() > 1 {
		b.Fatalf("%v: %v: %s", args, err, out)
	}
	return childPeak(b, cmd.ProcessState)
}

// childPeak is the peak resident memory, in KiB, of a process that has
// ended. Linux counts in it its parent's own peak at the time the child was
// started (the high-water mark is carried over from the parent's memory,
// which the child shares until its exec): a figure no higher than this
// benchmark process's own peak says nothing of the child, and the benchmark
// fails rather than report it. Hence too benchSheet.
func childPeak(b *testing.B, ps *os.ProcessState) int64 {
	b.Helper()
	var self syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &self); err != nil {
		b.Fatal(err)
	}
	ru, _ := ps.SysUsage().(*syscall.Rusage)
	if ru.Maxrss <= self.Maxrss {
		b.Fatalf("a peak of %d KiB is no more than the benchmark process's own (%d KiB), which it counts: it says nothing of bulkpay", ru.Maxrss, self.Maxrss)
	}
	return ru.Maxrss // KiB on Linux
}

// benchSheetEnv asks the test binary, started again by benchSheet, to make a
// benchmark sheet and print its path instead of running tests.
const benchSheetEnv = "BULKPAY_BENCH_SHEET"

// benchSheet is the path of a benchmark sheet of n rows (kind: csv, xlsx with
// inline text, xlsx-shared with a shared strings table), cached in the temp
// dir. It is made in a process of its own: making a 1M-row workbook with a
// shared strings table takes gigabytes, which would count in the peak of
// every bulkpay this process starts afterwards (see childPeak).
func benchSheet(b *testing.B, kind string, n int) string {
	b.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s:%d", benchSheetEnv, kind, n))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("make the %s sheet of %d rows: %v", kind, n, err)
	}
	return strings.TrimSpace(string(out))
}

// makeBenchSheet makes the sheet spec names (kind:rows, see benchSheet) and
// prints its path; it returns the process's exit code.
func makeBenchSheet(spec string) int {
	gens := map[string]func(int) (string, error){"csv": sheettest.BigCSV, "xlsx": sheettest.BigXLSX, "xlsx-shared": sheettest.BigXLSXShared}
	kind, rows, _ := strings.Cut(spec, ":")
	n, err := strconv.Atoi(rows)
	gen := gens[kind]
	if err != nil || gen == nil {
		fmt.Fprintf(os.Stderr, "%s=%q: want csv, xlsx or xlsx-shared, a colon and a number of rows\n", benchSheetEnv, spec)
		return 2
	}
	path, err := gen(n)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(path)
	return 0
}
