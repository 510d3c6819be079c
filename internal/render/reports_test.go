package render_test

import (
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
		return render.Validation(w, "in/paie-03.csv", res, asJSON)
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
