package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/internal/testsupport/pgtest"
)

// withPassword gives dsn with a password in it: the test server trusts every
// connection, so it is ignored there, and no output may show it.
func withPassword(t *testing.T, dsn, password string) string {
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	u.User = url.UserPassword(u.User.Username(), password)
	return u.String()
}

func assertNoSecret(t *testing.T, secret string, rs ...result) {
	t.Helper()
	for _, r := range rs {
		assert.NotContains(t, r.stdout+r.stderr, secret)
	}
}

// TestRunStatusReportOnPostgres: the same commands as on a file, with --db
// postgres://...: run pays the sample through a sandbox, status and report
// read it back, a rerun pays nobody again.
func TestRunStatusReportOnPostgres(t *testing.T) {
	t.Parallel()
	const secret = "Pw-e2e-Secret-77"
	dsn := withPassword(t, pgtest.PostgresDSN(t), secret)
	sb := startSandbox(t)
	dir := withSamples(t)
	run := bulkpay(t, dir, "run", "samples/payroll-2026-11.csv", "--sandbox", sb, "--db", dsn)
	require.Equal(t, 0, run.code, run.stderr)
	assert.Contains(t, run.stdout, "succeeded     25     4 679 000")

	status := bulkpay(t, dir, "status", "payroll-2026-11", "--json", "--db", dsn)
	require.Equal(t, 0, status.code, status.stderr)
	var st statusJSON
	require.NoError(t, json.Unmarshal([]byte(status.stdout), &st))
	assert.Equal(t, 25, st.Counts["succeeded"])
	assert.Equal(t, int64(4679000), st.SucceededAmount)

	out := filepath.Join(dir, "again")
	report := bulkpay(t, dir, "report", "payroll-2026-11", "--out", out, "--db", dsn)
	require.Equal(t, 0, report.code, report.stderr)
	assert.FileExists(t, filepath.Join(out, "payroll-2026-11", "reconciliation.csv"))
	paidExactlyOnce(t, sb, reportLines(t, dir, "payroll-2026-11"))

	rerun := bulkpay(t, dir, "run", "samples/payroll-2026-11.csv", "--sandbox", sb, "--db", dsn)
	require.Equal(t, 0, rerun.code, rerun.stderr)
	assert.Contains(t, rerun.stderr, "already complete")
	assert.Len(t, payouts(t, sb), 25, "nobody paid twice")
	assertNoSecret(t, secret, run, status, report, rerun)
}

// TestLedgerMigrateMovesAPaidBatchToPostgres: a batch paid on a SQLite
// ledger is moved to PostgreSQL, checked, and read from there; a second
// migration into the now full target is refused.
func TestLedgerMigrateMovesAPaidBatchToPostgres(t *testing.T) {
	t.Parallel()
	const secret = "Pw-migrate-Secret-88"
	dsn := withPassword(t, pgtest.PostgresDSN(t), secret)
	sb := startSandbox(t)
	dir := withSamples(t)
	run := bulkpay(t, dir, "run", "samples/payroll-2026-11.csv", "--sandbox", sb)
	require.Equal(t, 0, run.code, run.stderr)

	mig := bulkpay(t, dir, "ledger", "migrate", "--from", "bulkpay.db", "--to", dsn)
	require.Equal(t, 0, mig.code, mig.stderr)
	assert.Contains(t, mig.stdout, "25 item(s) checked, no difference")
	lines := map[string][]string{}
	for _, l := range strings.Split(mig.stdout, "\n") {
		if f := strings.Fields(l); len(f) == 3 {
			lines[f[0]] = f[1:]
		}
	}
	assert.Equal(t, []string{"25", "25"}, lines["items"])
	assert.Equal(t, []string{"1", "1"}, lines["batches"])
	assert.Equal(t, lines["events"][0], lines["events"][1])

	status := bulkpay(t, dir, "status", "payroll-2026-11", "--json", "--db", dsn)
	require.Equal(t, 0, status.code, status.stderr)
	var st statusJSON
	require.NoError(t, json.Unmarshal([]byte(status.stdout), &st))
	assert.Equal(t, 25, st.Counts["succeeded"])

	again := bulkpay(t, dir, "ledger", "migrate", "--from", "bulkpay.db", "--to", dsn)
	assert.Equal(t, 1, again.code)
	assert.Contains(t, again.stderr, "not empty")
	assert.Contains(t, again.stderr, "search_path")

	wrong := bulkpay(t, dir, "ledger", "migrate", "--from", "nothing-here.db", "--to", dsn)
	assert.Equal(t, 2, wrong.code, wrong.stderr)
	assert.Contains(t, wrong.stderr, "nothing-here.db")
	assertNoSecret(t, secret, mig, status, again, wrong)
}

// TestServeOnPostgres: users are added to a PostgreSQL ledger and bulkpay
// serve works from it; the line saying where it serves names the ledger
// without the password; SIGTERM stops it cleanly.
func TestServeOnPostgres(t *testing.T) {
	t.Parallel()
	const secret = "Pw-serve-Secret-99"
	dsn := withPassword(t, pgtest.PostgresDSN(t), secret)
	dir := t.TempDir()
	r := bulkpayStdin(t, dir, "a good long password\n", "users", "add", "awa", "--role", "initiator", "--db", dsn)
	require.Equal(t, 0, r.code, r.stderr)
	r = bulkpayStdin(t, dir, "", "users", "list", "--db", dsn)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `awa\s+initiator`, r.stdout)

	p, url, line := serving(t, dir, "--db", dsn)
	assert.Contains(t, line, "xxxxx")
	assert.NotContains(t, line, secret)
	resp, err := http.Get(url + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, p.Process.Signal(syscall.SIGTERM))
	assert.NoError(t, p.wait(), "SIGTERM stops it cleanly")
}
