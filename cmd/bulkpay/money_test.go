package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bulkpay/internal/cli"
	"bulkpay/providers/registry"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const feesYAML = `profit_configurations:
  - name: mobile_money_disbursement_fee
    use_percentage: true
    percentage: "1.5"
  - name: cash_out_fee
    fee: 250
`

func writeConfig(t *testing.T, dir, body string) string {
	path := filepath.Join(dir, "bulkpay.yaml")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

// unpaced writes a config that paces no provider and polls every 20ms, then
// body: the sandboxes the tests start settle in 20ms, so a run then waits on
// bulkpay, not on a pace meant for real providers.
func unpaced(t *testing.T, dir, body string) string {
	var b strings.Builder
	b.WriteString("poll_interval: 20ms\nproviders:\n")
	for _, name := range registry.Names() {
		fmt.Fprintf(&b, "  %s: {rate: unlimited}\n", name)
	}
	return writeConfig(t, dir, b.String()+body)
}

func TestFeesChargedAndBorne(t *testing.T) {
	t.Parallel()
	skipShort(t, 5, "fees is kept by TestFeesWithNothingConfiguredSaysSo, fees charged and borne by batch's TestChargePerMode and TestBearers")
	url := startSandbox(t)
	dir := t.TempDir()
	sheetPath := writeRows(t, dir, "fees.csv", []string{"A;677123456;1100;;", "B;699009900;1033;;", "C;655123456;10000;cashout;"})

	cfg := writeConfig(t, dir, feesYAML)
	r := bulkpay(t, dir, "plan", sheetPath, "--config", cfg, "--sandbox", url, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var p planJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &p))
	assert.Equal(t, int64(17+15+250), p.FeesTotal, "1.5% of 1100 = 16.5 → 17; of 1033 = 15.495 → 15; cashout fixed 250")
	assert.Equal(t, int64(12133+282), p.Cost, "the sender pays amount + charge")
	assert.NotEmpty(t, p.PlanHash)

	r = bulkpay(t, dir, "run", sheetPath, "--config", cfg, "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	lines := reportLines(t, dir, "fees")
	assert.Equal(t, []string{"17", "15", "250"}, []string{lines[0]["charge"], lines[1]["charge"], lines[2]["charge"]})
	for _, pay := range payouts(t, url) {
		assert.Contains(t, []int64{1100, 1033, 10000}, pay.Amount, "the beneficiary receives the amount")
	}

	// the beneficiary bears the charge: they receive amount − charge
	dir2 := t.TempDir()
	sheet2 := writeRows(t, dir2, "bene.csv", []string{"D;677000111;1100;;", "E;677000222;10;cashout;"})
	cfg2 := writeConfig(t, dir2, feesYAML+"fee_bearer: beneficiary\n")
	r = bulkpay(t, dir2, "run", sheet2, "--config", cfg2, "--sandbox", url)
	assert.Equal(t, 2, r.code, "a charge of 250 on 10 leaves the beneficiary nothing")
	assert.Contains(t, r.stderr, "row 3, column amount, value \"10\": the charge of 250 is not below the amount")
	sheet3 := writeRows(t, dir2, "bene.csv", []string{"D;677000111;1100;;"})
	r = bulkpay(t, dir2, "run", sheet3, "--config", cfg2, "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "1083", reportLines(t, dir2, "bene")[0]["sent"], "1100 − 17")
}

func TestControlTotalsAndLimits(t *testing.T) {
	t.Parallel()
	dir := withSamples(t)
	r := bulkpay(t, dir, "validate", "samples/payroll-2026-11.xlsx", "--expect-total", "4679000")
	assert.Equal(t, 0, r.code, r.stdout)
	r = bulkpay(t, dir, "validate", "samples/payroll-2026-11.xlsx", "--expect-total", "4700000")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stdout, "add up to 4 679 000 but --expect-total says 4 700 000 (difference -21 000)")
	r = bulkpay(t, dir, "run", "samples/payroll-2026-11.xlsx", "--expect-total", "4700000")
	assert.Equal(t, 2, r.code, "nothing is sent when the total differs")

	cfg := writeConfig(t, dir, "limits:\n  max_per_row: 400000\n  max_per_batch: 4000000\n")
	r = bulkpay(t, dir, "validate", "samples/payroll-2026-11.xlsx", "--config", cfg, "--json")
	assert.Equal(t, 2, r.code)
	var v validateJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v))
	require.Len(t, v.Errors, 2)
	assert.Equal(t, 0, v.Errors[0].Row, "batch-level errors come first, as row 0")
	assert.Contains(t, v.Errors[0].Message, "above the limit of 4 000 000 per batch (limits.max_per_batch)")
	assert.Equal(t, 4, v.Errors[1].Row)
	assert.Contains(t, v.Errors[1].Message, "above the limit of 400 000 per row (limits.max_per_row)")
}

func TestBalanceShortEnoughAndPartial(t *testing.T) {
	t.Parallel()
	skipShort(t, 4, "balance is kept by TestBalanceShowsEveryProvidersCurrency, the short balance by batch's TestPayRefusesAShortBalanceOrHoldsWhatItCannotCover")
	url := startSandbox(t, "--balance", "campay/MTN=3000")
	dir := t.TempDir()
	sheetPath := writeRows(t, dir, "bal.csv", []string{"A;677000001;1000;;", "B;677000002;1000;;", "C;677000003;1500;;", "D;699000004;5000;;"})

	r := bulkpay(t, dir, "run", sheetPath, "--sandbox", url)
	assert.Equal(t, cli.ExitRefused, r.code, "refused by policy: the balance is short")
	assert.Contains(t, r.stderr, "Provider balances cannot cover batch bal")
	assert.Regexp(t, `campay\s+MTN\s+3\s+3 500\s+3 000\s+500`, r.stderr)
	assert.Empty(t, payouts(t, url), "nothing sent")

	r = bulkpay(t, dir, "run", sheetPath, "--sandbox", url, "--allow-partial")
	assert.Equal(t, 4, r.code, r.stderr)
	lines := reportLines(t, dir, "bal")
	states := []string{lines[0]["state"], lines[1]["state"], lines[2]["state"], lines[3]["state"]}
	assert.Equal(t, []string{"succeeded", "succeeded", "planned", "succeeded"}, states, "MTN paid in row order while money lasts; Orange has its own balance")
	assert.Contains(t, lines[2]["message"], "held")

	resp, err := httpPostJSON(url+"/_sandbox/balances", `{"campay/MTN": 100000}`)
	require.NoError(t, err)
	resp.Body.Close()
	r = bulkpay(t, dir, "resume", "bal", "--sandbox", url)
	assert.Equal(t, 0, r.code, r.stderr)
	paidExactlyOnce(t, url, reportLines(t, dir, "bal"))
}

func TestProviderDryMidRunStopsOnlyItsLane(t *testing.T) {
	t.Parallel()
	skipShort(t, 2, "batch's TestProviderRunningDryStopsItsLaneOnly holds the rule")
	url := startSandbox(t, "--faults", "campay:balance-after=2")
	dir := t.TempDir()
	var rows []string
	for i := 0; i < 4; i++ {
		rows = append(rows, providerRow("campay", i), providerRow("camoo", i))
	}
	sheetPath := writeRows(t, dir, "dry.csv", rows)
	cfg := writeConfig(t, dir, "providers:\n  campay: {concurrency: 1}\n")
	r := bulkpay(t, dir, "run", sheetPath, "--sandbox", url, "--config", cfg)
	assert.Equal(t, 4, r.code, r.stderr)
	n := map[string]map[string]int{}
	for _, l := range reportLines(t, dir, "dry") {
		if n[l["provider"]] == nil {
			n[l["provider"]] = map[string]int{}
		}
		n[l["provider"]][l["state"]]++
	}
	assert.Equal(t, map[string]int{"succeeded": 2, "planned": 2}, n["campay"], "CamPay ran dry after 2: the rest wait, none failed")
	assert.Equal(t, map[string]int{"succeeded": 4}, n["camoo"], "the other lane went on")
}

func TestApprovalFourEyesAndChangedPlan(t *testing.T) {
	t.Parallel()
	url := startSandbox(t)
	dir := t.TempDir()
	sheetPath := writeRows(t, dir, "appr.csv", []string{"A;677000001;1000;;", "B;699000002;2000;;"})
	cfg := writeConfig(t, dir, feesYAML+"require_approval: true\nfour_eyes: true\n")

	r := bulkpay(t, dir, "run", sheetPath, "--config", cfg, "--sandbox", url, "--by", "alice")
	assert.Equal(t, cli.ExitRefused, r.code)
	assert.Contains(t, r.stderr, "batch appr is not approved")
	assert.Empty(t, payouts(t, url))

	r = bulkpay(t, dir, "approve", "appr", "--by", "alice", "--config", cfg)
	assert.Equal(t, cli.ExitRefused, r.code)
	assert.Contains(t, r.stderr, "four_eyes needs an approver who did not plan it")

	r = bulkpay(t, dir, "approve", "appr", "--by", "bob", "--note", "matches the signed summary", "--config", cfg)
	require.Equal(t, 0, r.code, r.stderr)

	cfg2 := writeConfig(t, dir, "profit_configurations:\n  - {name: mobile_money_disbursement_fee, fee: 100}\nrequire_approval: true\n")
	r = bulkpay(t, dir, "run", sheetPath, "--config", cfg2, "--sandbox", url)
	assert.Equal(t, cli.ExitRefused, r.code)
	assert.Contains(t, r.stderr, "changed since bob approved it")

	cfg = writeConfig(t, dir, feesYAML+"require_approval: true\nfour_eyes: true\n")
	changed := writeRows(t, dir, "appr.csv", []string{"A;677000001;1000;;", "B;699000002;2500;;"})
	r = bulkpay(t, dir, "run", changed, "--config", cfg, "--sandbox", url)
	assert.Equal(t, 1, r.code, "the approved sheet changed")
	assert.Contains(t, r.stderr, "row 3: amount 2000 → 2500")
	assert.Empty(t, payouts(t, url))

	writeRows(t, dir, "appr.csv", []string{"A;677000001;1000;;", "B;699000002;2000;;"})
	r = bulkpay(t, dir, "run", sheetPath, "--config", cfg, "--sandbox", url)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, payouts(t, url), 2)
	v := bulkpay(t, dir, "verify", "appr")
	assert.Equal(t, 0, v.code)
}
