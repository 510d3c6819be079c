package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	assert.Equal(t, exitUnfinished, r.code, r.stdout+r.stderr)
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
		Mismatches []map[string]any `json:"mismatches"`
	}
	require.NoError(t, json.Unmarshal(data, &sum))
	assert.Empty(t, sum.Mismatches)

	setFaults(t, url, "")
	r = bulkpay(t, dir, "reconcile", "payroll-multi-2026-11", "--sandbox", url)
	assert.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "the providers' records agree with the ledger")
}
