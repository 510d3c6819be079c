package reports

import (
	"archive/zip"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func TestWorkbookPrintsWell(t *testing.T) {
	t.Parallel()
	dir, err := WriteAll(t.TempDir(), fixture())
	require.NoError(t, err)
	path := filepath.Join(dir, "reconciliation.xlsx")
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()

	titles := map[string]string{} // print titles by sheet
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm.Print_Titles" {
			titles[d.Scope] = d.RefersTo
		}
	}
	numFmt := func(sh, cell string) int {
		t.Helper()
		id, err := f.GetCellStyle(sh, cell)
		require.NoError(t, err)
		st, err := f.GetStyle(id)
		require.NoError(t, err)
		return st.NumFmt
	}

	for _, sh := range f.GetSheetList() {
		t.Run(sh, func(t *testing.T) {
			layout, err := f.GetPageLayout(sh)
			require.NoError(t, err)
			assert.Equal(t, "landscape", *layout.Orientation)
			assert.Equal(t, 9, *layout.Size, "A4")
			require.NotNil(t, layout.FitToWidth)
			require.NotNil(t, layout.FitToHeight)
			assert.Equal(t, 1, *layout.FitToWidth, "one page wide")
			assert.Equal(t, 0, *layout.FitToHeight, "as many pages high as the rows need")
			props, err := f.GetSheetProps(sh)
			require.NoError(t, err)
			assert.True(t, *props.FitToPage, "the fit is in force")
			hf, err := f.GetHeaderFooter(sh)
			require.NoError(t, err)
			require.NotNil(t, hf)
			assert.Contains(t, hf.OddFooter, "Page &P of &N")
			assert.Contains(t, hf.OddFooter, "payroll-2026-11 — "+sh)

			rows, err := f.GetRows(sh)
			require.NoError(t, err)
			require.NotEmpty(t, rows)
			def, err := f.GetColWidth(sh, "ZZ")
			require.NoError(t, err)
			width := len(rows[0])
			if sh == sheetSummary {
				width = 6 // the lines and tables span A to F
			}
			for c := 1; c <= width; c++ {
				col, _ := excelize.ColumnNumberToName(c)
				w, err := f.GetColWidth(sh, col)
				require.NoError(t, err)
				assert.NotEqual(t, def, w, "column %s has a width of its own", col)
			}
			if sh == sheetSummary {
				assert.Empty(t, titles[sh], "the Summary has no table header to repeat")
				return
			}
			assert.Equal(t, "'"+sh+"'!$1:$1", titles[sh], "the header row is repeated on every printed page")
			panes, err := f.GetPanes(sh)
			require.NoError(t, err)
			assert.True(t, panes.Freeze, "and frozen on screen")
		})
	}

	// every amount has a thousands format
	amounts := map[string][]string{sheetItems: {"D", "E", "F"}, sheetReview: {"D"}, sheetRejected: {"D"}, sheetCancelled: {"D"}}
	for sh, cols := range amounts {
		rows, err := f.GetRows(sh)
		require.NoError(t, err)
		require.Greater(t, len(rows), 1, sh)
		for r := 2; r <= len(rows); r++ {
			for _, col := range cols {
				assert.Equal(t, 3, numFmt(sh, col+strconv.Itoa(r)), "%s!%s%d", sh, col, r)
			}
		}
	}
	amount, _ := f.GetCellValue(sheetReview, "D2")
	assert.Equal(t, "70,000", amount)
	ours, _ := f.GetCellValue(sheetMismatches, "E2")
	assert.Equal(t, "150,000", ours, "the amounts of a mismatch are numbers too")
	assert.Equal(t, 3, numFmt(sheetMismatches, "F2"))
	summary, err := f.GetRows(sheetSummary, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	var numbers int
	for r, row := range summary {
		for c, v := range row {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if typ, _ := f.GetCellType(sheetSummary, cell); typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber {
				assert.Equal(t, 3, numFmt(sheetSummary, cell), "Summary!%s (%s)", cell, v)
				numbers++
			}
		}
	}
	assert.Greater(t, numbers, 30, "the Summary's figures were all looked at")

	// mismatches say which row and what, in words; what could not be checked is apart
	mism, err := f.GetRows(sheetMismatches)
	require.NoError(t, err)
	require.Len(t, mism, 3)
	assert.Equal(t, []string{"row", "finding", "provider", "kind", "ours", "theirs", "provider reference"}, mism[0])
	assert.Equal(t, "row 4: we sent 150,000 XAF, CamPay says 15,000 XAF", mism[1][1])
	assert.Contains(t, mism[2][1], "no row: CamPay made a payout that no batch in the ledger knows")
	unchecked, err := f.GetRows(sheetUnchecked)
	require.NoError(t, err)
	require.Len(t, unchecked, 3)
	assert.Equal(t, []string{"5", "mycoolpay", "mc-2", "503 Service Unavailable, still after 4 tries"}, unchecked[1])

	// the chart: providers by the names people know, amounts with a thousands format
	var providers []string
	for _, row := range summary {
		if len(row) > 0 && (row[0] == "CamPay" || row[0] == "CinetPay" || row[0] == "My-CoolPay") {
			providers = append(providers, row[0])
		}
	}
	assert.Len(t, providers, 6, "in the provider table and in the chart's figures")
	chart := zipFile(t, path, "xl/charts/chart1.xml")
	valAx := regexp.MustCompile(`(?s)<valAx>.*</valAx>`).FindString(chart)
	assert.Regexp(t, `<numFmt formatCode="#,##0" sourceLinked="false"`, valAx)
	assert.Contains(t, valAx, "XAF", "the value axis says its currency")
	assert.Regexp(t, `<cat><strRef><f>&#39;Summary&#39;!\$A\$`, chart, "the categories are the provider names")
	sheet1 := zipFile(t, path, "xl/worksheets/sheet1.xml")
	assert.Regexp(t, `<rowBreaks [^>]*><brk id="\d+"`, sheet1, "the chart starts a page of its own")
}

func zipFile(t *testing.T, path, name string) string {
	t.Helper()
	r, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer r.Close()
	for _, f := range r.File {
		if f.Name == name {
			rc, err := f.Open()
			require.NoError(t, err)
			defer rc.Close()
			b, err := io.ReadAll(rc)
			require.NoError(t, err)
			return string(b)
		}
	}
	t.Fatalf("%s has no %s", path, name)
	return ""
}

func TestWrappedLines(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text  string
		width float64
		want  int
	}{
		{"", 10, 1},
		{"short", 10, 1},
		{"eleven char", 10, 1},                     // 11 ≤ 10 × 1.15
		{"twelve chars", 10, 2},                    // 12 > 11: the second word goes down
		{"one two three four five six", 10, 3},     // one two / three four / five six
		{"a\nb\nc", 40, 3},                         // line feeds
		{"0123456789012345678901234567890", 10, 3}, // a long word is cut
		{string(make([]byte, 10000)), 10, maxLines},
	} {
		assert.Equal(t, tc.want, wrappedLines(tc.text, tc.width), "%q", tc.text)
	}
}
