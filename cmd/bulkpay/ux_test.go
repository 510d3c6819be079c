package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/internal/cli"
	"bulkpay/providers/sandbox"
)

// setFaults replaces the standing faults of the sandbox at url.
func setFaults(t *testing.T, url, spec string) {
	t.Helper()
	method := http.MethodPost
	if spec == "" {
		method = http.MethodDelete
	}
	req, err := http.NewRequest(method, url+"/_sandbox/faults", strings.NewReader(spec))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, spec)
}

func TestReconcileUnderFaultsFindsNoFalseMismatch(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for real backoffs between lookups")
	}
	t.Parallel()
	url := startSandbox(t, "--seed", "3")
	dir := t.TempDir()
	r := bulkpay(t, dir, "run", samplePath(t, "payroll-multi-2026-11.xlsx"), "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)

	// CinetPay and My-CoolPay look-ups fail now and then (asked again, they pass); Camoo's
	// always answer 503 (its two records cannot be read)
	setFaults(t, url, "cinetpay.check:error=429@10%,retry-after=0; mycoolpay.status:error=503@30%; camoo.verify:error=503")
	r = bulkpay(t, dir, "reconcile", "payroll-multi-2026-11", "--sandbox", url)
	assert.Equal(t, cli.ExitUnfinished, r.code, r.stdout+r.stderr)
	assert.NotContains(t, r.stdout, "MISMATCH", "a 429 or a 503 is not a mismatch")
	assert.Contains(t, r.stdout, "COULD NOT CHECK row 12, camoo ")
	assert.Contains(t, r.stdout, "COULD NOT CHECK row 13, camoo ")
	assert.Equal(t, 2, strings.Count(r.stdout, "COULD NOT CHECK"), r.stdout)
	assert.Contains(t, r.stdout, "no readable answer after 4 lookups")
	assert.Contains(t, r.stdout, "batch payroll-multi-2026-11 is not reconciled: 2 record(s) could not be checked; no mismatch was found in the others.")
	assert.Contains(t, r.stdout, "Run `bulkpay reconcile payroll-multi-2026-11 --sandbox "+url+"` again later.")
	data, err := os.ReadFile(filepath.Join(dir, "bulkpay-reports", "payroll-multi-2026-11", "summary.json"))
	require.NoError(t, err)
	var sum struct {
		Mismatches    []map[string]any `json:"mismatches"`
		CouldNotCheck []map[string]any `json:"could_not_check"`
	}
	require.NoError(t, json.Unmarshal(data, &sum))
	assert.Empty(t, sum.Mismatches)
	assert.Len(t, sum.CouldNotCheck, 2, "the report keeps them apart")
	r = bulkpay(t, dir, "status", "payroll-multi-2026-11")
	assert.Contains(t, r.stdout, "0 mismatch(es), 2 item(s) could not be checked")
	assert.Contains(t, r.stdout, "COULD NOT CHECK row 12, camoo ")

	setFaults(t, url, "")
	r = bulkpay(t, dir, "reconcile", "payroll-multi-2026-11", "--sandbox", url)
	assert.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "the providers' records agree with the ledger")
}

// lineWith returns the first line of s that contains every part.
func lineWith(s string, parts ...string) string {
	for _, l := range strings.Split(s, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			return l
		}
	}
	return ""
}

func TestRunSummaryListsWhatNeedsDoingInPlainWords(t *testing.T) {
	t.Parallel()
	url := startSandbox(t, "--fail-phone", "237670000001", "--fail-phone", "2250100000001", "--faults", "mycoolpay.payout:hang-after")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.yaml"), []byte("providers:\n  mycoolpay: {timeout: 500ms}\n"), 0o600))
	writeRows(t, dir, "mixed.csv", []string{providerRow("campay", 1), providerRow("cinetpay", 1), providerRow("mycoolpay", 1), providerRow("campay", 2)})
	r := bulkpay(t, dir, "run", "mixed.csv", "--sandbox", url, "--config", "c.yaml", "--db", "ledger.db")
	require.Equal(t, cli.ExitUnfinished, r.code, r.stdout+r.stderr)

	assert.Contains(t, r.stdout, "Failed: 2 item(s), 2 010 XAF\n")
	assert.NotEmpty(t, lineWith(r.stdout, "row 2", "Camp 1", "1 005 XAF",
		"the operator did not complete the transfer", "(CamPay: FAILED)"), r.stdout)
	assert.NotEmpty(t, lineWith(r.stdout, "row 3", "Cinet 1", "1 005 XAF",
		"the operator rejected the transfer: the number may have no mobile-money account", "(CinetPay: treatment_status REJ)"), r.stdout)
	// the config is named as the batch recorded it: absolute, so the hint runs from any folder
	cfg := filepath.Join(dir, "c.yaml")
	retry := "bulkpay retry mixed --failed --sandbox " + url + " --config " + cfg + " --db ledger.db"
	assert.Contains(t, r.stdout, "  To pay them again, each under a new reference linked to the old one: "+retry+"\n")

	assert.Contains(t, r.stdout, "Need a person: 1 item(s), 1 005 XAF")
	assert.NotEmpty(t, lineWith(r.stdout, "row 4", "Cool 1", "1 005 XAF", "needs a person", "(My-CoolPay: "), r.stdout)
	review := "bulkpay review mixed --config " + cfg + " --db ledger.db"
	assert.Contains(t, r.stdout, "  To see the evidence and record a decision: "+review+"\n")

	// the hinted commands run as they are written
	r = bulkpay(t, dir, strings.Fields(retry)[1:]...)
	assert.Equal(t, cli.ExitFailed, r.code, "the sandbox still fails those phones: %s", r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "Batch mixed-retry-1")
	r = bulkpay(t, dir, strings.Fields(review)[1:]...)
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "row 4  Cool 1")
}

func TestRetriedItemsShowFromTheOriginalBatch(t *testing.T) {
	t.Parallel()
	skipShort(t, 5, "retry is kept by TestRetryFailedMakesNewReferencesLinkedToTheOld, the retry chain by batch's TestRetriesFollowEveryRetryBatch")
	url := startSandbox(t, "--faults", "campay.withdraw:error=400")
	dir := t.TempDir()
	writeRows(t, dir, "paie.csv", []string{providerRow("campay", 1), providerRow("campay", 2), providerRow("cinetpay", 3)})
	r := bulkpay(t, dir, "run", "paie.csv", "--sandbox", url)
	require.Equal(t, cli.ExitFailed, r.code, r.stdout+r.stderr)
	assert.NotEmpty(t, lineWith(r.stdout, "row 2", "the provider refused the payout; nothing was paid (CamPay: HTTP 400)"), r.stdout)

	setFaults(t, url, "")
	r = bulkpay(t, dir, "retry", "paie", "--failed", "--sandbox", url)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)

	r = bulkpay(t, dir, "status", "paie")
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotEmpty(t, lineWith(r.stdout, "row 2", "Camp 1", "failed, retried in paie-retry-1 (succeeded)"), r.stdout)
	assert.NotEmpty(t, lineWith(r.stdout, "row 3", "Camp 2", "failed, retried in paie-retry-1 (succeeded)"), r.stdout)
	assert.NotContains(t, r.stdout, "bulkpay retry", "nothing left to retry")
	for _, l := range reportLines(t, dir, "paie") {
		if l["state"] == "failed" {
			assert.True(t, strings.HasPrefix(l["message"], "retried in paie-retry-1 (succeeded); campay withdraw: rejected"), l["message"])
		}
	}

	r = bulkpay(t, dir, "retry", "paie", "--failed", "--sandbox", url)
	assert.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "batch paie: every failed item was already retried (2 in paie-retry-1); nothing is paid twice.")
	assert.Len(t, payouts(t, url), 3, "the cinetpay row once, the two campay rows once each in the retry batch")
}

func TestInterruptGivesOneResumeHintWithTheFlagsUsed(t *testing.T) {
	t.Parallel()
	sim := newSimulator(t, sandbox.Options{})
	url := sim.URL
	dir := t.TempDir()
	sheetPath := bigSheet(t, dir, 60)
	var out, errb bytes.Buffer // read once the process has ended
	release := sim.holdFrom(5) // the run is still paying when it is interrupted
	t.Cleanup(release)
	cmd := exec.Command(binary, "run", sheetPath, "--sandbox", url, "--db", "l.db")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &errb
	require.NoError(t, cmd.Start())
	run := &proc{Cmd: cmd, done: make(chan struct{})}
	go func() { run.err = cmd.Wait(); close(run.done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-run.done })
	run.until(t, sim.holding(5), "5 payouts")
	require.NoError(t, run.Process.Signal(os.Interrupt))
	// the payouts held are answered: a payout that left is not cut off by the
	// interrupt, and unanswered it would end only at its client's timeout
	release()
	err := run.wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, cli.ExitInterrupted, ee.ExitCode())
	all := out.String() + errb.String()
	assert.Equal(t, 1, strings.Count(all, "bulkpay resume"), "one resume hint: %s", all)
	assert.Contains(t, errb.String(), "run `bulkpay resume big --sandbox "+url+" --db l.db` to finish. Nobody is paid twice.")
	assert.NotContains(t, errb.String(), "status check failed", "an interrupted lookup is not a provider's failure")
	assert.Equal(t, 2, strings.Count(all, "SANDBOX: no real money moves"), "before paying and in the summary, in the same words: %s", all)
	assert.NotContains(t, all, "money moved")
}

func TestBalanceShowsEveryProvidersCurrency(t *testing.T) {
	t.Parallel()
	url := startSandbox(t)
	dir := t.TempDir()
	r := bulkpay(t, dir, "balance", "--sandbox", url, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var lines []balanceLine
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &lines))
	require.Len(t, lines, 6) // camoo, campay MTN and Orange, cinetpay, momo, mycoolpay
	for _, l := range lines {
		assert.Equal(t, "XAF", l.Currency, l.Provider)
		assert.Equal(t, l.Provider == "cinetpay", l.CurrencyAssumed, "CinetPay's balance names no currency: %s", l.Provider)
	}
	r = bulkpay(t, dir, "balance", "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `\ncinetpay +[0-9 ]+ +XAF\* *\n`, r.stdout)
	assert.Contains(t, r.stdout, "* cinetpay does not say its balance's currency: shown is the config's currency (XAF)\n")
	assert.True(t, strings.HasPrefix(r.stdout, "SANDBOX: no real money moves (sandbox at "), r.stdout)
}

func TestREADMEExternalSandboxExampleWorksInOrder(t *testing.T) {
	t.Parallel()
	skipShort(t, 3, "the sandbox command is kept by TestStandaloneSandboxRunRerunExactlyOnce, the README's first command by TestREADMECommandPaysTheSampleAndRerunPaysNothing")
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	var line string
	for _, l := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(l, "./bulkpay run ") && strings.Contains(l, "--sandbox http://127.0.0.1:8089") {
			line = l
		}
	}
	require.NotEmpty(t, line, "the README pays through a running sandbox")

	// the README's order: the sample is paid on the built-in sandbox first
	dir := withSamples(t)
	r := bulkpay(t, dir, "run", "samples/payroll-2026-11.xlsx")
	require.Equal(t, 0, r.code, r.stderr)

	url := startSandbox(t, "--latency", "50ms")
	line, _, _ = strings.Cut(line, "#")
	args := strings.Fields(strings.ReplaceAll(line, "http://127.0.0.1:8089", url))[1:]
	r = bulkpay(t, dir, args...)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Len(t, payouts(t, url), 25, "the running sandbox paid the 25 rows, as the README says")
}
