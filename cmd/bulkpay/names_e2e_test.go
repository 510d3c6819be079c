package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/internal/cli"
	"bulkpay/internal/render"
)

// namesSheet is five MTN numbers; the names file registers two of them to
// other people (rows 5 and 6).
func namesSheet(t *testing.T, dir string) (sheetPath, namesPath string) {
	t.Helper()
	sheetPath = writeRows(t, dir, "names-2026-11.csv", []string{
		"Jean-Pierre Mbarga;677123456;1000;;",
		"S. Eto'o Ndjock;678901123;2000;;",
		"Hervé Tchinda;672457890;3000;;",
		"Marcel Nana;670987654;4000;;",
		"Patrice Kamga;674112233;5000;;",
	})
	namesPath = filepath.Join(dir, "names.csv")
	require.NoError(t, os.WriteFile(namesPath, []byte("phone,name\n237677123456,Jean-Pierre MBARGA\n237678901123,Samuel ETO'O NDJOCK\n"+
		"237672457890,Hervé TCHINDA\n237670987654,Paul ESSOMBA\n237674112233,Rodrigue NKOULOU\n"), 0o600))
	return sheetPath, namesPath
}

// namesUnder starts a sandbox that knows the registered names of namesPath
// and writes a config with name_check: policy: the sandbox's URL, the
// config and a ledger of the policy's own, all in dir.
func namesUnder(t *testing.T, dir, namesPath, policy string) (url, cfg, db string) {
	t.Helper()
	url = startSandbox(t, "--names", namesPath)
	cfg = filepath.Join(dir, policy+".yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("name_check: "+policy+"\n"), 0o600))
	return url, cfg, filepath.Join(dir, policy+".db")
}

func paidPhones(t *testing.T, url string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, p := range payouts(t, url) {
		out[p.Phone]++
	}
	return out
}

// The must-show of names before money: plan --json lists the two rows whose
// registered names differ as mismatches with the registered names; under
// review the rest pays and those two wait for an approver, who confirms one;
// under block nothing pays.
func TestNamesBeforeMoney(t *testing.T) {
	t.Parallel()
	skipShort(t, 12, "name checks and confirm are kept by TestInactiveAndUnknownAccountsAreNeverPaid, the rules by batch's TestCheckNames and TestMatchNames")
	dir := t.TempDir()
	sheetPath, namesPath := namesSheet(t, dir)

	t.Run("review", func(t *testing.T) {
		t.Parallel()
		url, cfg, db := namesUnder(t, dir, namesPath, "review")
		r := bulkpay(t, dir, "plan", sheetPath, "--json", "--sandbox", url, "--config", cfg, "--db", db)
		require.Equal(t, cli.ExitOK, r.code, r.stderr)
		var plan render.PlanJSON
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &plan))
		require.NotNil(t, plan.Names)
		assert.Equal(t, "review", plan.Names.Policy)
		assert.Equal(t, map[string]int{"match": 3, "mismatch": 2}, plan.Names.Counts)
		require.Len(t, plan.Names.Rows, 2)
		assert.Equal(t, render.NameJSON{Row: 5, Phone: "+237670987654", Name: "Marcel Nana", Result: "mismatch", Score: plan.Names.Rows[0].Score,
			RegisteredName: "Paul ESSOMBA", Provider: "momo", Action: "to confirm by an approver before it is paid"}, plan.Names.Rows[0])
		assert.Equal(t, "Rodrigue NKOULOU", plan.Names.Rows[1].RegisteredName)
		assert.Equal(t, 6, plan.Names.Rows[1].Row)

		r = bulkpay(t, dir, "run", sheetPath, "--sandbox", url, "--config", cfg, "--db", db)
		assert.Equal(t, cli.ExitUnfinished, r.code, r.stderr)
		assert.Contains(t, r.stderr, `row 5, +237670987654 "Marcel Nana": mismatch`)
		paid := paidPhones(t, url)
		assert.Equal(t, map[string]int{"237677123456": 1, "237678901123": 1, "237672457890": 1}, paid, "the rest pays, the two wait")

		r = bulkpay(t, dir, "status", "names-2026-11", "--json", "--db", db)
		var st statusJSON
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &st))
		assert.Equal(t, 2, st.Counts["to_confirm"])
		assert.Equal(t, 3, st.Counts["succeeded"])

		r = bulkpay(t, dir, "confirm", "names-2026-11", "--row", "5", "--db", db)
		assert.Equal(t, cli.ExitInvalid, r.code, "a confirmation needs a note")
		r = bulkpay(t, dir, "confirm", "names-2026-11", "--row", "5", "--note", "Paul is his registered first name, ID seen", "--by", "binta", "--db", db)
		require.Equal(t, cli.ExitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "row 5 (+237670987654) confirmed by binta")

		r = bulkpay(t, dir, "resume", "names-2026-11", "--sandbox", url, "--config", cfg, "--db", db)
		assert.Equal(t, cli.ExitUnfinished, r.code, "row 6 still waits: %s", r.stderr)
		paid = paidPhones(t, url)
		assert.Equal(t, 1, paid["237670987654"], "the confirmed row is paid once")
		assert.Zero(t, paid["237674112233"], "the row not confirmed is not paid")
		assert.Len(t, paid, 4)
	})

	t.Run("warn", func(t *testing.T) {
		t.Parallel()
		url, cfg, db := namesUnder(t, dir, namesPath, "warn")
		r := bulkpay(t, dir, "run", sheetPath, "--sandbox", url, "--config", cfg, "--db", db)
		require.Equal(t, cli.ExitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, "Name check (warn): 3 match, 2 mismatch")
		assert.Contains(t, r.stderr, `row 6, +237674112233 "Patrice Kamga": mismatch`)
		assert.NotContains(t, r.stderr, "NKOULOU", "run's output, which may end in a log, holds no registered name")
		assert.Len(t, paidPhones(t, url), 5, "warn lists, and pays")
	})

	t.Run("block", func(t *testing.T) {
		t.Parallel()
		url, cfg, db := namesUnder(t, dir, namesPath, "block")
		r := bulkpay(t, dir, "run", sheetPath, "--sandbox", url, "--config", cfg, "--db", db)
		assert.Equal(t, cli.ExitRefused, r.code, r.stderr)
		assert.Contains(t, r.stderr, `row 5, column name, value "Marcel Nana"`)
		assert.Contains(t, r.stderr, `row 6, column name, value "Patrice Kamga"`)
		assert.NotContains(t, r.stderr, "ESSOMBA", "a refusal does not spell the registered name")
		assert.Empty(t, payouts(t, url), "under block nothing pays")
		r = bulkpay(t, dir, "status", "names-2026-11", "--db", db)
		assert.NotEqual(t, cli.ExitOK, r.code, "nothing was stored: the fixed sheet plans under the same reference")
	})
}

// An inactive or unknown account is never sent money, under warn as under
// review: their rows are rejected, saying why, and the rest pays.
func TestInactiveAndUnknownAccountsAreNeverPaid(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sheetPath := writeRows(t, dir, "accounts-2026-11.csv", []string{
		"Jean-Pierre Mbarga;677123456;1000;;",
		"Hervé Tchinda;672457890;3000;;",
		"Marcel Nana;670987654;4000;;",
	})
	namesPath := filepath.Join(dir, "names.csv")
	require.NoError(t, os.WriteFile(namesPath, []byte("phone,name\n237677123456,Jean-Pierre MBARGA\n237672457890,(inactive)\n237670987654,(unknown)\n"), 0o600))
	for _, policy := range []string{"warn", "review"} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			url := startSandbox(t, "--names", namesPath)
			cfg := filepath.Join(dir, policy+".yaml")
			require.NoError(t, os.WriteFile(cfg, []byte("name_check: "+policy+"\n"), 0o600))
			db := filepath.Join(dir, policy+".db")
			r := bulkpay(t, dir, "run", sheetPath, "--sandbox", url, "--config", cfg, "--db", db)
			assert.Contains(t, r.stderr, `row 4, +237670987654 "Marcel Nana": unknown account`)
			assert.Equal(t, map[string]int{"237677123456": 1}, paidPhones(t, url))
			r = bulkpay(t, dir, "status", "accounts-2026-11", "--json", "--db", db)
			var st statusJSON
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &st))
			assert.Equal(t, 1, st.Counts["succeeded"])
			if policy == "warn" {
				assert.Equal(t, 2, st.Counts["rejected"])
				return
			}
			assert.Equal(t, 1, st.Counts["rejected"], "the unknown account")
			assert.Equal(t, 1, st.Counts["to_confirm"], "the inactive one waits, and is never paid while inactive")
			r = bulkpay(t, dir, "confirm", "accounts-2026-11", "--row", "3", "--note", "he says it works", "--db", db)
			assert.Equal(t, cli.ExitRefused, r.code, r.stderr)
			assert.Contains(t, r.stderr, "never sent money")
		})
	}
}
