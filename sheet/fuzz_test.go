package sheet

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bulkpay/batch"
)

// fuzzLimits keep each fuzz run small.
var fuzzLimits = Limits{MaxRows: 500, MaxRecordBytes: 8 << 10, MaxCellBytes: 2 << 10, MaxErrors: 20,
	MaxFileBytes: 4 << 20, MaxUnzipBytes: 16 << 20, MaxPartBytes: 4 << 20, MaxSharedStrings: 10_000}

// checkRead reads path and checks what any input must give: no panic, either
// rows that add up or an error that says the file is refused (exit 2), never
// another kind of error.
func checkRead(t *testing.T, path string) {
	var got []batch.Row
	res, err := Read(t.Context(), path, Options{Limits: fuzzLimits}, func(r batch.Row) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		var he *HeaderError
		if !errors.Is(err, ErrFormat) && !errors.As(err, &he) {
			t.Fatalf("an error that is neither ErrFormat nor a HeaderError: %T %v", err, err)
		}
		if strings.TrimSpace(err.Error()) == "" {
			t.Fatal("an empty error message")
		}
		return
	}
	if res.Valid+res.Invalid != res.Rows {
		t.Fatalf("valid %d + invalid %d != rows %d", res.Valid, res.Invalid, res.Rows)
	}
	if res.Valid != len(got) {
		t.Fatalf("valid %d but %d rows given", res.Valid, len(got))
	}
	if len(res.Errors) > fuzzLimits.MaxErrors {
		t.Fatalf("%d errors kept, limit %d", len(res.Errors), fuzzLimits.MaxErrors)
	}
	var sum int64
	last := 0
	for _, r := range got {
		if r.Amount <= 0 {
			t.Fatalf("row %d: amount %d", r.Row, r.Amount)
		}
		if r.Name == "" || badText("name", r.Name) != "" || len(r.Name) > fuzzLimits.MaxCellBytes {
			t.Fatalf("row %d: name %q accepted", r.Row, r.Name)
		}
		if r.Row <= last || r.Row <= res.HeaderRow {
			t.Fatalf("row %d after row %d (header %d)", r.Row, last, res.HeaderRow)
		}
		last = r.Row
		sum += r.Amount
	}
	if sum != res.TotalAmount {
		t.Fatalf("rows add up to %d, total says %d", sum, res.TotalAmount)
	}
	for _, e := range res.Errors {
		if e.Message == "" || len(e.Value) > 200 {
			t.Fatalf("row error %+v", e)
		}
	}
}

func fuzzFile(t *testing.T, name string, data []byte) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// FuzzReadCSV reads any bytes as a csv file. Seeds: testdata/fuzz/FuzzReadCSV.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("Nom;Téléphone;Montant\nJean;677123456;150 000,00\nTOTAL;;150000\n"))
	f.Add([]byte("\xef\xbb\xbfName,Phone,Amount\r\n\"A, B\",+237 699 00 99 00,\"1,000\"\r\n"))
	f.Add([]byte("Nom\tT\xe9l\xe9phone\tMontant\rA\xefcha\t699009900\t2000\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, fuzzFile(t, "sheet.csv", data))
	})
}

// FuzzReadXLSX reads any bytes as an xlsx file. Seeds: testdata/fuzz/FuzzReadXLSX
// (workbooks saved by excelize and by hand, stored and deflated).
func FuzzReadXLSX(f *testing.F) {
	for _, name := range []string{"payroll-2026-11.xlsx", "payroll-with-errors.xlsx"} {
		if b, err := os.ReadFile(filepath.Join("..", "samples", name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, fuzzFile(t, "sheet.xlsx", data))
	})
}

// FuzzReadXLSXParts reads a workbook whose first sheet's XML and shared strings
// are the fuzzer's, in a valid zip, so that mutations reach excelize rather than
// failing the zip's checksums. Seeds: testdata/fuzz/FuzzReadXLSXParts.
func FuzzReadXLSXParts(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>`+
		`<row r="2"><c r="A2" t="inlineStr"><is><t>Jean</t></is></c><c r="B2"><v>677123456</v></c><c r="C2"><v>150000</v></c></row>`+
		`</sheetData></worksheet>`),
		[]byte(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Nom</t></si><si><t>Téléphone</t></si><si><r><t>Mon</t></r><r><t>tant</t></r></si></sst>`))
	f.Fuzz(func(t *testing.T, sheet, sst []byte) {
		parts := xlsxParts([]string{"Paie"}, []func(io.Writer) error{text("")}, text(string(sst)))
		for i := range parts {
			if parts[i].name == "xl/worksheets/sheet1.xml" {
				parts[i].body = text(string(sheet))
			}
		}
		checkRead(t, writeZip(t, t.TempDir(), "sheet.xlsx", parts))
	})
}

// FuzzXMLScan: what xmlScanner accepts, encoding/xml reads to its end without an
// error (excelize would otherwise stop there silently), written in any chunks.
func FuzzXMLScan(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><a x="1" y='&lt;'><b/><!-- c --><![CDATA[<d>]]>t&amp;&#233;&#x10FFFF;</a>`), uint8(3))
	f.Add([]byte(`<x:row r="2"><x:c><x:v>1</x:v></x:c></x:row>`), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		s := newXMLScanner(DefaultLimits)
		s.maxText, s.maxTag, s.maxElem = 64, 64, 256
		step := int(chunk%16) + 1
		var err error
		for i := 0; i < len(data) && err == nil; i += step {
			_, err = s.Write(data[i:min(i+step, len(data))])
		}
		if err == nil {
			err = s.Close()
		}
		if err != nil {
			return
		}
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			_, err := d.Token()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("the scanner accepts what encoding/xml refuses: %v", err)
			}
		}
	})
}
