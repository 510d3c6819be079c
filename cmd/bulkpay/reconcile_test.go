package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tamper changes a record of the sandbox at url, as a provider's own records
// may disagree with the ledger (README: The sandbox, /_sandbox/tamper).
func tamper(t *testing.T, url, body string) {
	t.Helper()
	resp, err := httpPostJSON(url+"/_sandbox/tamper", body)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, body)
}

// mismatchKinds counts by kind the mismatches in the summary.json of the
// batch ref's reports under dir.
func mismatchKinds(t *testing.T, dir, ref string) map[string]int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "bulkpay-reports", ref, "summary.json"))
	require.NoError(t, err)
	var sum struct {
		Mismatches []map[string]any `json:"mismatches"`
	}
	require.NoError(t, json.Unmarshal(data, &sum))
	kinds := map[string]int{}
	for _, m := range sum.Mismatches {
		kinds[m["kind"].(string)]++
	}
	return kinds
}

func TestReconcileFindsEachKindOfMismatch(t *testing.T) {
	t.Parallel()
	url := startSandbox(t)
	dir := t.TempDir()
	cfg := unpaced(t, dir, "")
	r := bulkpay(t, dir, "run", samplePath(t, "payroll-multi-2026-11.xlsx"), "--sandbox", url, "--config", cfg)
	require.Equal(t, 0, r.code, r.stderr)

	r = bulkpay(t, dir, "reconcile", "payroll-multi-2026-11", "--sandbox", url, "--config", cfg)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "the providers' records agree with the ledger")

	byProvider := map[string]map[string]string{}
	for _, l := range reportLines(t, dir, "payroll-multi-2026-11") {
		if byProvider[l["provider"]] == nil {
			byProvider[l["provider"]] = l
		}
	}
	tamper(t, url, `{"provider":"campay","provider_reference":"`+byProvider["campay"]["provider_reference"]+`","status":"FAILED"}`)
	tamper(t, url, `{"provider":"cinetpay","provider_reference":"`+byProvider["cinetpay"]["provider_reference"]+`","amount":123}`)
	tamper(t, url, `{"provider":"mycoolpay","provider_reference":"`+byProvider["mycoolpay"]["provider_reference"]+`","fee":999}`)
	tamper(t, url, `{"provider":"campay","phone":"237677000999","amount":50000,"status":"SUCCESSFUL"}`)

	r = bulkpay(t, dir, "reconcile", "payroll-multi-2026-11", "--sandbox", url, "--config", cfg)
	assert.Equal(t, 4, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "campay "+byProvider["campay"]["provider_reference"]+": status — ledger \"succeeded\", provider \"failed\"")
	assert.Contains(t, r.stdout, ": amount — ledger \"350000\", provider \"123\"")
	assert.Contains(t, r.stdout, ": fee — ledger")
	assert.Contains(t, r.stdout, "no row, campay")
	assert.Contains(t, r.stdout, "unknown_payout")

	assert.Equal(t, map[string]int{"status": 1, "amount": 1, "fee": 1, "unknown_payout": 1}, mismatchKinds(t, dir, "payroll-multi-2026-11"))
	assert.Len(t, payouts(t, url), 14, "reconcile sent nothing new")
}

func TestListShowsBatches(t *testing.T) {
	t.Parallel()
	url := startSandbox(t)
	dir := withSamples(t)
	cfg := unpaced(t, dir, "")
	require.Equal(t, 0, bulkpay(t, dir, "run", "samples/payroll-2026-11.csv", "--sandbox", url, "--config", cfg).code)
	r := bulkpay(t, dir, "list", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var lines []listLine
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &lines))
	require.Len(t, lines, 1)
	assert.Equal(t, "payroll-2026-11", lines[0].Reference)
	assert.Equal(t, map[string]int{"succeeded": 25}, lines[0].Counts)
	assert.Equal(t, int64(4679000), lines[0].SucceededAmount)
	assert.True(t, lines[0].Sandbox)
	r = bulkpay(t, dir, "list")
	assert.Contains(t, r.stdout, "payroll-2026-11 (sandbox)")
	assert.Contains(t, r.stdout, "25 succeeded")
}

func TestVerifyReportsABrokenLedger(t *testing.T) {
	t.Parallel()
	url := startSandbox(t)
	dir := withSamples(t)
	cfg := unpaced(t, dir, "")
	require.Equal(t, 0, bulkpay(t, dir, "run", "samples/payroll-2026-11.csv", "--sandbox", url, "--config", cfg).code)
	require.Equal(t, 0, bulkpay(t, dir, "verify", "payroll-2026-11").code)

	db, err := sql.Open("sqlite3", filepath.Join(dir, "bulkpay.db"))
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE items SET state = 'planned' WHERE row = 4`) // a state no event led to
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE batches SET total_amount = total_amount + 1`)
	require.NoError(t, err)
	db.Close()

	r := bulkpay(t, dir, "verify", "payroll-2026-11")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "row 4: events end in succeeded but the item is planned")
	assert.Contains(t, r.stdout, "batch: total_amount 4679001 but the items add up to 4679000")
}
