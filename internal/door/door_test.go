package door

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/sheet"
)

func writeSheet(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

func TestReadingTakesTheConfigsDefaults(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.Region = "SN"
	opt, scr := Sheet{Name: "Pay", AllowDuplicates: true, ExpectTotal: 500}.Reading(cfg, config.Target{})
	assert.Equal(t, sheet.Options{Region: "SN", Sheet: "Pay", AllowDuplicates: true}, opt)
	assert.Equal(t, int64(500), scr.ExpectTotal)
	assert.Equal(t, cfg.Limits, scr.Limits)
	opt, _ = Sheet{Region: "CM"}.Reading(cfg, config.Target{})
	assert.Equal(t, "CM", opt.Region, "the flag or form wins over the config")
}

func TestPlanSheetScreensAndPlans(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	plan := func(s Sheet) (batch.PlannedSheet, sheet.Result, error) {
		return PlanSheet(context.Background(), cfg, config.Target{}, Plan{Sheet: s, By: "awa", Fees: cfg.Fees(), Policy: cfg.Policy(), Now: now})
	}
	good := writeSheet(t, "salaries.csv", "Name,Phone,Amount\nBello Aïcha,677123456,150000\nÉlodie Ngono,699009900,98500\n")
	p, _, err := plan(Sheet{Path: good})
	require.NoError(t, err)
	assert.Empty(t, p.Tally.Errors)
	assert.Len(t, p.Items, 2)
	assert.Equal(t, "salaries", p.Batch.Reference)
	assert.Equal(t, "2026-03", p.Batch.Period)
	assert.Equal(t, "awa", p.Batch.CreatedBy)
	assert.Equal(t, int64(248500), p.Batch.TotalAmount)

	p, _, err = plan(Sheet{Path: good, ExpectTotal: 1000})
	require.NoError(t, err)
	assert.NotEmpty(t, p.Tally.Errors, "a total other than the expected one is refused")

	noHeader := writeSheet(t, "x.csv", "just,some,words\n")
	_, _, err = plan(Sheet{Path: noHeader})
	var he *sheet.HeaderError
	assert.ErrorAs(t, err, &he)
}
