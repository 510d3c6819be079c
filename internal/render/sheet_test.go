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

func TestUnplannedSaysWhyASheetCannotBePaid(t *testing.T) {
	t.Parallel()
	csv := sheet.Result{Encoding: "UTF-8", Delimiter: ";"}
	bad := batch.Tally{Rows: 2, Valid: 1, Invalid: 1, TotalAmount: 5000,
		Errors: []batch.RowError{{Row: 3, Column: "phone", Value: "12", Message: "not a phone number"}}}
	var w strings.Builder
	err := render.Unplanned(&w, "in/paie-2026-03.csv", csv, batch.PlannedSheet{Tally: bad}, nil)
	require.ErrorIs(t, err, batch.ErrInvalid)
	assert.Contains(t, err.Error(), "`bulkpay validate in/paie-2026-03.csv` lists them")
	first := "paie-2026-03.csv (UTF-8, ;-separated): 2 row(s), 1 valid, 1 invalid; valid rows total 5 000\n"
	assert.True(t, strings.HasPrefix(w.String(), first), w.String())
	assert.Contains(t, w.String(), "not a phone number")

	w.Reset()
	err = render.Unplanned(&w, "paie.csv", csv, batch.PlannedSheet{}, &sheet.HeaderError{})
	require.ErrorIs(t, err, batch.ErrInvalid, "no header row: the tally read so far is shown")
	assert.Contains(t, w.String(), "paie.csv (UTF-8, ;-separated): 0 row(s)")

	w.Reset()
	stop := errors.New("disk gone")
	require.ErrorIs(t, render.Unplanned(&w, "paie.csv", csv, batch.PlannedSheet{}, stop), stop)
	require.ErrorIs(t, render.Unplanned(&w, "paie.csv", csv, batch.PlannedSheet{}, nil), batch.ErrInvalid, "no beneficiary row")
	assert.Empty(t, w.String())

	ok := batch.PlannedSheet{Batch: batch.Batch{ItemCount: 1}, Tally: batch.Tally{Rows: 1, Valid: 1}}
	require.NoError(t, render.Unplanned(&w, "paie.csv", csv, ok, nil))
	assert.Empty(t, w.String())
}
