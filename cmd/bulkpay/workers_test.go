package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/internal/testsupport/pgtest"
	"bulkpay/providers/sandbox"
)

// counting serves the sandbox and tells the test when it has received a
// number of provider requests more.
type counting struct {
	http.Handler
	mu    sync.Mutex
	n     int
	waits []payoutWait
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/_sandbox") {
		c.mu.Lock()
		c.n++
		kept := c.waits[:0]
		for _, wt := range c.waits {
			if c.n >= wt.n {
				close(wt.ch)
			} else {
				kept = append(kept, wt)
			}
		}
		c.waits = kept
		c.mu.Unlock()
	}
	c.Handler.ServeHTTP(w, r)
}

// after is closed once the sandbox has received k provider requests more.
func (c *counting) after(k int) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	c.waits = append(c.waits, payoutWait{n: c.n + k, ch: ch})
	return ch
}

// workerRates are the harness's providers' rates (requests per second over
// all workers), as its config gives them.
var workerRates = map[string]int{"campay": 20, "cinetpay": 10, "mycoolpay": 20, "camoo": 20}

// TestWorkersCrashHarness runs three bulkpay processes on one PostgreSQL
// ledger, one `bulkpay run SHEET` and two `bulkpay worker`, paying one
// 600-row, four-provider batch through a sandbox with faults on, and
// SIGKILLs one of them at random (once the sandbox has taken a few requests
// more) BULKPAY_WORKER_KILLS times (100 by default), restarting it each time.
// Then, from the sandbox's own records: nobody paid twice, nobody lost, the
// ledger and the sandbox agree; and from its request log, no provider
// received more requests in any one second than its configured rate. The
// workers left stop cleanly on SIGTERM. Needs BULKPAY_TEST_POSTGRES. By hand:
// BULKPAY_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable go test ./cmd/bulkpay -run WorkersCrashHarness -v
func TestWorkersCrashHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("the workers' crash harness runs in the full suite")
	}
	dsn := pgtest.PostgresDSN(t)
	t.Parallel()
	kills := 100
	if s := os.Getenv("BULKPAY_WORKER_KILLS"); s != "" {
		kills, _ = strconv.Atoi(s)
	}
	const rows, seed = 600, 44
	rules, err := sandbox.ParseRules("*:latency=0ms..30ms; campay.withdraw:hang-after@2%; cinetpay.send:hang-after@3%; *:error=503@2%; *:error=429@2%,retry-after=1; *:reset@1%; mycoolpay.payout:malformed@1%; camoo.cashout:hang-before@1%")
	require.NoError(t, err)
	srv, err := sandbox.New(sandbox.Options{Seed: seed, Latency: 5 * time.Millisecond, SettleDelay: 200 * time.Millisecond, Rules: rules})
	require.NoError(t, err)
	sim := &counting{Handler: srv}
	hs := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); hs.CloseClientConnections(); hs.Close() })
	url := hs.URL

	dir := t.TempDir()
	var pace strings.Builder
	for _, p := range []string{"campay", "cinetpay", "mycoolpay", "camoo"} {
		extra := ", concurrency: 3"
		if p == "cinetpay" {
			extra = ", concurrency: 1, chunk_size: 10"
		}
		fmt.Fprintf(&pace, "  %s: {rate: %d, timeout: 1s%s}\n", p, workerRates[p], extra)
	}
	cfg := writeConfig(t, dir, "lease: 3s\npending_wait: 5s\npoll_interval: 100ms\nproviders:\n"+pace.String())
	providersList := []string{"campay", "cinetpay", "mycoolpay", "camoo"}
	var lines []string
	for i := 0; i < rows; i++ {
		lines = append(lines, providerRow(providersList[i%4], i))
	}
	sheetPath := writeRows(t, dir, "harness.csv", lines)
	common := []string{"--db", dsn, "--sandbox", url, "--config", cfg, "--quiet"}
	runArgs := append([]string{"run", sheetPath}, common...)
	workerArgs := append([]string{"worker", "--idle", "300ms", "--log-level", "error"}, common...)

	// slot 0 runs `bulkpay run` (it plans the batch and starts it), slots 1
	// and 2 `bulkpay worker`; each writes its log to a file of its own
	type slot struct {
		p    *proc
		args []string
		runs int
	}
	slots := []*slot{{args: runArgs}, {args: workerArgs}, {args: workerArgs}}
	begin := func(i int) {
		s := slots[i]
		s.runs++
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("slot%d-%03d.log", i, s.runs)))
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		s.p = start(t, dir, nil, f, s.args...)
	}
	exitCode := func(err error) int {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			return -1
		}
		return 0
	}
	for i := range slots {
		begin(i)
	}

	rng := rand.New(rand.NewPCG(seed, 9))
	started := time.Now()                  // for the log line only
	bound := time.After(170 * time.Second) // a bound on the test, not a measure
	killed, runExits := 0, map[int]int{}
	complete := false
	for killed < kills && !complete {
		select {
		case <-sim.after(2 + rng.IntN(10)):
			i := rng.IntN(len(slots))
			s := slots[i]
			select {
			case <-s.p.done: // it ended on its own: started again below
			default:
				if s.p.Process.Signal(syscall.SIGKILL) == nil {
					killed++
				}
				s.p.wait()
				begin(i)
			}
		case <-slots[0].p.done:
			code := exitCode(slots[0].p.err)
			runExits[code]++
			if code == 1 {
				logTail(t, dir, slots[0].runs)
			}
			complete = code == 0 // the batch is paid: nothing left to kill
			if !complete {
				begin(0)
			}
		case <-bound:
			t.Fatalf("the harness did not get its %d kills in time (%d so far)", kills, killed)
		}
	}
	killedAt := time.Since(started)

	// no more kills: the run is started again until nothing is left but what
	// needs a person
	var st statusJSON
	for i := 0; i < 30; i++ {
		select {
		case <-slots[0].p.done:
		case <-bound:
			s := bulkpay(t, dir, "status", "harness", "--json", "--db", dsn)
			t.Fatalf("the batch did not settle in time after %d kills (in %s): %s", killed, killedAt.Round(time.Second), s.stdout)
		}
		code := exitCode(slots[0].p.err)
		runExits[code]++
		if code == 1 {
			logTail(t, dir, slots[0].runs)
		}
		s := bulkpay(t, dir, "status", "harness", "--json", "--db", dsn)
		require.NoError(t, json.Unmarshal([]byte(s.stdout), &st), s.stderr)
		if st.Counts["pending"]+st.Counts["unknown"]+st.Counts["planned"]+st.Counts["submitting"] == 0 {
			break
		}
		begin(0)
	}
	for _, s := range slots[1:] {
		require.NoError(t, s.p.Process.Signal(syscall.SIGTERM))
		assert.Equal(t, 0, exitCode(s.p.wait()), "a worker stops cleanly on SIGTERM")
	}

	// the report the last run wrote may predate what the workers settled
	// after it: write it again from the ledger as it now stands
	r := bulkpay(t, dir, "report", "harness", "--db", dsn)
	require.Equal(t, 0, r.code, r.stderr)
	report := reportLines(t, dir, "harness")
	require.Len(t, report, rows, "nobody forgotten: every row is an item")
	c := countHarness(t, report, srv.Payouts())
	states, review, doubles, lost := c.states, c.review, c.doubles, c.lost
	v := bulkpay(t, dir, "verify", "harness", "--db", dsn)
	assert.Equal(t, 0, v.code, v.stdout+v.stderr)

	reqs := srv.Requests()
	var paces []string
	for _, p := range providersList {
		most, from := sandbox.MostInWindow(reqs, p, time.Second)
		if !assert.LessOrEqual(t, most, workerRates[p], "%s: requests in the second from %s", p, from.Format("15:04:05.000")) {
			for _, r := range reqs {
				if r.Provider == p && !r.At.Before(from) && r.At.Sub(from) < time.Second {
					t.Logf("%s %s %s", r.At.Format("15:04:05.000000"), r.Method, r.Path)
				}
			}
		}
		paces = append(paces, fmt.Sprintf("%s %d/%d", p, most, workerRates[p]))
	}
	t.Logf("kills %d (in %s), rows %d, elapsed %s, processes started %d, run exits %v, states %v, review by provider %v, double payments %d, lost %d, requests %d, most requests in any 1s window vs rate: %s",
		killed, killedAt.Round(time.Second), rows, time.Since(started).Round(time.Second), slots[0].runs+slots[1].runs+slots[2].runs,
		runExits, states, review, doubles, lost, len(reqs), strings.Join(paces, ", "))
}

// logTail logs the end of the log of slot 0's run n.
func logTail(t *testing.T, dir string, n int) {
	b, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("slot0-%03d.log", n)))
	if len(b) > 1500 {
		b = b[len(b)-1500:]
	}
	t.Logf("run %d exit 1: %s", n, b)
}

func TestWorkerNeedsASharedLedger(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := bulkpay(t, dir, "worker", "--db", filepath.Join(dir, "bulkpay.db"), "--sandbox", "http://127.0.0.1:1")
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stderr, "--db postgres://", "it says what to give instead")
	assert.Contains(t, r.stderr, "bulkpay resume BATCH")
}
