package sheet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"bulkpay/batch"
)

// writeXLSX writes rows (cells as Go values: string → text cell, numbers → numeric)
// into the first sheet, or into sheet name when given.
func writeXLSX(t *testing.T, name string, rows [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := "Sheet1"
	if name != "" {
		f.NewSheet(name)
	}
	for i, r := range rows {
		for j, v := range r {
			c, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if s, ok := v.(string); ok {
				require.NoError(t, f.SetCellStr(sh, c, s))
				if name != "" {
					require.NoError(t, f.SetCellStr(name, c, s))
				}
				continue
			}
			require.NoError(t, f.SetCellValue(sh, c, v))
			if name != "" {
				require.NoError(t, f.SetCellValue(name, c, v))
			}
		}
	}
	path := filepath.Join(t.TempDir(), "sheet.xlsx")
	require.NoError(t, f.SaveAs(path))
	return path
}

func writeCSV(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sheet.csv")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func readAll(t *testing.T, path string, opt Options) ([]batch.Row, Result) {
	t.Helper()
	rows, res, err := ReadAll(t.Context(), path, opt)
	require.NoError(t, err)
	return rows, res
}

func TestReadXLSXTitleRowsAndFrenchHeaders(t *testing.T) {
	path := writeXLSX(t, "", [][]any{
		{"ACME - Paie de novembre"},
		{},
		{"N°", "Nom complet", "Téléphone", "Montant (FCFA)", "E-mail"},
		{1, "Jean Mbarga", "677 12 34 56", 150000, "jean@acme.cm"},
		{2, "Aïcha Bello", 699009900, "98 500", ""},
		{},
		{3, "Paul Biya", "+237 650 22 41 18", 1000, ""},
		{"", "TOTAL", "", 249500},
	})
	rows, res := readAll(t, path, Options{})
	require.Empty(t, res.Errors)
	assert.Equal(t, 3, res.HeaderRow)
	assert.Equal(t, 3, res.Rows)
	assert.Equal(t, 3, res.Valid)
	assert.Equal(t, int64(249500), res.TotalAmount)
	assert.Equal(t, int64(249500), res.DeclaredTotal)
	require.Len(t, rows, 3)
	assert.Equal(t, batch.Row{Row: 4, Name: "Jean Mbarga", Phone: "237677123456", Country: "CM", Operator: "MTN",
		Email: "jean@acme.cm", Mode: batch.ModeMobileMoney, Amount: 150000}, rows[0])
	assert.Equal(t, 5, rows[1].Row)
	assert.Equal(t, "237699009900", rows[1].Phone)
	assert.Equal(t, "Orange", rows[1].Operator)
	assert.Equal(t, int64(98500), rows[1].Amount)
	assert.Equal(t, 7, rows[2].Row, "rows keep the spreadsheet's numbers across blank rows")
}

func TestHeaderAliases(t *testing.T) {
	cases := []struct {
		name   string
		header []any
	}{
		{"link fields", []any{"beneficiary_name", "beneficiary_phone_number", "amount", "beneficiary_email", "beneficiary_bank_name", "beneficiary_bank_branch", "beneficiary_account_number"}},
		{"english", []any{"Name", "Phone", "Amount", "Email"}},
		{"english spaced", []any{"Full Name", "Phone Number", "Amount (XAF)", "E-mail"}},
		{"french", []any{"Nom", "Téléphone", "Montant", "Courriel"}},
		{"french caps accents", []any{"NOM COMPLET", "TÉLÉPHONE", "MONTANT (FCFA)", "EMAIL"}},
		{"french no accents", []any{"nom et prenoms", "telephone", "montant fcfa", "mail"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeXLSX(t, "", [][]any{tc.header, {"Jean Mbarga", "677123456", 5000, "j@acme.cm"}})
			rows, res := readAll(t, path, Options{})
			require.Empty(t, res.Errors)
			require.Len(t, rows, 1)
			assert.Equal(t, "Jean Mbarga", rows[0].Name)
			assert.Equal(t, int64(5000), rows[0].Amount)
			assert.Equal(t, "j@acme.cm", rows[0].Email)
		})
	}
}

func TestMissingRequiredColumn(t *testing.T) {
	path := writeXLSX(t, "", [][]any{{"Titre"}, {"Nom", "Montant", "Email"}, {"Jean", 5000, ""}})
	_, res, err := ReadAll(t.Context(), path, Options{})
	var he *HeaderError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, []Field{FieldPhone}, he.Missing)
	assert.Contains(t, err.Error(), `missing required column phone; headers found: "Nom", "Montant", "Email"`)
	require.Len(t, res.Errors, 1)
	assert.Equal(t, 2, res.Errors[0].Row)
	assert.Equal(t, "phone", res.Errors[0].Column)

	path = writeXLSX(t, "", [][]any{{"a", "b"}, {"c"}})
	_, _, err = ReadAll(t.Context(), path, Options{})
	require.ErrorAs(t, err, &he)
	assert.Contains(t, err.Error(), "no header row")
}

func TestCSVDelimitersAndBOM(t *testing.T) {
	cases := map[string]string{
		"comma":          "Name,Phone,Amount\nJean,677123456,5000\nAicha,699009900,\"150 000\"\n",
		"semicolon bom":  "\uFEFFNom;Téléphone;Montant\nJean;677 12 34 56;5000\nAicha;699009900;150 000\n",
		"semicolon crlf": "Titre;;\r\n;;\r\nNom;Téléphone;Montant\r\nJean;677123456;5000\r\nAicha;+237699009900;150000\r\n",
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			rows, res := readAll(t, writeCSV(t, content), Options{})
			require.Empty(t, res.Errors)
			require.Len(t, rows, 2)
			assert.Equal(t, "Jean", rows[0].Name)
			assert.Equal(t, "237699009900", rows[1].Phone)
			assert.Equal(t, int64(155000), res.TotalAmount)
		})
	}
}

func TestRowErrorsNameRowColumnValue(t *testing.T) {
	path := writeXLSX(t, "", [][]any{
		{"Nom", "Téléphone", "Montant"},
		{"Bon", "677123456", 1000},
		{"Décimal numérique", "677123457", 150000.5},
		{"Négatif", "677123458", -5},
		{"", "677123459", 1000},
		{"Mauvais tel", "12345", 1000},
	})
	_, res := readAll(t, path, Options{})
	assert.Equal(t, 5, res.Rows)
	assert.Equal(t, 1, res.Valid)
	assert.Equal(t, 4, res.Invalid)
	assert.Equal(t, int64(1000), res.TotalAmount)
	require.Len(t, res.Errors, 4)
	assert.Equal(t, batch.RowError{Row: 3, Column: "Montant", Value: "150000.5", Message: "amount has decimals: XAF has no cents, write a whole number of francs"}, res.Errors[0])
	assert.Equal(t, 4, res.Errors[1].Row)
	assert.Equal(t, "-5", res.Errors[1].Value)
	assert.Equal(t, "Nom", res.Errors[2].Column)
	assert.Equal(t, "Téléphone", res.Errors[3].Column)
	assert.Equal(t, "12345", res.Errors[3].Value)
}

func TestTotalRows(t *testing.T) {
	body := [][]any{{"Nom", "Téléphone", "Montant"}, {"A", "677123456", 1000}, {"B", "699009900", 2000}}
	cases := []struct {
		name    string
		total   []any
		after   []any
		wantErr string
	}{
		{"matching total", []any{"TOTAL", "", 3000}, nil, ""},
		{"total general accented", []any{"Total général", "", 3000}, nil, ""},
		{"lowercase without value", []any{"total", "", ""}, nil, ""},
		{"mismatch", []any{"TOTAL", "", 3500}, nil, "TOTAL row says 3500 but the amounts above add up to 3000 (difference 500)"},
		{"rows below total", []any{"Total", "", 3000}, []any{"C", "677000111", 10}, "row below the TOTAL row (row 4)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows := append(append([][]any{}, body...), tc.total)
			if tc.after != nil {
				rows = append(rows, tc.after)
			}
			_, res := readAll(t, writeXLSX(t, "", rows), Options{})
			if tc.wantErr == "" {
				require.Empty(t, res.Errors)
				assert.Equal(t, 2, res.Rows, "the TOTAL row is not a beneficiary")
				return
			}
			require.NotEmpty(t, res.Errors)
			assert.Contains(t, res.Errors[len(res.Errors)-1].Message, tc.wantErr)
		})
	}
}

func TestDuplicatePhones(t *testing.T) {
	path := writeXLSX(t, "", [][]any{{"Nom", "Téléphone", "Montant"}, {"A", "677123456", 1000}, {"B", "699009900", 2000}, {"A again", "+237 677 12 34 56", 1000}})
	_, res := readAll(t, path, Options{})
	require.Len(t, res.Errors, 1)
	assert.Equal(t, 4, res.Errors[0].Row)
	assert.Contains(t, res.Errors[0].Message, "duplicate of row 2")

	rows, res := readAll(t, path, Options{AllowDuplicates: true})
	require.Empty(t, res.Errors)
	assert.Len(t, rows, 3)
}

func TestSheetByName(t *testing.T) {
	path := writeXLSX(t, "Paie", [][]any{{"Nom", "Téléphone", "Montant"}, {"A", "677123456", 1000}})
	rows, _ := readAll(t, path, Options{Sheet: "Paie"})
	assert.Len(t, rows, 1)
	_, _, err := ReadAll(t.Context(), path, Options{Sheet: "Absent"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no sheet "Absent"; its sheets are "Sheet1", "Paie"`)
}

func TestUnsupportedFormat(t *testing.T) {
	_, _, err := ReadAll(t.Context(), filepath.Join(t.TempDir(), "x.pdf"), Options{})
	require.ErrorIs(t, err, ErrFormat)
}

func TestModesAndColumns(t *testing.T) {
	path := writeCSV(t, "Name,Phone,Amount,Mode,Reference\nA,677123456,1000,Mobile Money,EMP-1\nB,699009900,2000,cashout,EMP-2\nC,677000111,5,chèque,EMP-3\n")
	rows, res := readAll(t, path, Options{})
	require.Len(t, res.Errors, 1)
	assert.Equal(t, "Mode", res.Errors[0].Column)
	require.Len(t, rows, 2)
	assert.Equal(t, batch.ModeMobileMoney, rows[0].Mode)
	assert.Equal(t, "EMP-1", rows[0].Reference)
	assert.Equal(t, batch.ModeCashout, rows[1].Mode)
}

func TestSampleSheetsAgree(t *testing.T) {
	x, rx := readAll(t, "../samples/payroll-2026-11.xlsx", Options{})
	c, rc := readAll(t, "../samples/payroll-2026-11.csv", Options{})
	require.Empty(t, rx.Errors)
	require.Empty(t, rc.Errors)
	assert.Equal(t, 25, rx.Rows)
	assert.Equal(t, x, c)
	assert.Equal(t, batch.ContentHash(x), batch.ContentHash(c), "the same payroll as xlsx or csv is the same batch")

	_, re := readAll(t, "../samples/payroll-with-errors.xlsx", Options{})
	assert.Greater(t, len(re.Errors), 10)
	for _, e := range re.Errors {
		assert.NotZero(t, e.Row, e.Message)
		assert.NotEmpty(t, e.Message)
	}
	assert.True(t, strings.Contains(re.Errors[len(re.Errors)-1].Message, "TOTAL"))
}

func TestCSVRowNumbersLikeASpreadsheet(t *testing.T) {
	path := writeCSV(t, "Nom;Téléphone;Montant\n\nA;677123456;1\n\"B\nsur deux lignes\";699009900;2\n\n\nC;677000111;3\n")
	rows, res := readAll(t, path, Options{})
	require.Empty(t, res.Errors)
	require.Len(t, rows, 3)
	assert.Equal(t, []int{3, 4, 7}, []int{rows[0].Row, rows[1].Row, rows[2].Row})
}

// TestNormalizeFastPath: the ASCII path and the pooled accent remover give what
// building the whole chain for every call gave.
func TestNormalizeFastPath(t *testing.T) {
	t.Parallel()
	slow := func(s string) string {
		folded, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
		if err != nil {
			folded = s
		}
		var b strings.Builder
		for _, r := range strings.ToLower(folded) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	inputs := []string{"", "Montant (FCFA)", "Téléphone", "NOM ET PRÉNOMS", "mobile_money", "Mobile Money", "MCP", "e-mail", "N°", "İstanbul", "ǅ", "\x00\x7f~`!@#$%^&*()_+-=[]{}|;':\",./<>?", "Straße", "ÆØÅ", "Ⅻ", "１２３"}
	for c := 0; c < 128; c++ {
		inputs = append(inputs, "a"+string(rune(c))+"Z9")
	}
	for f, names := range aliases {
		inputs = append(inputs, string(f))
		inputs = append(inputs, names...)
	}
	for _, s := range inputs {
		assert.Equal(t, slow(s), Normalize(s), "%q", s)
	}
}
