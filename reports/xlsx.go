package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"bulkpay/batch"
)

// writeXLSX writes the workbook: Summary (with a chart of amounts by state per
// provider), Items (one row per sheet row, frozen header, filters), Review (items
// needing a person, with the evidence) and Rejected.
func writeXLSX(path string, in Input, sum Summary) error {
	f := excelize.NewFile()
	defer f.Close()
	created := in.Batch.CreatedAt.UTC().Format(time.RFC3339)
	// fixed document properties: the same ledger state gives the same file
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "bulkpay", Title: "Reconciliation " + in.Batch.Reference,
		Created: created, Modified: created}); err != nil {
		return err
	}
	num, err := f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	f.SetSheetName("Sheet1", "Summary")
	if err := summarySheet(f, sum, num, bold); err != nil {
		return err
	}
	if err := itemsSheet(f, in, num, bold); err != nil {
		return err
	}
	if err := reviewSheet(f, in, bold); err != nil {
		return err
	}
	if err := rejectedSheet(f, in, bold); err != nil {
		return err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return err
	}
	stable, err := stableZip(buf.Bytes())
	if err != nil {
		return err
	}
	return writeAtomic(path, func(out *os.File) error {
		_, err := out.Write(stable)
		return err
	})
}

var defaultRE = regexp.MustCompile(`<Default [^>]*></Default>`)

// stableZip rewrites a workbook so that the same content gives the same bytes:
// excelize lists image content types in map order, which changes from run to run.
func stableZip(in []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		if f.Name == "[Content_Types].xml" {
			defaults := defaultRE.FindAllString(string(data), -1)
			sort.Strings(defaults)
			rest := defaultRE.ReplaceAllString(string(data), "")
			i := strings.Index(rest, ">") + 1 // after <Types ...>
			i += strings.Index(rest[i:], ">") + 1
			data = []byte(rest[:i] + strings.Join(defaults, "") + rest[i:])
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// row writes values from cell A<n>; text is neutralised and stays text.
func row(f *excelize.File, sheet string, n int, values ...any) error {
	for i, v := range values {
		cell, _ := excelize.CoordinatesToCellName(i+1, n)
		var err error
		switch x := v.(type) {
		case string:
			err = f.SetCellStr(sheet, cell, Neutralize(x))
		default:
			err = f.SetCellValue(sheet, cell, x)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func summarySheet(f *excelize.File, s Summary, num, bold int) error {
	const sh = "Summary"
	approval := "not approved"
	if s.Approval != nil {
		approval = fmt.Sprintf("%s at %s (plan %s)", s.Approval.By, s.Approval.At.Format(time.RFC3339), s.Approval.PlanHash)
	}
	lines := [][]any{
		{"Batch", s.Reference}, {"Environment", s.Environment}, {"Sheet", s.SheetName}, {"Sheet hash", s.SheetHash},
		{"Period", s.Period}, {"Created", s.CreatedAt.Format(time.RFC3339)}, {"Planned by", s.CreatedBy}, {"Approval", approval},
		{"Items", s.Items}, {"Total amount", s.TotalAmount}, {"Charges", s.Charge}, {"Profit", s.Profit},
		{"Paid", s.SucceededAmount}, {"Provider fees", s.ProviderFees}, {"Items needing a person", s.NeedsPerson},
		{"Mismatches with providers", len(s.Mismatches)}, {"Currency", s.Currency},
	}
	n := 1
	for _, l := range lines {
		if err := row(f, sh, n, l...); err != nil {
			return err
		}
		n++
	}
	f.SetCellStyle(sh, "B10", "B14", num)
	f.SetColWidth(sh, "A", "A", 26)
	f.SetColWidth(sh, "B", "H", 16)

	n++
	table := func(title string, header []any, rows [][]any) (int, int) {
		row(f, sh, n, title)
		f.SetCellStyle(sh, fmt.Sprintf("A%d", n), fmt.Sprintf("A%d", n), bold)
		n++
		row(f, sh, n, header...)
		first := n + 1
		for _, r := range rows {
			n++
			row(f, sh, n, r...)
			c1, _ := excelize.CoordinatesToCellName(2, n)
			c2, _ := excelize.CoordinatesToCellName(len(r), n)
			f.SetCellStyle(sh, c1, c2, num)
		}
		n += 2
		return first, first + len(rows) - 1
	}
	var byState, byProvider, byOperator, mism [][]any
	for _, t := range s.ByState {
		byState = append(byState, []any{t.State, t.Items, t.Amount, t.Charge})
	}
	for _, t := range s.ByProvider {
		byProvider = append(byProvider, []any{t.Provider, t.Items, t.Amount, t.Charge, t.Succeeded})
	}
	for _, t := range s.ByOperator {
		byOperator = append(byOperator, []any{t.Provider + " " + t.Operator, t.Items, t.Amount, t.Charge, t.Succeeded})
	}
	for _, m := range s.Mismatches {
		mism = append(mism, []any{m.Provider, m.Row, m.Kind, m.Ours, m.Theirs, m.Reference})
	}
	table("By state", []any{"state", "items", "amount", "charge"}, byState)
	table("By provider", []any{"provider", "items", "amount", "charge", "paid"}, byProvider)
	table("By operator", []any{"provider / operator", "items", "amount", "charge", "paid"}, byOperator)
	if len(mism) > 0 {
		table("Mismatches", []any{"provider", "row", "kind", "ours", "theirs", "provider reference"}, mism)
	}

	// amounts by state per provider, and a column chart of it
	row(f, sh, n, "Amounts by state per provider")
	f.SetCellStyle(sh, fmt.Sprintf("A%d", n), fmt.Sprintf("A%d", n), bold)
	n++
	var states []batch.State
	for _, t := range s.ByState {
		states = append(states, batch.State(t.State))
	}
	hdr := []any{"provider"}
	for _, st := range states {
		hdr = append(hdr, string(st))
	}
	row(f, sh, n, hdr...)
	header := n
	amounts := map[string]map[string]int64{}
	for _, t := range s.ByProviderState {
		if amounts[t.Provider] == nil {
			amounts[t.Provider] = map[string]int64{}
		}
		amounts[t.Provider][t.State] = t.Amount
	}
	for _, p := range s.ByProvider {
		n++
		vals := []any{p.Provider}
		for _, st := range states {
			vals = append(vals, amounts[p.Provider][string(st)])
		}
		row(f, sh, n, vals...)
		last, _ := excelize.CoordinatesToCellName(len(vals), n)
		f.SetCellStyle(sh, fmt.Sprintf("B%d", n), last, num)
	}
	if len(s.ByProvider) == 0 || len(states) == 0 {
		return nil
	}
	var series []excelize.ChartSeries
	for i := range states {
		col, _ := excelize.ColumnNumberToName(i + 2)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("Summary!$%s$%d", col, header),
			Categories: fmt.Sprintf("Summary!$A$%d:$A$%d", header+1, n),
			Values:     fmt.Sprintf("Summary!$%s$%d:$%s$%d", col, header+1, col, n),
		})
	}
	vary := false // one colour per state, not per provider
	return f.AddChart(sh, "D1", &excelize.Chart{
		Type:       excelize.ColStacked,
		Series:     series,
		VaryColors: &vary,
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Amounts by state per provider (" + s.Currency + ")"}}},
		Legend:     excelize.ChartLegend{Position: "bottom"},
	})
}

func itemsSheet(f *excelize.File, in Input, num, bold int) error {
	const sh = "Items"
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	header := []any{"row", "name", "phone", "amount", "charge", "sent", "provider", "reference", "provider reference",
		"state", "message", "attempts", "last update"}
	if err := row(f, sh, 1, header...); err != nil {
		return err
	}
	f.SetRowStyle(sh, 1, 1, bold)
	for i, it := range in.Items {
		if err := row(f, sh, i+2, it.Row, it.Name, it.Phone, it.Amount, it.Charge, it.Send(), it.Provider, it.Reference,
			it.ProviderReference, string(it.State), it.Message, it.Attempts, it.UpdatedAt.UTC().Format(time.RFC3339)); err != nil {
			return err
		}
	}
	last := len(in.Items) + 1
	f.SetCellStyle(sh, "D2", fmt.Sprintf("F%d", max(last, 2)), num)
	f.SetColWidth(sh, "B", "B", 28)
	f.SetColWidth(sh, "C", "C", 16)
	f.SetColWidth(sh, "D", "F", 12)
	f.SetColWidth(sh, "G", "G", 12)
	f.SetColWidth(sh, "H", "I", 38)
	f.SetColWidth(sh, "J", "J", 12)
	f.SetColWidth(sh, "M", "M", 22)
	f.SetColWidth(sh, "K", "K", 48)
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return f.AutoFilter(sh, fmt.Sprintf("A1:M%d", max(last, 2)), nil)
}

func reviewSheet(f *excelize.File, in Input, bold int) error {
	const sh = "Review"
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	row(f, sh, 1, "row", "name", "phone", "amount", "provider", "reference", "provider reference", "state", "why",
		"attempt", "kind", "started", "finished", "outcome", "request", "answer")
	f.SetRowStyle(sh, 1, 1, bold)
	n := 2
	for _, it := range in.Items {
		if it.State != batch.Review && it.State != batch.Unknown {
			continue
		}
		base := []any{it.Row, it.Name, it.Phone, it.Amount, it.Provider, it.Reference, it.ProviderReference, string(it.State), it.Message}
		atts := in.Attempts[it.ID]
		if len(atts) == 0 {
			row(f, sh, n, base...)
			n++
		}
		for _, a := range atts {
			row(f, sh, n, append(base, a.ID, a.Kind, a.StartedAt.UTC().Format(time.RFC3339), stamp(a.FinishedAt), a.Outcome, a.Request, a.Response)...)
			n++
		}
	}
	return nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func rejectedSheet(f *excelize.File, in Input, bold int) error {
	const sh = "Rejected"
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	row(f, sh, 1, "row", "name", "phone", "amount", "provider", "reason")
	f.SetRowStyle(sh, 1, 1, bold)
	n := 2
	for _, it := range in.Items {
		if it.State == batch.Rejected {
			row(f, sh, n, it.Row, it.Name, it.Phone, it.Amount, it.Provider, it.Message)
			n++
		}
	}
	return nil
}
