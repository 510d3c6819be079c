package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/testsupport"
	"bulkpay/ledger"
)

// neverPaidTwice checks from the sandbox's side that no reference and no
// beneficiary of the report was paid more than once, and that each succeeded
// row was paid exactly once.
func neverPaidTwice(t *testing.T, url string, lines []map[string]string) {
	t.Helper()
	byRef, byPhone := map[string]int{}, map[string]int{}
	for _, p := range payouts(t, url) {
		byRef[p.ClientReference]++
		byPhone[strings.TrimPrefix(p.Phone, "+")]++
	}
	for _, l := range lines {
		phone := strings.TrimPrefix(l["phone"], "+")
		assert.LessOrEqual(t, byRef[l["reference"]], 1, "row %s: its reference paid twice", l["row"])
		assert.LessOrEqual(t, byPhone[phone], 1, "row %s: %s paid twice", l["row"], phone)
		if l["state"] == "succeeded" {
			assert.Equal(t, 1, byRef[l["reference"]], "row %s succeeded: paid once", l["row"])
		}
	}
}

// A ledger copied without its -wal mid-run (a backup of bulkpay.db alone, or
// the -wal deleted) must never lead to a second payment: the main file holds
// every batch planned and every item claimed for sending.
func TestCopyOfTheMainFileAloneNeverPaysTwice(t *testing.T) {
	for _, provider := range []string{"mycoolpay", "camoo", "campay", "cinetpay"} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			if testing.Short() && provider != "mycoolpay" {
				t.Skip("end to end with 3 bulkpay processes; -short keeps mycoolpay's: the ledger's copy is the same whoever the provider; runs without -short")
			}
			url := startSandbox(t)
			dir, copyDir := t.TempDir(), t.TempDir()
			var lines []string
			for i := 0; i < 6; i++ {
				lines = append(lines, providerRow(provider, i))
			}
			sheet := writeRows(t, dir, "copied.csv", lines)
			pace, after := "{concurrency: 1}", "3" // killed while the third request is at the provider, its answer unread
			if provider == "cinetpay" {
				pace, after = "{concurrency: 1, chunk_size: 2}", "2" // the second chunk of two
			}
			cfg := writeConfig(t, dir, "providers:\n  "+provider+": "+pace+"\n")
			runKilled(t, dir, []string{"BULKPAY_CRASH_AT=after-send", "BULKPAY_CRASH_AFTER=" + after},
				"run", sheet, "--sandbox", url, "--config", cfg)
			sent := len(payouts(t, url))
			require.GreaterOrEqual(t, sent, 3, "killed mid-run, after sending")
			require.Less(t, sent, 6, "killed mid-run, before the end")

			testsupport.CopyFile(t, filepath.Join(dir, "bulkpay.db"), filepath.Join(copyDir, "bulkpay.db"))
			copySheet := filepath.Join(copyDir, "copied.csv")
			testsupport.CopyFile(t, sheet, copySheet)
			r := bulkpay(t, copyDir, "run", copySheet, "--sandbox", url, "--config", cfg)
			require.Contains(t, []int{0, 4}, r.code, r.stderr)
			assert.Contains(t, r.stderr, "resuming batch copied", "the copy knows the batch and its references")
			report := reportLines(t, copyDir, "copied")
			require.Len(t, report, 6)
			neverPaidTwice(t, url, report)
			assert.Len(t, payouts(t, url), 6, "everyone paid once, nobody twice")
		})
	}
}

// rootPage finds where an index or table starts in the ledger.
func rootPage(t *testing.T, db, name string) int64 {
	t.Helper()
	conn, err := sql.Open("sqlite3", ledger.DSN(db))
	require.NoError(t, err)
	defer conn.Close()
	var page int64
	require.NoError(t, conn.QueryRow(`SELECT rootpage FROM sqlite_master WHERE name = ?`, name).Scan(&page))
	return page
}

func TestDamagedLedgerIsRefusedBeforeMoneyMoves(t *testing.T) {
	t.Parallel()
	url := startSandbox(t)
	dir := t.TempDir()
	var rows []string
	for i := 0; i < 4; i++ {
		rows = append(rows, providerRow("campay", i))
	}
	sheet := writeRows(t, dir, "damaged.csv", rows)
	r := bulkpay(t, dir, "plan", sheet, "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	page := rootPage(t, filepath.Join(dir, "bulkpay.db"), "items_fingerprint")

	for _, args := range [][]string{
		{"resume", "damaged", "--sandbox", url},
		{"run", sheet, "--sandbox", url},
		{"reconcile", "damaged", "--sandbox", url},
	} {
		t.Run(args[0], func(t *testing.T) {
			copyDir := t.TempDir()
			db := filepath.Join(copyDir, "bulkpay.db")
			testsupport.CopyFile(t, filepath.Join(dir, "bulkpay.db"), db)
			testsupport.DamagePage(t, db, page)
			r := bulkpay(t, copyDir, append(args, "--db", db)...)
			assert.Equal(t, 1, r.code, r.stdout+r.stderr)
			assert.Contains(t, r.stderr, "ledger file is damaged: "+db)
			assert.Contains(t, r.stderr, "nothing was sent")
			assert.Empty(t, payouts(t, url), "no money moves from a damaged ledger")
		})
	}
}

func TestZombieLockHolderDoesNotBlockARerun(t *testing.T) {
	t.Parallel()
	url := startSandbox(t)
	dir := t.TempDir()
	sheet := writeRows(t, dir, "zombie.csv", []string{providerRow("campay", 1), providerRow("campay", 2)})
	cmd := exec.Command(binary, "run", sheet, "--sandbox", url)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BULKPAY_CRASH_AT=after-claim")
	require.NoError(t, cmd.Start())
	testsupport.WaitExited(t, cmd.Process.Pid) // killed holding the lock, and not reaped: a zombie
	defer cmd.Wait()

	r := bulkpay(t, dir, "run", sheet, "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "is being run by")
	paidExactlyOnce(t, url, reportLines(t, dir, "zombie"))
}

func TestRunsRacingOnANewLedgerGetAClearMessage(t *testing.T) {
	t.Parallel()
	skipShort(t, 7, "a second run is kept by TestSecondConcurrentRunIsRefused, the race by batch's TestARunThatLosesTheRaceForABatchWritesNothing")
	url := startSandbox(t, "--latency", "20ms")
	dir := t.TempDir()
	sheet := bigSheet(t, dir, 20)
	const n = 6
	results := make([]result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// not bulkpay(t, ...): a require in this goroutine would leave its
			// result empty, counted below as a run that paid
			results[i], errs[i] = runBulkpay(dir, nil, "run", sheet, "--sandbox", url)
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...), "every run ran")
	paid := 0
	for _, r := range results {
		switch r.code {
		case 0:
			paid++
		case cli.ExitHeld:
			assert.Contains(t, r.stderr, "batch big is being run by pid", "the loser is told who runs it")
		default:
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
		for _, raw := range []string{"constraint failed", "already exists", "SQL", "sqlite", "database is locked"} {
			assert.NotContains(t, r.stderr, raw, "no raw SQL error for people")
		}
	}
	t.Logf("%d of %d runs paid, the others were told who runs the batch", paid, n)
	assert.GreaterOrEqual(t, paid, 1)
	paidExactlyOnce(t, url, reportLines(t, dir, "big"))
	// a run told who runs the batch wrote nothing: the batch's own events are
	// its planning and the runs that held it
	conn, err := sql.Open("sqlite3", ledger.DSN(filepath.Join(dir, "bulkpay.db")))
	require.NoError(t, err)
	defer conn.Close()
	rows, err := conn.Query(`SELECT cause, COUNT(*) FROM events WHERE item_id IS NULL GROUP BY cause`)
	require.NoError(t, err)
	causes := map[string]int{}
	for rows.Next() {
		var cause string
		var n int
		require.NoError(t, rows.Scan(&cause, &n))
		causes[cause] = n
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, map[string]int{batch.CauseBatchPlanned: 1, batch.CauseRunStarted: paid, batch.CauseRunEnded: paid}, causes)
	if t.Failed() {
		for i, r := range results {
			t.Logf("run %d: exit %d\n%s", i+1, r.code, r.stderr)
		}
	}
}

// holdLock makes the test process the batch's lock holder: alive for as long as
// the test runs.
func holdLock(t *testing.T, db, ref string, hold bool) {
	t.Helper()
	conn, err := sql.Open("sqlite3", ledger.DSN(db))
	require.NoError(t, err)
	defer conn.Close()
	if !hold {
		_, err = conn.Exec(`UPDATE batches SET lock_pid = NULL, lock_host = NULL, lock_at = NULL, lock_start = '' WHERE reference = ?`, ref)
		require.NoError(t, err)
		return
	}
	host, _ := os.Hostname()
	_, err = conn.Exec(`UPDATE batches SET lock_pid = ?, lock_host = ?, lock_at = '2026-11-25T08:00:00Z', lock_start = ? WHERE reference = ?`,
		os.Getpid(), host, ledger.ProcessStart(os.Getpid()), ref)
	require.NoError(t, err)
}

func TestWaitTakesAnOptionalBound(t *testing.T) {
	t.Parallel()
	skipShort(t, 8, "resume --wait is kept by TestWaitForARunningBatch, the bound by batch's TestOpenSessionWaitsForTheLockAsTold")
	url := startSandbox(t)
	dir := t.TempDir()
	sheet := writeRows(t, dir, "waited.csv", []string{providerRow("campay", 1), providerRow("campay", 2)})
	r := bulkpay(t, dir, "plan", sheet, "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	db := filepath.Join(dir, "bulkpay.db")
	holdLock(t, db, "waited", true)
	holding := fmt.Sprintf("batch waited is being run by pid %d", os.Getpid())

	for _, args := range [][]string{
		{"resume", "waited", "--sandbox", url, "--wait", "50ms"},
		{"resume", "--wait", "50ms", "waited", "--sandbox", url},
		{"resume", "waited", "--sandbox", url, "--wait=50ms"},
		{"run", sheet, "--wait", "50ms", "--sandbox", url},
	} {
		r := bulkpay(t, dir, args...)
		assert.Equal(t, cli.ExitHeld, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stderr, holding, args)
		assert.Contains(t, r.stderr, "still running after waiting 50ms", args)
	}
	r = bulkpay(t, dir, "resume", "waited", "--sandbox", url, "--wait", "soon")
	assert.Equal(t, 2, r.code, "a command typed wrongly: %s", r.stderr)
	assert.Contains(t, r.stderr, `too many arguments: bulkpay resume takes BATCH (got "waited soon")`, "a word that is no duration is not taken as the bound")
	assert.Empty(t, payouts(t, url), "nothing sent while another process holds the batch")

	// plain --wait waits for as long as it takes: until the holder lets go
	cmd := exec.Command(binary, "resume", "waited", "--sandbox", url, "--wait")
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	br := bufio.NewReader(stderr)
	for {
		line, err := br.ReadString('\n')
		require.NoError(t, err, "the waiting process says it waits")
		if strings.Contains(line, holding) {
			assert.Contains(t, line, "waiting for it to finish")
			assert.NotContains(t, line, "at most")
			break
		}
	}
	holdLock(t, db, "waited", false)
	rest, _ := io.ReadAll(br)
	require.NoError(t, cmd.Wait(), string(rest))
	paidExactlyOnce(t, url, reportLines(t, dir, "waited"))
}

func TestReconciliationFindingsOutliveReportsAndShowInStatus(t *testing.T) {
	t.Parallel()
	skipShort(t, 14, "reconcile is kept by TestReconcileFindsEachKindOfMismatch, findings by batch's TestSessionReconcile")
	url := startSandbox(t)
	dir := t.TempDir()
	sheet := writeRows(t, dir, "found.csv", []string{providerRow("campay", 1), providerRow("campay", 2)})
	r := bulkpay(t, dir, "run", sheet, "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	ref := reportLines(t, dir, "found")[0]["provider_reference"]
	tamper(t, url, `{"provider":"campay","provider_reference":"`+ref+`","status":"FAILED"}`)
	tamper(t, url, `{"provider":"campay","phone":"237677000999","amount":50000,"status":"SUCCESSFUL"}`)
	kinds := func() map[string]int { return mismatchKinds(t, dir, "found") }
	statusJSONOf := func() statusJSON {
		r := bulkpay(t, dir, "status", "found", "--json")
		require.Equal(t, 0, r.code, r.stderr)
		var st statusJSON
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &st), r.stdout)
		return st
	}
	assert.Nil(t, statusJSONOf().Reconciliation, "not reconciled yet")

	r = bulkpay(t, dir, "reconcile", "found", "--sandbox", url)
	require.Equal(t, 4, r.code, r.stdout+r.stderr)
	both := map[string]int{"status": 1, "unknown_payout": 1}
	assert.Equal(t, both, kinds())

	r = bulkpay(t, dir, "report", "found")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, both, kinds(), "a report written later keeps the findings")

	r = bulkpay(t, dir, "status", "found")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "2 mismatch(es), 0 item(s) could not be checked")
	assert.Contains(t, r.stdout, "MISMATCH row 2, campay "+ref+": status")
	assert.Contains(t, r.stdout, "MISMATCH no row, campay")
	st := statusJSONOf()
	require.NotNil(t, st.Reconciliation)
	assert.Len(t, st.Reconciliation.Mismatches, 2)
	assert.False(t, st.Reconciliation.At.IsZero())

	// the provider corrects its record: the next reconciliation replaces the findings
	tamper(t, url, `{"provider":"campay","provider_reference":"`+ref+`","status":"SUCCESSFUL"}`)
	r = bulkpay(t, dir, "reconcile", "found", "--sandbox", url)
	require.Equal(t, 4, r.code, r.stdout+r.stderr)
	r = bulkpay(t, dir, "report", "found")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, map[string]int{"unknown_payout": 1}, kinds(), "the latest reconciliation wins")
	later := statusJSONOf()
	require.NotNil(t, later.Reconciliation)
	assert.Len(t, later.Reconciliation.Mismatches, 1)
	assert.False(t, later.Reconciliation.At.Before(st.Reconciliation.At))

	// CamPay cannot be read: what could not be checked is kept apart from the mismatches
	resp, err := httpPostJSON(url+"/_sandbox/faults", "campay.status:error=500")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	r = bulkpay(t, dir, "reconcile", "found", "--sandbox", url)
	assert.NotContains(t, []int{0, 1}, r.code, r.stdout+r.stderr)
	r = bulkpay(t, dir, "report", "found")
	require.Equal(t, 0, r.code, r.stderr)
	data, err := os.ReadFile(filepath.Join(dir, "bulkpay-reports", "found", "summary.json"))
	require.NoError(t, err)
	var sum struct {
		CouldNotCheck []map[string]any `json:"could_not_check"`
	}
	require.NoError(t, json.Unmarshal(data, &sum))
	assert.Len(t, sum.CouldNotCheck, 2, "both items, in a report written later")
	r = bulkpay(t, dir, "status", "found")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "2 item(s) could not be checked")
	assert.Contains(t, r.stdout, "COULD NOT CHECK row 2, campay "+ref)
	unread := statusJSONOf()
	require.NotNil(t, unread.Reconciliation)
	assert.Len(t, unread.Reconciliation.Unchecked, 2)
}
