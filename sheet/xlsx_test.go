package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tamperZip rewrites the zip at path, part by part, editing the header of the
// part named target.
func tamperZip(t *testing.T, path, target string, edit func(h *zip.FileHeader)) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		h := f.FileHeader
		if f.Name == target {
			edit(&h)
		}
		w, err := zw.CreateRaw(&h)
		require.NoError(t, err)
		r, err := f.OpenRaw()
		require.NoError(t, err)
		_, err = io.Copy(w, r)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, out.Bytes(), 0o600))
}

func payroll(n int) func(io.Writer) error {
	return rows(payHeader, n, func(i int) string { return inlineRow(i+2, fmt.Sprintf("Person %d", i), phone(i), "1000") })
}

func oneSheet(body func(io.Writer) error) []part {
	return xlsxParts([]string{"Paie"}, []func(io.Writer) error{body}, nil)
}

func TestXLSXThatIsNotAWorkbook(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := func(name string) string { return writeZip(t, dir, name, oneSheet(payroll(3))) }

	lying := good("lying.xlsx")
	tamperZip(t, lying, "xl/worksheets/sheet1.xml", func(h *zip.FileHeader) { h.UncompressedSize64 = 100 })
	badCRC := good("crc.xlsx")
	tamperZip(t, badCRC, "xl/worksheets/sheet1.xml", func(h *zip.FileHeader) { h.CRC32 ^= 1 })
	truncated := good("truncated.xlsx")
	b, err := os.ReadFile(truncated)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(truncated, b[:len(b)/2], 0o600))

	cases := []struct {
		name string
		path string
		want string
	}{
		{"random bytes", writeBytes(t, "random.xlsx", bytes.Repeat([]byte{0x9c, 0x01, 0xfe}, 500)),
			"random.xlsx: is not an xlsx workbook (an xlsx file is a zip archive, this one is not): open it in Excel or LibreOffice and save it as .xlsx or .csv."},
		{"csv text named .xlsx", writeBytes(t, "text.xlsx", []byte("Nom;Téléphone;Montant\n")),
			"It looks like text: if it is a csv file, rename it to .csv."},
		{"an old .xls or a password-protected workbook", writeBytes(t, "old.xlsx", append(append([]byte{}, oleMagic...), make([]byte, 512)...)),
			"old.xlsx: is an old .xls workbook or a password-protected one: open it in Excel or LibreOffice and save it as .xlsx without a password"},
		{"empty", writeBytes(t, "empty.xlsx", nil), "empty.xlsx: is empty (0 bytes)"},
		{"a zip of garbage", writeZip(t, dir, "garbage.xlsx", []part{{"data.bin", text(strings.Repeat("\x00\x01garbage", 100))}}),
			"garbage.xlsx: is a zip archive but not an xlsx workbook (it has no [Content_Types].xml)"},
		{"a zip with garbage for a workbook", writeZip(t, dir, "garbage2.xlsx", append(oneSheet(payroll(1))[:2], part{"xl/workbook.xml", text("\x00\x01\x02 not xml")})),
			"garbage2.xlsx: is damaged: its part xl/workbook.xml holds the control character U+0000"},
		{"a part larger than its declared size", lying,
			"lying.xlsx: is damaged: its part xl/worksheets/sheet1.xml does not unpack to the size the archive declares"},
		{"a part that fails its checksum", badCRC,
			"crc.xlsx: is damaged: its part xl/worksheets/sheet1.xml fails its checksum"},
		{"a truncated file", truncated, "truncated.xlsx: is damaged (no zip directory at its end)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := ReadAll(t.Context(), tc.path, Options{})
			require.ErrorIs(t, err, ErrFormat)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestXLSXMalformedXMLIsRefused: excelize stops at the first XML error without
// a word, which read the rows above it as the whole sheet; such a sheet is now
// refused as damaged, naming the row.
func TestXLSXMalformedXMLIsRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, row3, want string
	}{
		{"mismatched end tag", `<row r="3"><c r="A3" t="inlineStr"><is><t>B</t></is></row>`, "has </row> where no <row> is open"},
		{"control character", "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>B\x01</t></is></c></row>", "holds the control character U+0001"},
		{"invalid UTF-8", "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>A\xefcha</t></is></c></row>", "is not valid UTF-8"},
		{"unknown entity", `<row r="3"><c r="A3" t="inlineStr"><is><t>A&nbsp;B</t></is></c></row>`, "has an unknown entity &nbsp;"},
		{"unquoted attribute", `<row r=3><c r="A3"><v>1</v></c></row>`, "has an unquoted value of r in <row>"}, // the row number is not read yet: "near row 2"
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := text(payHeader + inlineRow(2, "Jean", "677123456", "1000") + tc.row3 + inlineRow(4, "Paul", "699009900", "1000"))
			path := writeZip(t, t.TempDir(), "bad.xlsx", oneSheet(body))
			rows, _, err := ReadAll(t.Context(), path, Options{})
			require.ErrorIs(t, err, ErrFormat)
			near := "near row 3 "
			if tc.name == "unquoted attribute" {
				near = "near row 2 "
			}
			assert.Contains(t, err.Error(), "bad.xlsx: is damaged: its part xl/worksheets/sheet1.xml "+near+tc.want)
			assert.Empty(t, rows)
		})
	}
}

func TestXLSXLimits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	withStyles := append(oneSheet(payroll(3)), part{"xl/styles.xml", text(`<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>` +
		strings.Repeat("<xf/>", 200) + `</cellXfs></styleSheet>`)})
	sst := func(n int) func(io.Writer) error {
		return func(w io.Writer) error {
			fmt.Fprint(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
			for i := 0; i < n; i++ {
				fmt.Fprintf(w, "<si><t>%d</t></si>", i)
			}
			_, err := fmt.Fprint(w, `</sst>`)
			return err
		}
	}
	cases := []struct {
		name string
		path string
		lim  Limits
		want string
	}{
		{"unpacked size", writeZip(t, dir, "unzip.xlsx", oneSheet(payroll(20))), Limits{MaxUnzipBytes: 1000},
			"unzip.xlsx: unpacks to more than 1000 bytes (a zip bomb, or a workbook far larger than a payroll)"},
		{"sheet part size", writeZip(t, dir, "part.xlsx", oneSheet(payroll(20))), Limits{MaxPartBytes: 1000},
			"part.xlsx: its part xl/worksheets/sheet1.xml unpacks to 3.7 KiB; bulkpay reads a sheet of up to 1000 bytes unpacked"},
		{"other part size", writeZip(t, dir, "mem.xlsx", withStyles), Limits{MaxMemPartBytes: 1000},
			"mem.xlsx: its part xl/styles.xml unpacks to 1.1 KiB; bulkpay reads parts of up to 1000 bytes: remove large pictures or objects"},
		{"parts", writeZip(t, dir, "parts.xlsx", oneSheet(payroll(1))), Limits{MaxParts: 3},
			"parts.xlsx: holds 5 files in its zip archive (a workbook holds a few dozen; bulkpay reads at most 3)"},
		{"elements of one part", writeZip(t, dir, "elems.xlsx", withStyles), Limits{MaxPartElements: 40},
			"elems.xlsx: its part xl/styles.xml holds more than 40 XML elements (styles, formats, names...): a payroll workbook holds far fewer"},
		{"elements together", writeZip(t, dir, "elems2.xlsx", withStyles), Limits{MaxTotalElements: 60},
			"elems2.xlsx: its styles, formats and other parts hold more than 60 XML elements together"},
		{"shared strings", writeZip(t, dir, "sst.xlsx", xlsxParts([]string{"Paie"}, []func(io.Writer) error{payroll(1)}, sst(20))), Limits{MaxSharedStrings: 10},
			"sst.xlsx: its part xl/sharedStrings.xml has more than 10 shared strings (distinct texts): split the workbook, or export the sheet as .csv"},
		{"a cell longer than 1 MiB", writeZip(t, dir, "cell.xlsx", oneSheet(text(payHeader+inlineRow(2, strings.Repeat("é", 600_000), "677123456", "1")))), Limits{},
			"cell.xlsx: its part xl/worksheets/sheet1.xml near row 2 has a run of text longer than 1 MiB: shorten the cell, or export the sheet as .csv"},
		{"a row longer than allowed", writeZip(t, dir, "row.xlsx", oneSheet(text(payHeader+inlineRow(2, strings.Repeat("x,", 100), "677123456", "1")))), Limits{MaxRecordBytes: 40},
			"row.xlsx: its part xl/worksheets/sheet1.xml near row 2 has a row longer than 320 bytes"},
		{"rows", writeZip(t, dir, "rows.xlsx", oneSheet(payroll(10))), Limits{MaxRows: 9},
			"rows.xlsx, row 11: the sheet has more than 9 rows below its header"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := ReadAll(t.Context(), tc.path, Options{Limits: tc.lim})
			require.ErrorIs(t, err, ErrFormat)
			assert.Contains(t, err.Error(), tc.want)
			_, _, err = ReadAll(t.Context(), tc.path, Options{})
			if tc.name != "a cell longer than 1 MiB" {
				require.NoError(t, err, "within the default limits")
			}
		})
	}

	t.Run("a 40 KiB cell is a row error", func(t *testing.T) {
		t.Parallel()
		path := writeZip(t, dir, "cell40.xlsx", oneSheet(text(payHeader+inlineRow(2, strings.Repeat("A", 40<<10), "677123456", "1")+inlineRow(3, "Paul", "699009900", "2"))))
		rows, res := readAll(t, path, Options{})
		require.Len(t, res.Errors, 1)
		assert.Equal(t, 2, res.Errors[0].Row)
		assert.Equal(t, "Nom", res.Errors[0].Column)
		assert.Equal(t, strings.Repeat("A", 60)+"… (40 KiB in all)", res.Errors[0].Value)
		assert.Equal(t, "the cell holds 40 KiB of text; a cell may hold at most 32 KiB: shorten it", res.Errors[0].Message)
		require.Len(t, rows, 1)
		assert.Equal(t, "Paul", rows[0].Name)
	})
}

func TestXLSXSheetSearch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cover := text(inlineRow(1, "ACME SARL") + inlineRow(3, "Paie de novembre 2026") + inlineRow(5, "Préparé par", "Awa"))
	empty := text("")
	partial := text(inlineRow(1, "Nom", "Montant") + inlineRow(2, "Jean", "1000"))
	book := func(name string, sheets []string, data ...func(io.Writer) error) string {
		return writeZip(t, dir, name, xlsxParts(sheets, data, nil))
	}

	t.Run("a cover page before the payroll", func(t *testing.T) {
		t.Parallel()
		path := book("cover.xlsx", []string{"Couverture", "Paie"}, cover, payroll(2))
		rows, res := readAll(t, path, Options{})
		require.Empty(t, res.Errors)
		assert.Len(t, rows, 2)
		assert.Equal(t, "Paie", res.Sheet)
		assert.Equal(t, `sheet "Paie"; the first sheet, "Couverture", has no header row`, res.Describe())
	})
	t.Run("an empty first sheet", func(t *testing.T) {
		t.Parallel()
		rows, res := readAll(t, book("empty-first.xlsx", []string{"Feuil1", "Paie"}, empty, payroll(2)), Options{})
		assert.Len(t, rows, 2)
		assert.Equal(t, "Paie", res.Sheet)
	})
	t.Run("two payrolls after a cover page", func(t *testing.T) {
		t.Parallel()
		_, _, err := ReadAll(t.Context(), book("two.xlsx", []string{"Couverture", "Octobre", "Novembre"}, cover, payroll(2), payroll(3)), Options{})
		require.ErrorIs(t, err, ErrFormat)
		assert.Contains(t, err.Error(), `two.xlsx: the first sheet, "Couverture", has no header row, and the sheets "Octobre", "Novembre" each have one: say which to pay with --sheet, e.g. --sheet "Octobre"`)
	})
	t.Run("no sheet with a header", func(t *testing.T) {
		t.Parallel()
		_, res, err := ReadAll(t.Context(), book("none.xlsx", []string{"Couverture", "Notes"}, cover, cover), Options{})
		var he *HeaderError
		require.ErrorAs(t, err, &he)
		assert.Contains(t, err.Error(), `no header row found in the first 30 rows: a header with columns name, phone and amount is needed; no sheet of the workbook has one (sheets "Couverture", "Notes")`)
		require.NotEmpty(t, res.Errors)
	})
	t.Run("a first sheet with a header missing a column is not skipped", func(t *testing.T) {
		t.Parallel()
		_, _, err := ReadAll(t.Context(), book("partial.xlsx", []string{"Paie", "Autre"}, partial, payroll(2)), Options{})
		var he *HeaderError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, []Field{FieldPhone}, he.Missing)
	})
	t.Run("--sheet naming an empty sheet", func(t *testing.T) {
		t.Parallel()
		_, _, err := ReadAll(t.Context(), book("named-empty.xlsx", []string{"Paie", "Vide"}, payroll(1), empty), Options{Sheet: "Vide"})
		require.ErrorIs(t, err, ErrFormat)
		assert.Contains(t, err.Error(), `named-empty.xlsx: sheet "Vide" is empty: choose the sheet with the payroll (--sheet NAME)`)
	})
	t.Run("--sheet naming no sheet", func(t *testing.T) {
		t.Parallel()
		_, _, err := ReadAll(t.Context(), book("absent.xlsx", []string{"Paie"}, payroll(1)), Options{Sheet: "Novembre"})
		require.ErrorIs(t, err, ErrFormat)
		assert.Contains(t, err.Error(), `absent.xlsx: has no sheet "Novembre"; its sheets are "Paie": check the name given to --sheet`)
	})
	t.Run("a workbook with one empty sheet", func(t *testing.T) {
		t.Parallel()
		_, _, err := ReadAll(t.Context(), book("blank.xlsx", []string{"Feuil1"}, empty), Options{})
		require.ErrorIs(t, err, ErrFormat)
		assert.Contains(t, err.Error(), `blank.xlsx: sheet "Feuil1" is empty`)
	})
}
