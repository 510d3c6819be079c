package sheet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

func TestScreenedCountsRefusedRowsAsInvalid(t *testing.T) {
	t.Parallel()
	path := writeCSV(t, "Nom;Téléphone;Montant\nA;677123456;1000\nCamtel;620123456;1000\nB;699009900;900000\nC;677000001;2000\n")
	scr := batch.Screen{
		Router: batch.Routes{Rules: batch.DefaultRules, Configured: map[string]bool{"campay": true}, Currency: "XAF"},
		Limits: batch.Limits{MaxPerRow: 500000},
	}
	res, rows, err := Screened(t.Context(), path, Options{}, &scr, true)
	require.NoError(t, err)
	assert.Equal(t, 4, res.Rows)
	assert.Equal(t, 2, res.Valid)
	assert.Equal(t, 2, res.Invalid)
	assert.Equal(t, int64(3000), res.TotalAmount, "the refused rows' amounts are not counted")
	require.Len(t, res.Errors, 2)
	assert.Equal(t, 3, res.Errors[0].Row)
	assert.Equal(t, "Téléphone", res.Errors[0].Column, "named as the sheet spells it")
	assert.Equal(t, 4, res.Errors[1].Row)
	assert.Equal(t, "Montant", res.Errors[1].Column)
	assert.Contains(t, res.Errors[1].Message, "above the limit of 500 000 per row")
	require.Len(t, rows, 2)
	assert.Equal(t, []int{2, 5}, []int{rows[0].Row, rows[1].Row})
	assert.Equal(t, res.Tally(), batch.Tally{Rows: 4, Valid: 2, Invalid: 2, TotalAmount: 3000, Errors: res.Errors})

	_, rows, err = Screened(t.Context(), path, Options{}, &batch.Screen{Router: scr.Router}, false)
	require.NoError(t, err)
	assert.Nil(t, rows, "nothing kept unless asked")
}
