package sheet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// The row errors a sheet gives are the English row texts, word for word as
// bulkpay has always said them, and each has its code and French text.
func TestRowErrorsHaveCodesAndFrench(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, content string
		want          []batch.RowError
		codes         []string
	}{
		{"cells", "Nom;Téléphone;Montant;Email;Mode\n" +
			";677123456;1000;;\n" +
			"Awa;677123457;1000;awa@;\n" +
			"Bob;677123458;1000;;avion\n" +
			"Carl;677123459;1000;;\n" +
			"Dan;677123459;1000;;\n" +
			"TOTAL;;-5;;\n" +
			"TOTAL;;;;\n" +
			"Eve;677123460;1000;;\n",
			[]batch.RowError{
				{Row: 2, Column: "Nom", Message: "name is empty: write the beneficiary's name"},
				{Row: 3, Column: "Email", Value: "awa@", Message: "email is not an address: write name@example.com or leave it empty"},
				{Row: 4, Column: "Mode", Value: "avion", Message: "mode is not one bulkpay knows: write mobile_money, cashout or bank_transfer"},
				{Row: 6, Column: "Téléphone", Value: "677123459", Message: "duplicate of row 5: the same payee is paid twice; remove one row, or pass --allow-duplicates if both payments are meant"},
				{Row: 7, Column: "Montant", Value: "-5", Message: "TOTAL row: amount is negative: write a positive whole number of francs"},
				{Row: 8, Value: "TOTAL", Message: "a second TOTAL row (the first is row 7): keep one"},
				{Row: 9, Value: "Eve", Message: "row below the TOTAL row (row 7): put every beneficiary above the TOTAL row and remove notes below it"},
			},
			[]string{"name_empty", "email_invalid", "mode_unknown", "duplicate_row", "total_amount", "second_total", "below_total"}},
		{"totals", "Nom;Téléphone;Montant\nAwa;677123456;1000\nBob;677123457;mille\nTOTAL;;5000\n",
			[]batch.RowError{
				{Row: 3, Column: "Montant", Value: "mille", Message: "amount is not a number: write a whole number of francs, e.g. 150000"},
				{Row: 4, Column: "Montant", Value: "5000", Message: "TOTAL row says 5000 but the amounts that could be read add up to 1000: correct the amounts marked above, then check the TOTAL"},
			},
			[]string{"amount_not_number", "total_mismatch_unread"}},
		{"name", "Nom;Téléphone;Montant\nAwa\x07;677123456;1000\n",
			[]batch.RowError{{Row: 2, Column: "Nom", Value: "Awa\x07", Message: "name holds the control character U+0007, which is not text: remove it"}},
			[]string{"text_control_char"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, res := readAll(t, writeCSV(t, c.content), Options{})
			require.Equal(t, c.want, res.Errors)
			for i, e := range res.Errors {
				code, _ := e.Code()
				assert.Equal(t, c.codes[i], code, e.Message)
				assert.NotEqual(t, e.Message, e.In("fr"))
				assert.Equal(t, e.Message, e.In("en"))
			}
		})
	}
}
