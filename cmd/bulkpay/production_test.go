package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/internal/testsupport"
)

// The binary built without -tags crashpoints, as a release is, has no crash
// points: the variables that kill the test build at every point are ignored
// and the batch is paid.
func TestProductionBinaryCannotBeKilledFromTheEnvironment(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a second binary")
	}
	t.Parallel()
	dir := t.TempDir()
	prod := filepath.Join(dir, "bulkpay-release")
	out, err := testsupport.BuildCommand(".", prod)
	require.NoError(t, err, string(out))
	sheetPath := writeRows(t, dir, "prod.csv", []string{providerRow("campay", 1), providerRow("mycoolpay", 2)})
	for _, env := range [][]string{
		{"BULKPAY_CRASH_AT=after-claim", "BULKPAY_CRASH_MODE=panic"}, // the runner's points
		{"BULKPAY_CRASH_AT=after-send"},                              // the HTTP clients' point
	} {
		cmd := exec.Command(prod, "run", sheetPath, "--reference", "prod-"+env[0][len("BULKPAY_CRASH_AT="):], "--allow-repeat")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		assert.NoError(t, err, "%v: %s", env, out)
		assert.Contains(t, string(out), "Paid: 2 015 of 2 015 XAF", env)
	}
}
