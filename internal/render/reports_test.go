package render_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/render"
	"bulkpay/sheet"
)

// both writes a report as text and as JSON.
func both(t *testing.T, report func(w *strings.Builder, asJSON bool) error) (text, json string) {
	t.Helper()
	var tw, jw strings.Builder
	require.NoError(t, report(&tw, false))
	require.NoError(t, report(&jw, true))
	return tw.String(), jw.String()
}

func TestReportsAreTextOrJSON(t *testing.T) {
	t.Parallel()
	b := batch.Batch{ID: 4, Reference: "paie-03", Currency: "XAF"}
	sum := batch.Summary{Batch: b, Counts: batch.Counts{batch.Succeeded: 2}, Items: 2}

	text, json := both(t, func(w *strings.Builder, asJSON bool) error {
		return render.ListReport(w, []batch.Summary{sum}, asJSON)
	})
	assert.Contains(t, text, "paie-03")
	assert.True(t, strings.HasPrefix(json, "["), json)
	assert.Contains(t, json, `"paie-03"`)

	res := sheet.Result{Encoding: "UTF-8", Delimiter: ","}
	text, json = both(t, func(w *strings.Builder, asJSON bool) error {
		return render.Validation(w, "in/paie-03.csv", res, nil, asJSON)
	})
	assert.True(t, strings.HasPrefix(text, "paie-03.csv (UTF-8, ,-separated): 0 row(s)"), text)
	assert.Contains(t, json, `"encoding":"UTF-8"`)

	plan := render.PlanJSON{Reference: "paie-03", Period: "2026-03"}
	text, json = both(t, func(w *strings.Builder, asJSON bool) error {
		return render.PlanReport(w, plan, "XAF", asJSON)
	})
	assert.True(t, strings.HasPrefix(text, "Plan for batch paie-03 (period 2026-03)"), text)
	assert.Contains(t, json, `"reference":"paie-03"`)

	s := batch.Standing{Summary: sum}
	text, json = both(t, func(w *strings.Builder, asJSON bool) error {
		return render.StatusReport(w, b, s, batch.LinkTotals{}, render.View{}, asJSON)
	})
	assert.Contains(t, text, "paie-03")
	assert.NotContains(t, text, "{")
	assert.True(t, strings.HasPrefix(json, "{"), json)
}

func TestFeesReportNamesWhoBearsThem(t *testing.T) {
	t.Parallel()
	text, json := both(t, func(w *strings.Builder, asJSON bool) error {
		return render.FeesReport(w, batch.Fees{}, "XAF", asJSON)
	})
	assert.True(t, strings.HasPrefix(text, "No fees are configured"), text)
	assert.Contains(t, json, `"profit_configurations":[]`, "an empty list, not null")
	assert.Contains(t, json, `"`+batch.BearerSender+`"`, "borne by the sender unless the config says otherwise")
}

func TestBalancesReportSaysASandboxMovesNoMoney(t *testing.T) {
	t.Parallel()
	lines := []render.BalanceLine{{Provider: "campay", Account: "MTN", Amount: 500000, Currency: "XAF"}}
	text, json := both(t, func(w *strings.Builder, asJSON bool) error {
		return render.BalancesReport(w, lines, "XAF", true, "http://127.0.0.1:8089", asJSON)
	})
	assert.True(t, strings.HasPrefix(text, "SANDBOX: no real money moves (http://127.0.0.1:8089)\n"), text)
	assert.Contains(t, text, "campay")
	assert.True(t, strings.HasPrefix(json, "["), json)
	assert.NotContains(t, json, "SANDBOX")
}

func TestValidationGivesTheExitError(t *testing.T) {
	t.Parallel()
	var w strings.Builder
	bad := sheet.Result{Errors: []batch.RowError{{Row: 2, Column: "amount", Value: "-5", Message: "not an amount"}}}
	require.ErrorIs(t, render.Validation(&w, "paie.csv", bad, nil, false), batch.ErrInvalid)
	assert.Contains(t, w.String(), "not an amount")

	w.Reset()
	require.ErrorIs(t, render.Validation(&w, "paie.csv", sheet.Result{}, &sheet.HeaderError{}, true), batch.ErrInvalid,
		"a sheet without a header row is shown, and invalid")
	assert.Contains(t, w.String(), `"rows":0`)

	w.Reset()
	stop := errors.New("unreadable")
	require.ErrorIs(t, render.Validation(&w, "paie.csv", sheet.Result{}, stop, false), stop)
	assert.Empty(t, w.String(), "what stopped reading is the error alone")
	require.NoError(t, render.Validation(&w, "paie.csv", sheet.Result{}, nil, false))
}
