package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"bulkpay/batch"
)

// The workbook's sheets, in order.
const (
	sheetSummary    = "Summary"
	sheetItems      = "Items"
	sheetReview     = "Review"
	sheetRejected   = "Rejected"
	sheetCancelled  = "Cancelled"
	sheetMismatches = "Mismatches"
	sheetUnchecked  = "Could not check"
)

// column is one column of a table sheet: its heading, its width in characters,
// and how its cells look.
type column struct {
	title string
	width float64
	kind  colKind
}

type colKind int

const (
	text    colKind = iota // on one line
	wrapped                // long text wrapped within the width
	amount                 // money: whole numbers with a thousands separator
	count                  // a row number or a count, centred
)

// book is a workbook being written, with its styles.
type book struct {
	f   *excelize.File
	ref string // the batch reference, in page footers
	// styles
	num, bold, header, headerRight, top, wrap, numTop, center int
}

// writeXLSX writes the workbook: Summary (totals, tables and a chart of amounts
// by state per provider), Items (one row per sheet row), Review (items needing a
// person, with the evidence), Rejected, Cancelled (never sent: who and why), Mismatches (each in words) and Could not
// check. Every sheet prints landscape, one page wide, its header row repeated on
// every page.
func writeXLSX(path string, in Input, sum Summary) error {
	f := excelize.NewFile()
	defer f.Close()
	created := in.Batch.CreatedAt.UTC().Format(time.RFC3339)
	// fixed document properties: the same ledger state gives the same file
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "bulkpay", Title: "Reconciliation " + in.Batch.Reference,
		Created: created, Modified: created}); err != nil {
		return err
	}
	w := &book{f: f, ref: in.Batch.Reference}
	thin := []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
	grey := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}
	for _, st := range []struct {
		id    *int
		style excelize.Style
	}{
		{&w.num, excelize.Style{NumFmt: 3}}, // #,##0
		{&w.bold, excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&w.header, excelize.Style{Font: &excelize.Font{Bold: true}, Border: thin, Fill: grey,
			Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&w.headerRight, excelize.Style{Font: &excelize.Font{Bold: true}, Border: thin, Fill: grey,
			Alignment: &excelize.Alignment{Horizontal: "right", Indent: 1, Vertical: "top", WrapText: true}}},
		{&w.top, excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&w.wrap, excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&w.numTop, excelize.Style{NumFmt: 3, Alignment: &excelize.Alignment{Horizontal: "right", Indent: 1, Vertical: "top"}}},
		{&w.center, excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}}},
	} {
		id, err := f.NewStyle(&st.style)
		if err != nil {
			return err
		}
		*st.id = id
	}
	if err := f.SetSheetName("Sheet1", sheetSummary); err != nil {
		return err
	}
	if err := w.summarySheet(sum); err != nil {
		return err
	}
	for _, sh := range []struct {
		name string
		cols []column
		rows [][]any
	}{
		{sheetItems, itemColumns, itemRows(in)},
		{sheetReview, reviewColumns, reviewRows(in)},
		{sheetRejected, rejectedColumns, stateRows(in, batch.Rejected)},
		{sheetCancelled, cancelledColumns, stateRows(in, batch.Cancelled)},
		{sheetMismatches, mismatchColumns, mismatchRows(sum)},
		{sheetUnchecked, uncheckedColumns, uncheckedRows(sum)},
	} {
		if err := w.tableSheet(sh.name, sh.cols, sh.rows); err != nil {
			return fmt.Errorf("sheet %s: %w", sh.name, err)
		}
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

var itemColumns = []column{{"row", 6, count}, {"name", 24, wrapped}, {"phone", 13, text},
	{"amount", 11, amount}, {"charge", 8, amount}, {"sent", 11, amount}, {"provider", 10, text},
	{"reference", 36, text}, {"provider reference", 20, wrapped}, {"state", 9, text},
	{"message", 34, wrapped}, {"attempts", 9, count}, {"last update", 20, text}}

func itemRows(in Input) [][]any {
	var rows [][]any
	for _, it := range in.Items {
		rows = append(rows, []any{it.Row, it.Name, it.Phone, it.Amount, it.Charge, it.Send(), it.Provider, it.Reference,
			it.ProviderReference, it.State, it.Message, it.Attempts, it.UpdatedAt.UTC().Format(time.RFC3339)})
	}
	return rows
}

var reviewColumns = []column{{"row", 6, count}, {"name", 20, wrapped}, {"phone", 13, text},
	{"amount", 11, amount}, {"provider", 10, text}, {"reference", 36, text},
	{"provider reference", 16, wrapped}, {"state", 8, text}, {"why", 24, wrapped}, {"attempt", 8, count},
	{"kind", 7, text}, {"started", 20, text}, {"finished", 20, text}, {"outcome", 9, text},
	{"request", 30, wrapped}, {"answer", 30, wrapped}}

func reviewRows(in Input) [][]any {
	var rows [][]any
	for _, it := range in.Items {
		if it.State != batch.Review && it.State != batch.Unknown {
			continue
		}
		base := []any{it.Row, it.Name, it.Phone, it.Amount, it.Provider, it.Reference, it.ProviderReference, it.State, it.Message}
		atts := in.Attempts[it.ID]
		if len(atts) == 0 {
			rows = append(rows, base)
		}
		for _, a := range atts {
			rows = append(rows, append(base[:len(base):len(base)], a.ID, a.Kind, a.StartedAt.UTC().Format(time.RFC3339),
				stamp(a.FinishedAt), a.Outcome, a.Request, a.Response))
		}
	}
	return rows
}

var rejectedColumns = []column{{"row", 6, count}, {"name", 28, wrapped}, {"phone", 13, text},
	{"amount", 11, amount}, {"provider", 10, text}, {"reason", 70, wrapped}}

// cancelledColumns: a cancelled item's message says who cancelled it and why.
var cancelledColumns = []column{{"row", 6, count}, {"name", 28, wrapped}, {"phone", 13, text},
	{"amount", 11, amount}, {"provider", 10, text}, {"cancelled by, why", 70, wrapped}}

// stateRows are the items in st, with their message.
func stateRows(in Input, st batch.State) [][]any {
	var rows [][]any
	for _, it := range in.Items {
		if it.State == st {
			rows = append(rows, []any{it.Row, it.Name, it.Phone, it.Amount, it.Provider, it.Message})
		}
	}
	return rows
}

var mismatchColumns = []column{{"row", 6, count}, {"finding", 60, wrapped}, {"provider", 10, text},
	{"kind", 15, text}, {"ours", 14, wrapped}, {"theirs", 30, wrapped}, {"provider reference", 24, wrapped}}

func mismatchRows(s Summary) [][]any {
	var rows [][]any
	for _, m := range s.Mismatches {
		ours, theirs := any(m.Ours), any(m.Theirs)
		if m.Kind == "amount" || m.Kind == "fee" { // amounts stay numbers
			ours, theirs = wholeOr(m.Ours), wholeOr(m.Theirs)
		}
		rows = append(rows, []any{m.Row, Finding(m, s.Currency), m.Provider, m.Kind, ours, theirs, m.Reference})
	}
	return rows
}

// wholeOr is s as a whole number when it is one, s otherwise.
func wholeOr(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}

var uncheckedColumns = []column{{"row", 6, count}, {"provider", 10, text},
	{"provider reference", 30, wrapped}, {"why it could not be checked", 80, wrapped}}

func uncheckedRows(s Summary) [][]any {
	var rows [][]any
	for _, u := range s.CouldNotCheck {
		rows = append(rows, []any{u.Row, u.Provider, u.Reference, u.Reason})
	}
	return rows
}

// tableSheet writes a sheet of one table: the header on row 1 (frozen, with
// filters, repeated on every printed page), a width and a format per column,
// money with a thousands separator wherever it is, and rows as high as their
// wrapped text.
func (w *book) tableSheet(sh string, cols []column, rows [][]any) error {
	f := w.f
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	titles := make([]any, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	if err := w.row(sh, 1, titles...); err != nil {
		return err
	}
	last := max(len(rows)+1, 2)
	head := 1
	for _, c := range cols {
		head = max(head, wrappedLines(c.title, c.width*0.85)) // bold headings are wider
	}
	if head > 1 {
		if err := f.SetRowHeight(sh, 1, float64(head)*rowHeight); err != nil {
			return err
		}
	}
	for i, c := range cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, name, name, c.width); err != nil {
			return err
		}
		head, style := w.header, w.top
		switch c.kind {
		case amount:
			head, style = w.headerRight, w.numTop
		case wrapped:
			style = w.wrap
		case count:
			style = w.center
		}
		if err := f.SetCellStyle(sh, name+"1", name+"1", head); err != nil {
			return err
		}
		if len(rows) > 0 {
			if err := f.SetCellStyle(sh, name+"2", fmt.Sprintf("%s%d", name, last), style); err != nil {
				return err
			}
		}
	}
	for i, r := range rows {
		n := i + 2
		if err := w.row(sh, n, r...); err != nil {
			return err
		}
		lines := 1
		for j, v := range r {
			c := cols[j]
			if _, money := v.(int64); money && (c.kind == text || c.kind == wrapped) {
				name, _ := excelize.CoordinatesToCellName(j+1, n)
				if err := f.SetCellStyle(sh, name, name, w.numTop); err != nil {
					return err
				}
			}
			if s, ok := cell(v).(string); ok && c.kind == wrapped {
				lines = max(lines, wrappedLines(s, c.width))
			}
		}
		if lines > 1 { // a spreadsheet does not always grow a row for wrapped text
			if err := f.SetRowHeight(sh, n, float64(lines)*rowHeight); err != nil {
				return err
			}
		}
	}
	lastCol, _ := excelize.ColumnNumberToName(len(cols))
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := f.AutoFilter(sh, fmt.Sprintf("A1:%s%d", lastCol, last), nil); err != nil {
		return err
	}
	return w.printSetup(sh, true)
}

// rowHeight is the height of one line of text, in points.
const rowHeight = 15

// maxLines bounds a row's height; the whole text stays in the cell and the csv.
const maxLines = 20

// wrappedLines estimates how many lines text takes wrapped word by word in a
// column of width characters (the width of a digit; text averages narrower).
func wrappedLines(text string, width float64) int {
	per := max(int(width*1.15), 1)
	n := 0
	for _, para := range strings.Split(text, "\n") {
		n++
		used := 0
		for _, word := range strings.Fields(para) {
			l := utf8.RuneCountInString(word)
			switch {
			case used == 0:
			case used+1+l <= per:
				used += 1 + l
				continue
			default:
				n++
			}
			n += (l - 1) / per // a word longer than the column is cut
			used = (l-1)%per + 1
		}
	}
	return min(n, maxLines)
}

// printSetup makes a sheet print landscape on A4, one page wide and as many
// pages high as its rows need, with the batch and page numbers in the footer
// and, for a table, its header row repeated on every page.
func (w *book) printSetup(sh string, header bool) error {
	f := w.f
	a4, landscape, one, auto := 9, "landscape", 1, 0
	if err := f.SetPageLayout(sh, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape,
		FitToWidth: &one, FitToHeight: &auto}); err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	side, top := 0.4, 0.6
	if err := f.SetPageMargins(sh, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &top, Bottom: &top}); err != nil {
		return err
	}
	ref := []rune(w.ref)
	if len(ref) > 100 {
		ref = append(ref[:100], '…')
	}
	footer := "&L" + strings.ReplaceAll(string(ref)+" — "+sh, "&", "&&") + "&RPage &P of &N"
	if err := f.SetHeaderFooter(sh, &excelize.HeaderFooterOptions{OddFooter: footer}); err != nil {
		return err
	}
	if !header {
		return nil
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: quoteSheet(sh) + "!$1:$1", Scope: sh})
}

// quoteSheet is a sheet name as a formula reference names it.
func quoteSheet(sh string) string {
	return "'" + strings.ReplaceAll(sh, "'", "''") + "'"
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

// row writes values from cell A<n>, each through cell: text is neutralised and
// stays text, whole numbers stay numbers.
func (w *book) row(sheet string, n int, values ...any) error {
	for i, v := range values {
		name, _ := excelize.CoordinatesToCellName(i+1, n)
		var err error
		switch x := cell(v).(type) {
		case string:
			err = w.f.SetCellStr(sheet, name, x)
		default:
			err = w.f.SetCellValue(sheet, name, x)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// summarySheet writes the Summary: the batch, its totals and counts, tables by
// state, provider and operator, amounts by state per provider and their chart.
func (w *book) summarySheet(s Summary) error {
	f, sh := w.f, sheetSummary
	type line struct {
		label string
		value any
	}
	lines := []line{{"Batch", s.Reference}, {"Environment", s.Environment}, {"Sheet", s.SheetName}, {"Sheet hash", s.SheetHash},
		{"Period", s.Period}, {"Created", s.CreatedAt.Format(time.RFC3339)}, {"Planned by", s.CreatedBy}, {"Plan hash", s.PlanHash}}
	if s.Approval == nil {
		lines = append(lines, line{"Approval", "not approved"})
	} else {
		lines = append(lines, line{"Approved by", s.Approval.By}, line{"Approved at", s.Approval.At.Format(time.RFC3339)},
			line{"Approved plan", s.Approval.PlanHash})
	}
	lines = append(lines, line{"Currency", s.Currency}, line{"Items", s.Items}, line{"Total amount", s.TotalAmount},
		line{"Charges", s.Charge}, line{"Profit", s.Profit}, line{"Paid", s.SucceededAmount}, line{"Provider fees", s.ProviderFees},
		line{"Items needing a person", s.NeedsPerson}, line{"Mismatches with providers", len(s.Mismatches)},
		line{"Records that could not be checked", len(s.CouldNotCheck)})
	n := 1
	for _, l := range lines {
		if err := w.row(sh, n, l.label, l.value); err != nil {
			return err
		}
		b := fmt.Sprintf("B%d", n)
		var err error
		switch l.value.(type) {
		case string: // text spans the width of the tables below
			err = f.MergeCell(sh, b, fmt.Sprintf("F%d", n))
		default:
			err = f.SetCellStyle(sh, b, b, w.num)
		}
		if err != nil {
			return err
		}
		n++
	}
	if len(s.Mismatches) > 0 || len(s.CouldNotCheck) > 0 {
		if err := w.row(sh, n, "Each finding is on the Mismatches and Could not check sheets, in words, with its row."); err != nil {
			return err
		}
		n++
	}
	for _, col := range []struct {
		from, to string
		width    float64
	}{{"A", "A", 32}, {"B", "B", 16}, {"C", "I", 14}} {
		if err := f.SetColWidth(sh, col.from, col.to, col.width); err != nil {
			return err
		}
	}

	n++
	table := func(title string, header []any, rows [][]any) (first, last int, err error) {
		if err := w.row(sh, n, title); err != nil {
			return 0, 0, err
		}
		a := fmt.Sprintf("A%d", n)
		if err := f.SetCellStyle(sh, a, a, w.bold); err != nil {
			return 0, 0, err
		}
		n++
		if err := w.row(sh, n, header...); err != nil {
			return 0, 0, err
		}
		end, _ := excelize.CoordinatesToCellName(len(header), n)
		if err := f.SetCellStyle(sh, fmt.Sprintf("A%d", n), fmt.Sprintf("A%d", n), w.header); err != nil {
			return 0, 0, err
		}
		if err := f.SetCellStyle(sh, fmt.Sprintf("B%d", n), end, w.headerRight); err != nil {
			return 0, 0, err
		}
		first = n + 1
		for _, r := range rows {
			n++
			if err := w.row(sh, n, r...); err != nil {
				return 0, 0, err
			}
			c2, _ := excelize.CoordinatesToCellName(len(r), n)
			if err := f.SetCellStyle(sh, fmt.Sprintf("B%d", n), c2, w.num); err != nil {
				return 0, 0, err
			}
		}
		last = n
		n += 2
		return first, last, nil
	}
	var byState, byProvider, byOperator [][]any
	for _, t := range s.ByState {
		byState = append(byState, []any{t.State, t.Items, t.Amount, t.Charge})
	}
	for _, t := range s.ByProvider {
		byProvider = append(byProvider, []any{ProviderName(t.Provider), t.Items, t.Amount, t.Charge, t.Succeeded})
	}
	for _, t := range s.ByOperator {
		byOperator = append(byOperator, []any{ProviderName(t.Provider) + " " + t.Operator, t.Items, t.Amount, t.Charge, t.Succeeded})
	}
	if _, _, err := table("By state", []any{"state", "items", "amount", "charge"}, byState); err != nil {
		return err
	}
	if _, _, err := table("By provider", []any{"provider", "items", "amount", "charge", "paid"}, byProvider); err != nil {
		return err
	}
	if _, _, err := table("By operator", []any{"provider / operator", "items", "amount", "charge", "paid"}, byOperator); err != nil {
		return err
	}

	// amounts by state per provider, and a column chart of it below
	var states []string
	for _, t := range s.ByState {
		states = append(states, t.State)
	}
	amounts := map[string]map[string]int64{}
	for _, t := range s.ByProviderState {
		if amounts[t.Provider] == nil {
			amounts[t.Provider] = map[string]int64{}
		}
		amounts[t.Provider][t.State] = t.Amount
	}
	hdr := []any{"provider"}
	for _, st := range states {
		hdr = append(hdr, st)
	}
	var per [][]any
	for _, p := range s.ByProvider {
		vals := []any{ProviderName(p.Provider)}
		for _, st := range states {
			vals = append(vals, amounts[p.Provider][st])
		}
		per = append(per, vals)
	}
	// the chart and its figures start a printed page of their own, never cut in two
	if err := f.InsertPageBreak(sh, fmt.Sprintf("A%d", n)); err != nil {
		return err
	}
	first, last, err := table("Amounts by state per provider ("+s.Currency+")", hdr, per)
	if err != nil {
		return err
	}
	if len(per) > 0 && len(states) > 0 {
		var series []excelize.ChartSeries
		q := quoteSheet(sh)
		for i := range states {
			col, _ := excelize.ColumnNumberToName(i + 2)
			series = append(series, excelize.ChartSeries{
				Name:       fmt.Sprintf("%s!$%s$%d", q, col, first-1),
				Categories: fmt.Sprintf("%s!$A$%d:$A$%d", q, first, last),
				Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", q, col, first, col, last),
			})
		}
		vary := false // one colour per state, not per provider
		label := excelize.Font{Size: 10, Color: "000000"}
		if err := f.AddChart(sh, fmt.Sprintf("A%d", n), &excelize.Chart{
			Type:       excelize.ColStacked,
			Series:     series,
			VaryColors: &vary,
			Dimension:  excelize.ChartDimension{Width: 760, Height: 360},
			Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Amounts by state per provider (" + s.Currency + ")",
				Font: &excelize.Font{Size: 12, Bold: true, Color: "000000"}}}},
			Legend: excelize.ChartLegend{Position: "bottom", Font: &label},
			XAxis:  excelize.ChartAxis{Font: label},
			YAxis: excelize.ChartAxis{Font: label, MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "#,##0"},
				Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s.Currency, Font: &label}}}},
		}); err != nil {
			return err
		}
	}
	return w.printSetup(sh, false)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
