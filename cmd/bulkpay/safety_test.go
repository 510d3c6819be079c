package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/door"
)

// panicking runs bulkpay in this process with an extra command that panics,
// as a bug would, after opening a payment session for a batch when b is set.
func panicking(t *testing.T, b *batch.Batch, args ...string) (int, string) {
	t.Helper()
	a := newApp()
	var out, errb bytes.Buffer
	a.stdout, a.stderr = &out, &errb
	root := newRoot(a)
	root.AddCommand(&cobra.Command{Use: "boom", RunE: func(*cobra.Command, []string) error {
		bug := func() error {
			var m map[string]int
			//lint:ignore SA5000 the bug this test makes on purpose
			m["x"]++ // a nil map: the kind of bug that panics
			return nil
		}
		if b != nil {
			return door.Guard(*b, bug) // while paying b
		}
		return bug()
	}})
	return a.execute(root, append([]string{"boom"}, args...)), errb.String()
}

func TestPanicExitsOneAndNamesTheResumeCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := &batch.Batch{Reference: "paie nov", Endpoint: batch.SandboxEndpoint("http://127.0.0.1:8089")}
	code, stderr := panicking(t, b, "--db", filepath.Join(dir, "l.db"))
	assert.Equal(t, cli.ExitError, code, "a crash never says 2, invalid input and nothing sent")
	assert.Contains(t, stderr, "internal error (a bug in bulkpay): assignment to entry in nil map")
	assert.Contains(t, stderr, "run `bulkpay resume 'paie nov' --sandbox http://127.0.0.1:8089 --db "+filepath.Join(dir, "l.db")+"`")
	assert.Contains(t, stderr, "nothing will be paid twice")

	code, stderr = panicking(t, nil)
	assert.Equal(t, cli.ExitError, code)
	assert.Contains(t, stderr, "No payment had started: nothing was sent.")
}

func TestSandboxOnAllInterfacesIsRefusedWithoutAllowRemote(t *testing.T) {
	t.Parallel()
	r := bulkpay(t, t.TempDir(), "sandbox", "--addr", "0.0.0.0:0")
	assert.Equal(t, cli.ExitInvalid, r.code)
	assert.Contains(t, r.stderr, "refusing to serve the sandbox on 0.0.0.0:")
	assert.Contains(t, r.stderr, "/_sandbox/payouts")
	assert.Empty(t, r.stdout, "it never said it was listening")
}

// hintRE finds a `bulkpay resume ...` hint.
var hintRE = regexp.MustCompile("`bulkpay (resume [^`]+)`")

func TestPanicMidPaymentExitsOneAndTheHintResumesWhereItWasPaid(t *testing.T) {
	t.Parallel()
	skipShort(t, 8, "the exit code is kept by TestPanicExitsOneAndNamesTheResumeCommand, the resume by batch's TestPanicInALaneEndsTheRunWithAnErrorAndResumePaysEachOnce")
	url := startSandbox(t)
	dir := t.TempDir()
	sheetPath := bigSheet(t, dir, 40)
	db := filepath.Join(dir, "ledgers", "paie.db")
	require.NoError(t, os.Mkdir(filepath.Dir(db), 0o700))

	// a bug panics in a lane after the 5th answer was read and before it was recorded
	cmd := []string{"run", sheetPath, "--sandbox", url, "--db", db}
	r := bulkpayEnv(t, dir, []string{"BULKPAY_CRASH_AT=after-answer", "BULKPAY_CRASH_AFTER=5", "BULKPAY_CRASH_MODE=panic"}, cmd...)
	require.Equal(t, cli.ExitError, r.code, "a crash mid-payment is 1, never 2: %s", r.stderr)
	assert.Contains(t, r.stderr, "internal error (a bug in bulkpay): test crash point after-answer")
	m := hintRE.FindStringSubmatch(r.stderr)
	require.NotNil(t, m, r.stderr)
	assert.Equal(t, "resume big --sandbox "+url+" --db "+db, m[1], "the hint names every flag it needs")
	require.NotEmpty(t, payouts(t, url), "payouts had left")

	// resumed without --sandbox, it is refused instead of paid through a fresh built-in sandbox
	r = bulkpay(t, dir, "resume", "big", "--db", db)
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, "batch big was paid through the sandbox at "+url+", and this command would use the built-in sandbox")
	assert.Contains(t, r.stderr, "`bulkpay resume big --sandbox "+url+" --db "+db+"`")
	_, err := os.Stat(db + ".sandbox.jsonl")
	assert.True(t, os.IsNotExist(err), "no built-in sandbox was started")
	r = bulkpay(t, dir, "reconcile", "big", "--db", db)
	assert.Equal(t, cli.ExitError, r.code, "nor reconciled there")
	assert.Contains(t, r.stderr, "`bulkpay reconcile big --sandbox "+url+" --db "+db+"`")

	// the hint, as printed, finishes the batch: nobody paid twice
	r = bulkpay(t, dir, strings.Fields(m[1])...)
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	paidExactlyOnce(t, url, reportLines(t, dir, "big"))

	// another sandbox only when told, and it is recorded
	other := startSandbox(t)
	r = bulkpay(t, dir, "resume", "big", "--db", db, "--sandbox", other)
	assert.Equal(t, cli.ExitError, r.code)
	r = bulkpay(t, dir, "resume", "big", "--db", db, "--sandbox", other, "--change-endpoint")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "--change-endpoint: batch big moves from the sandbox at "+url+" to the sandbox at "+other)
	assert.Empty(t, payouts(t, other), "a finished batch sends nothing")
}

// bulkpayEnv runs the binary in dir with extra environment variables, within
// a time limit.
func bulkpayEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	r, err := runBulkpay(dir, env, args...)
	require.NoError(t, err)
	return r
}

// runBulkpay is bulkpayEnv for another goroutine than the test's, which must
// not stop the test: an error is a process that could not be run or waited
// for (an exit status is no error).
func runBulkpay(dir string, env []string, args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return result{code: ee.ExitCode(), stdout: out.String(), stderr: errb.String()}, nil
	case err != nil:
		return result{code: -1, stdout: out.String(), stderr: errb.String()}, err
	}
	return result{stdout: out.String(), stderr: errb.String()}, nil
}

func TestFourEyesCannotBeBypassedInTheREADMEOrder(t *testing.T) {
	t.Parallel()
	skipShort(t, 10, "four eyes from the command line is kept by TestApprovalFourEyesAndChangedPlan, the rule by batch's TestCheckApprove and TestCheckRun")
	url := startSandbox(t)
	dir := t.TempDir()
	sheetPath := writeRows(t, dir, "paie-2026-12.csv", []string{"A;677000001;1000;;", "B;699000002;2000;;"})
	cfg := writeConfig(t, dir, "require_approval: true\nfour_eyes: true\n")

	// run first: refused as not approved, but the batch is planned under the login name
	r := bulkpay(t, dir, "run", sheetPath, "--config", cfg, "--sandbox", url)
	require.Equal(t, cli.ExitRefused, r.code, r.stderr)
	assert.Contains(t, r.stderr, "batch paie-2026-12 is not approved")
	r = bulkpay(t, dir, "plan", sheetPath, "--config", cfg, "--sandbox", url, "--by", "awa")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)

	r = bulkpay(t, dir, "approve", "paie-2026-12", "--by", "awa", "--config", cfg)
	assert.Equal(t, cli.ExitRefused, r.code, "awa planned it too")
	assert.Contains(t, r.stderr, "four_eyes needs an approver who did not plan it")
	r = bulkpay(t, dir, "approve", "paie-2026-12", "--by", cli.Login())
	assert.Equal(t, cli.ExitRefused, r.code, "the first planner, and without --config: the stored rules hold")
	assert.Contains(t, r.stderr, "four_eyes")
	r = bulkpay(t, dir, "approve", "paie-2026-12", "--by", "jean", "--note", "matches the signed summary")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)

	// paid without --config: the stored rules still apply, and jean's approval meets them
	r = bulkpay(t, dir, "run", sheetPath, "--sandbox", url)
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	assert.Len(t, payouts(t, url), 2)

	r = bulkpay(t, dir, "approve", "paie-2026-12", "--by", "marie")
	assert.Equal(t, cli.ExitError, r.code)
	assert.Contains(t, r.stderr, "already started paying")

	// a batch planned under four eyes and run without --config is refused while unapproved
	sheet2 := writeRows(t, dir, "paie-2027-01.csv", []string{"C;677000003;1000;;"})
	r = bulkpay(t, dir, "plan", sheet2, "--config", cfg, "--sandbox", url, "--by", "awa")
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	r = bulkpay(t, dir, "run", sheet2, "--sandbox", url)
	assert.Equal(t, cli.ExitRefused, r.code)
	assert.Contains(t, r.stderr, "batch paie-2027-01 is not approved")
	assert.Len(t, payouts(t, url), 2, "nothing more was sent")
}

func TestReportFolderNotWritableIsAWarningAfterAFullPayment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sheetPath := writeRows(t, dir, "paie.csv", []string{"A;677000001;1000;;", "B;699000002;2000;;"})
	// a folder below a regular file cannot be made, whoever runs the test
	require.NoError(t, os.WriteFile(filepath.Join(dir, "blocked"), nil, 0o600))
	cfg := writeConfig(t, dir, "reports_dir: blocked/reports\n")
	r := bulkpay(t, dir, "run", sheetPath, "--config", cfg)
	require.Equal(t, cli.ExitOK, r.code, "everyone was paid: %s", r.stderr)
	assert.Len(t, journalPayouts(t, dir), 2)
	assert.Contains(t, r.stderr, "WARNING: the reports of batch paie could not be written to blocked/reports")
	cmdRE := regexp.MustCompile("`bulkpay (report [^`]+)`")
	m := cmdRE.FindStringSubmatch(r.stderr)
	require.NotNil(t, m, r.stderr)
	assert.Equal(t, "report paie --out DIR --config "+cfg, m[1])

	r = bulkpay(t, dir, strings.Fields(strings.Replace(m[1], "DIR", filepath.Join(dir, "out"), 1))...)
	require.Equal(t, cli.ExitOK, r.code, r.stderr)
	_, err := os.Stat(filepath.Join(dir, "out", "paie", "reconciliation.csv"))
	assert.NoError(t, err)
}
