package sheet

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// part is one file of a zip archive; body writes its content.
type part struct {
	name string
	body func(w io.Writer) error
}

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// writeZip writes the parts, deflated, into dir/name.
func writeZip(t testing.TB, dir, name string, parts []part) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		require.NoError(t, err)
		require.NoError(t, p.body(w))
	}
	require.NoError(t, zw.Close())
	return path
}

// xlsxParts are the parts of a minimal workbook whose sheets hold the given
// worksheet XML bodies (what goes inside <sheetData>), with an optional shared
// strings part.
func xlsxParts(sheets []string, data []func(io.Writer) error, sst func(io.Writer) error) []part {
	var types, wbSheets, rels strings.Builder
	for i := range sheets {
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
		fmt.Fprintf(&wbSheets, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, sheets[i], i+1, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
	}
	if sst != nil {
		types.WriteString(`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`, len(sheets)+1)
	}
	parts := []part{
		{"[Content_Types].xml", text(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			types.String() + `</Types>`)},
		{"_rels/.rels", text(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
			`</Relationships>`)},
		{"xl/workbook.xml", text(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets>` + wbSheets.String() + `</sheets></workbook>`)},
		{"xl/_rels/workbook.xml.rels", text(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`)},
	}
	for i := range sheets {
		body := data[i]
		parts = append(parts, part{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), func(w io.Writer) error {
			if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
				`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`); err != nil {
				return err
			}
			if err := body(w); err != nil {
				return err
			}
			_, err := io.WriteString(w, `</sheetData></worksheet>`)
			return err
		}})
	}
	if sst != nil {
		parts = append(parts, part{"xl/sharedStrings.xml", sst})
	}
	return parts
}

// inlineRow is a worksheet row of inline-string cells.
func inlineRow(n int, cells ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<row r="%d">`, n)
	for i, c := range cells {
		col := string(rune('A' + i))
		fmt.Fprintf(&b, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, col, n, c)
	}
	b.WriteString(`</row>`)
	return b.String()
}

// rows writes header and then count rows made by row(i).
func rows(header string, count int, row func(i int) string) func(io.Writer) error {
	return func(w io.Writer) error {
		if _, err := io.WriteString(w, header); err != nil {
			return err
		}
		for i := 0; i < count; i++ {
			if _, err := io.WriteString(w, row(i)); err != nil {
				return err
			}
		}
		return nil
	}
}

var payHeader = inlineRow(1, "Nom", "Téléphone", "Montant")

// phone is the i-th distinct Cameroonian MTN or Orange number.
func phone(i int) string {
	if i%2 == 0 {
		return fmt.Sprintf("67%07d", i)
	}
	return fmt.Sprintf("69%07d", i)
}
