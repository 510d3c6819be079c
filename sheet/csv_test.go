package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"bulkpay/batch"
)

func writeBytes(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

func cp1252(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	require.NoError(t, err)
	return b
}

func utf16(t *testing.T, s string, order unicode.Endianness) []byte {
	t.Helper()
	b, err := unicode.UTF16(order, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	require.NoError(t, err)
	return b
}

// frenchExcel is what French Excel on Windows saves as "CSV (séparateur:
// point-virgule)": Windows-1252, semicolons, CRLF, accented headers, amounts
// formatted with two decimals and a no-break space between thousands.
const frenchExcel = "Nom et prénom;Téléphone;Montant (FCFA)\r\n" +
	"Bello Aïcha;677 12 34 56;150\u00a0000,00\r\n" +
	"Élodie Ngono;699009900;98 500\r\n"

func TestCSVEncodings(t *testing.T) {
	t.Parallel()
	english := "Name,Phone,Amount\nBello Aïcha,677123456,150000\nÉlodie Ngono,699009900,98500\n"
	var ascii strings.Builder
	ascii.WriteString("Name,Phone,Amount\n")
	for i := 0; i < 5000; i++ { // 100 KB of plain ASCII before the first accent
		fmt.Fprintf(&ascii, "Person %d,%s,%d\n", i, phone(i), 1000+i)
	}
	ascii.WriteString("Bello Aïcha,650224118,150000\n")
	late := ascii.String()

	cases := []struct {
		name      string
		content   []byte
		encoding  string
		delimiter string
		first     string
		last      string
	}{
		{"utf-8", []byte(english), EncodingUTF8, "comma", "Bello Aïcha", "Élodie Ngono"},
		{"utf-8 with bom", append([]byte("\uFEFF"), english...), EncodingUTF8BOM, "comma", "Bello Aïcha", "Élodie Ngono"},
		{"utf-16le with bom", utf16(t, english, unicode.LittleEndian), EncodingUTF16LE, "comma", "Bello Aïcha", "Élodie Ngono"},
		{"utf-16be with bom", utf16(t, english, unicode.BigEndian), EncodingUTF16BE, "comma", "Bello Aïcha", "Élodie Ngono"},
		{"utf-16le tab-separated (Excel's Unicode Text)", utf16(t, strings.ReplaceAll(english, ",", "\t"), unicode.LittleEndian), EncodingUTF16LE, "tab", "Bello Aïcha", "Élodie Ngono"},
		{"windows-1252 english headers", cp1252(t, english), EncodingWindows1252, "comma", "Bello Aïcha", "Élodie Ngono"},
		{"windows-1252 french excel", cp1252(t, frenchExcel), EncodingWindows1252, "semicolon", "Bello Aïcha", "Élodie Ngono"},
		{"windows-1252 whose first accent is after 100 KB", cp1252(t, late), EncodingWindows1252, "comma", "Person 0", "Bello Aïcha"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rows, res := readAll(t, writeBytes(t, "sheet.csv", tc.content), Options{})
			require.Empty(t, res.Errors)
			assert.Equal(t, tc.encoding, res.Encoding)
			assert.Equal(t, tc.delimiter, res.Delimiter)
			require.NotEmpty(t, rows)
			assert.Equal(t, tc.first, rows[0].Name)
			assert.Equal(t, tc.last, rows[len(rows)-1].Name)
			assert.Contains(t, res.Describe(), tc.encoding)
		})
	}

	t.Run("french excel amounts and row numbers", func(t *testing.T) {
		t.Parallel()
		rows, res := readAll(t, writeBytes(t, "paie.csv", cp1252(t, frenchExcel)), Options{})
		require.Empty(t, res.Errors)
		assert.Equal(t, "Windows-1252, semicolon-separated", res.Describe())
		assert.Equal(t, map[Field]string{FieldName: "Nom et prénom", FieldPhone: "Téléphone", FieldAmount: "Montant (FCFA)"}, res.Columns)
		require.Len(t, rows, 2)
		assert.Equal(t, batch.Row{Row: 2, Name: "Bello Aïcha", Phone: "237677123456", Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 150000}, rows[0])
		assert.Equal(t, int64(98500), rows[1].Amount)
	})
}

func TestCSVShapes(t *testing.T) {
	t.Parallel()
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("sheet.csv")
	w.Write([]byte("Name,Phone,Amount\n"))
	require.NoError(t, zw.Close())

	good := []struct {
		name, content, delimiter string
		rows                     []int
	}{
		{"tab-separated", "Nom\tTéléphone\tMontant\nJean\t677123456\t5000\nAïcha\t699009900\t150 000\n", "tab", []int{2, 3}},
		{"CR-only line ends", "Nom;Téléphone;Montant\rJean;677123456;5000\r\rAïcha;699009900;150000\r", "semicolon", []int{2, 4}},
		{"mixed line ends", "Nom;Téléphone;Montant\r\nJean;677123456;5000\rAïcha;699009900;150000\n", "semicolon", []int{2, 3}},
		{"semicolons with decimal commas", "Nom;Téléphone;Montant\nJean;677123456;5000,00\nAïcha;699009900;150000,00\n", "semicolon", []int{2, 3}},
		{"commas with quoted amounts", "Name,Phone,Amount\nJean,677123456,\"5,000.00\"\nAïcha,699009900,\"150000\"\n", "comma", nil},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rows, res, err := ReadAll(t.Context(), writeCSV(t, tc.content), Options{})
			require.NoError(t, err)
			assert.Equal(t, tc.delimiter, res.Delimiter)
			if tc.rows == nil { // the ambiguous amount is refused, the sheet still read
				require.Len(t, res.Errors, 1)
				assert.Contains(t, res.Errors[0].Message, "ambiguous")
				return
			}
			require.Empty(t, res.Errors)
			var got []int
			for _, r := range rows {
				got = append(got, r.Row)
			}
			assert.Equal(t, tc.rows, got)
		})
	}

	bad := []struct {
		name    string
		content []byte
		want    string
	}{
		{"empty", nil, "sheet.csv: is empty (0 bytes): export the sheet again, with its header row and one row per beneficiary"},
		{"only a BOM", []byte("\uFEFF"), "sheet.csv: has no rows, only blank lines"},
		{"only blank lines and separators", []byte("\r\n;;\r\n  ;  ;\r\n"), "sheet.csv: has no rows, only blank lines"},
		{"a zip named .csv", zipped.Bytes(), "sheet.csv: is a zip archive (an xlsx workbook?), not csv text: if it is a workbook, rename it to .xlsx"},
		{"an .xls named .csv", append(append([]byte{}, oleMagic...), make([]byte, 100)...), "sheet.csv: is an Excel .xls workbook, not csv text"},
		{"UTF-16 without a BOM", utf16(t, "Nom;Téléphone;Montant\nJean;677123456;1000\n", unicode.LittleEndian)[2:], "sheet.csv: looks like UTF-16 text without a byte-order mark, which cannot be read safely: save it again as \"CSV UTF-8\""},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := ReadAll(t.Context(), writeBytes(t, "sheet.csv", tc.content), Options{})
			require.ErrorIs(t, err, ErrFormat)
			assert.Contains(t, err.Error(), tc.want)
		})
	}

	t.Run("--sheet on a csv", func(t *testing.T) {
		t.Parallel()
		_, _, err := ReadAll(t.Context(), writeCSV(t, "Name,Phone,Amount\n"), Options{Sheet: "Paie"})
		require.ErrorIs(t, err, ErrFormat)
		assert.Contains(t, err.Error(), `--sheet "Paie": a csv file has no sheets`)
	})
}

// TestTextCellsRefused: control characters, bytes the encoding could not give,
// direction marks and overlong names are row errors naming row, column and value.
func TestTextCellsRefused(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Jean ", 41) // 205 characters
	cases := []struct {
		name, cell, column, want string
	}{
		{"NUL in a name", "Jean\x00Mbarga", "Nom", "name holds the control character U+0000, which is not text: remove it"},
		{"escape in a name", "Jean \x1b[31mMbarga", "Nom", "name holds the control character U+001B"},
		{"C1 control in a name", "Jean\u0090Mbarga", "Nom", "name holds the control character U+0090"},
		{"replacement character in a name", "Bello A\uFFFDcha", "Nom", "name holds an unreadable character"},
		{"direction override in a name", "Jean \u202eagrabM", "Nom", "name holds the invisible direction mark U+202E"},
		{"overlong name", long, "Nom", "name is 204 characters long; a name may have at most 200: shorten it"},
		{"NUL in a reference", "EMP\x00-1", "Matricule", "reference holds the control character U+0000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			name, ref := tc.cell, "EMP-1"
			if tc.column == "Matricule" {
				name, ref = "Jean Mbarga", tc.cell
			}
			content := "Nom;Téléphone;Montant;Matricule\n" + name + ";677123456;1000;" + ref + "\nAïcha Bello;699009900;2000;EMP-2\n"
			rows, res := readAll(t, writeCSV(t, content), Options{})
			require.Len(t, res.Errors, 1)
			e := res.Errors[0]
			assert.Equal(t, 2, e.Row)
			assert.Equal(t, tc.column, e.Column)
			assert.Equal(t, shorten(tc.cell), e.Value)
			assert.Contains(t, e.Message, tc.want)
			require.Len(t, rows, 1, "the other row is read")
			assert.Equal(t, "Aïcha Bello", rows[0].Name)
		})
	}

	t.Run("line breaks and tabs in a name are folded, not refused", func(t *testing.T) {
		t.Parallel()
		rows, res := readAll(t, writeCSV(t, "Nom;Téléphone;Montant\n\"Jean\r\n\tMbarga\";677123456;1000\n"), Options{})
		require.Empty(t, res.Errors)
		assert.Equal(t, "Jean Mbarga", rows[0].Name)
	})
}

func TestLimits(t *testing.T) {
	t.Parallel()
	header := "Nom;Téléphone;Montant\n"
	five := header
	for i := 0; i < 5; i++ {
		five += fmt.Sprintf("Person %d;%s;%d\n", i, phone(i), 1000+i)
	}
	t.Run("rows", func(t *testing.T) {
		t.Parallel()
		_, _, err := ReadAll(t.Context(), writeCSV(t, five), Options{Limits: Limits{MaxRows: 4}})
		require.ErrorIs(t, err, ErrFormat)
		assert.Contains(t, err.Error(), "sheet.csv, row 6: the sheet has more than 4 rows below its header; bulkpay pays at most 4 rows in one batch: split the sheet into several files")
		_, _, err = ReadAll(t.Context(), writeCSV(t, five), Options{Limits: Limits{MaxRows: 5}})
		require.NoError(t, err)
	})
	t.Run("file size", func(t *testing.T) {
		t.Parallel()
		_, _, err := ReadAll(t.Context(), writeCSV(t, five), Options{Limits: Limits{MaxFileBytes: 100}})
		require.ErrorIs(t, err, ErrFormat)
		assert.Contains(t, err.Error(), fmt.Sprintf("sheet.csv: is %d bytes; bulkpay reads sheets of up to 100 bytes: split it into smaller sheets", len(five)))
	})
	for _, tc := range []struct{ name, content, says string }{
		{"a long line", header + "A;677123456;1\n\n" + strings.Repeat("x", 300) + ";699009900;2\n",
			"sheet.csv, row 4: the row holds more than 200 bytes of text"},
		{"a quoted field over many lines", header + "A;677123456;1\n\"" + strings.Repeat("une ligne\n", 50) + "\";699009900;2\n",
			"sheet.csv, row 3: the row holds more than 200 bytes of text"},
		{"many fields", header + "A;677123456;1" + strings.Repeat(";", 20) + "\n",
			"sheet.csv, row 2: the row holds more than 200 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := ReadAll(t.Context(), writeCSV(t, tc.content), Options{Limits: Limits{MaxRecordBytes: 200}})
			require.ErrorIs(t, err, ErrFormat)
			assert.Contains(t, err.Error(), tc.says)
		})
	}
	t.Run("a long cell", func(t *testing.T) {
		t.Parallel()
		content := header + strings.Repeat("Jean", 10) + ";677123456;1\nB;699009900;2\n"
		rows, res := readAll(t, writeCSV(t, content), Options{Limits: Limits{MaxCellBytes: 16}})
		require.Len(t, res.Errors, 1)
		assert.Equal(t, batch.RowError{Row: 2, Column: "Nom", Value: strings.Repeat("Jean", 10),
			Message: "the cell holds 40 bytes of text; a cell may hold at most 16 bytes: shorten it"}, res.Errors[0])
		assert.Equal(t, 2, res.Rows)
		assert.Equal(t, 1, res.Invalid)
		assert.Len(t, rows, 1)
	})
	t.Run("a long cell in a column bulkpay does not use", func(t *testing.T) {
		t.Parallel()
		content := "Nom;Téléphone;Montant;;Notes\nA;677123456;1;" + strings.Repeat("n", 20) + ";" + strings.Repeat("n", 20) + "\n"
		_, res := readAll(t, writeCSV(t, content), Options{Limits: Limits{MaxCellBytes: 16}})
		require.Len(t, res.Errors, 2)
		assert.Equal(t, "column D", res.Errors[0].Column)
		assert.Equal(t, "Notes", res.Errors[1].Column)
	})
	t.Run("row errors kept", func(t *testing.T) {
		t.Parallel()
		content := header
		for i := 0; i < 7; i++ {
			content += fmt.Sprintf("Person %d;%s;%s\n", i, phone(i), strings.Repeat("9", 200)+",5")
		}
		_, res := readAll(t, writeCSV(t, content), Options{Limits: Limits{MaxErrors: 3}})
		assert.Equal(t, 7, res.Invalid)
		require.Len(t, res.Errors, 3)
		assert.Equal(t, 4, res.MoreErrors)
		assert.Equal(t, []int{2, 3, 4}, []int{res.Errors[0].Row, res.Errors[1].Row, res.Errors[2].Row})
		assert.Equal(t, strings.Repeat("9", 60)+"… (202 bytes in all)", res.Errors[0].Value, "a long value is cut in the error")
	})
}

// TestReadStopsWhenCancelled: Ctrl-C or SIGTERM cancels the context; reading
// stops and says so.
func TestReadStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("Nom;Téléphone;Montant\n")
	const n = 50_000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Person %d;%s;%d\n", i, phone(i), 1000+i)
	}
	csvPath := writeCSV(t, b.String())
	xlsxPath := writeZip(t, t.TempDir(), "big.xlsx", xlsxParts([]string{"Paie"}, []func(w io.Writer) error{
		rows(payHeader, n, func(i int) string { return inlineRow(i+2, fmt.Sprintf("Person %d", i), phone(i), "1000") })}, nil))
	for _, path := range []string{csvPath, xlsxPath} {
		t.Run(filepath.Ext(path), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			seen := 0
			_, err := Read(ctx, path, Options{}, func(batch.Row) error {
				seen++
				cancel()
				return nil
			})
			require.ErrorIs(t, err, batch.ErrInterrupted)
			assert.Contains(t, err.Error(), "reading "+filepath.Base(path)+" stopped: interrupted; nothing was sent")
			assert.Less(t, seen, n, "reading stopped before the end")

			_, _, err = ReadAll(ctx, path, Options{}) // already cancelled
			require.ErrorIs(t, err, batch.ErrInterrupted)
		})
	}
}
