package reports

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// describeWorkbook writes down what a person sees of a workbook: per sheet,
// each cell's value, type and look (number format, alignment, font, fill),
// the column widths, the row heights, merged cells, panes, filters and the
// print titles; not how excelize laid the XML out.
func describeWorkbook(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	var b strings.Builder
	for _, n := range f.GetDefinedName() {
		fmt.Fprintf(&b, "defined %s %s %s\n", n.Name, n.Scope, n.RefersTo)
	}
	for _, sh := range f.GetSheetList() {
		fmt.Fprintf(&b, "== %s\n", sh)
		rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
		require.NoError(t, err)
		for r, row := range rows {
			if h, err := f.GetRowHeight(sh, r+1); err == nil {
				fmt.Fprintf(&b, "row %d height %.2f\n", r+1, h)
			}
			for c := range max(len(row), 16) {
				name, _ := excelize.CoordinatesToCellName(c+1, r+1)
				v, _ := f.GetCellValue(sh, name)
				typ, _ := f.GetCellType(sh, name)
				sid, _ := f.GetCellStyle(sh, name)
				if v == "" && sid == 0 {
					continue
				}
				look := ""
				if sid != 0 {
					st, err := f.GetStyle(sid)
					require.NoError(t, err)
					look = fmt.Sprintf("numfmt=%d", st.NumFmt)
					if st.Alignment != nil {
						look += fmt.Sprintf(" align=%+v", *st.Alignment)
					}
					if st.Font != nil {
						look += fmt.Sprintf(" bold=%v", st.Font.Bold)
					}
					look += fmt.Sprintf(" fill=%v borders=%d", st.Fill.Color, len(st.Border))
				}
				kind := fmt.Sprint(typ)
				if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
					kind = "text" // in a shared table or inline: the same text to a person
				}
				fmt.Fprintf(&b, "  %s %q type=%s %s\n", name, v, kind, look)
			}
		}
		for c := range 16 {
			col, _ := excelize.ColumnNumberToName(c + 1)
			w, _ := f.GetColWidth(sh, col)
			fmt.Fprintf(&b, "col %s width %.2f\n", col, w)
		}
		merged, _ := f.GetMergeCells(sh)
		for _, m := range merged {
			fmt.Fprintf(&b, "merged %s:%s\n", m.GetStartAxis(), m.GetEndAxis())
		}
		panes, _ := f.GetPanes(sh)
		fmt.Fprintf(&b, "panes freeze=%v ysplit=%d top=%s\n", panes.Freeze, panes.YSplit, panes.TopLeftCell)
		layout, _ := f.GetPageLayout(sh)
		fmt.Fprintf(&b, "layout size=%v orientation=%v fitw=%v fith=%v\n", deref(layout.Size), deref(layout.Orientation), deref(layout.FitToWidth), deref(layout.FitToHeight))
		hf, _ := f.GetHeaderFooter(sh)
		fmt.Fprintf(&b, "footer %q\n", hf.OddFooter)
	}
	return b.String()
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// The workbook shows what it showed before it was streamed: every cell, its
// look, the widths, heights, panes and print setup (a description is the
// golden file, since the zip's bytes depend on how excelize writes it).
func TestWorkbookGolden(t *testing.T) {
	dir, err := WriteAll(t.TempDir(), fixture())
	require.NoError(t, err)
	golden(t, "reconciliation.xlsx.txt", []byte(describeWorkbook(t, filepath.Join(dir, "reconciliation.xlsx"))))
}
