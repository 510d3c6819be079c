package reports

import (
	"archive/zip"
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
	sheetNames      = "Names"
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

// newBook starts the workbook: Summary (totals, tables and a chart of amounts
// by state per provider), Items (one row per sheet row), Review (items needing a
// person, with the evidence), Rejected, Cancelled (never sent: who and why), Mismatches (each in words) and Could not
// check, in that order, with its styles. Every sheet prints landscape, one page
// wide, its header row repeated on every page. The table sheets are streamed
// (a sheet of any length costs a row's memory); the Summary is written last,
// once the items have been summed.
func newBook(b batch.Batch) (*book, error) {
	f := excelize.NewFile()
	created := b.CreatedAt.UTC().Format(time.RFC3339)
	// fixed document properties: the same ledger state gives the same file
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "bulkpay", Title: "Reconciliation " + b.Reference,
		Created: created, Modified: created}); err != nil {
		f.Close()
		return nil, err
	}
	w := &book{f: f, ref: b.Reference}
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
			f.Close()
			return nil, err
		}
		*st.id = id
	}
	if err := f.SetSheetName("Sheet1", sheetSummary); err != nil {
		f.Close()
		return nil, err
	}
	for _, sh := range []string{sheetItems, sheetReview, sheetRejected, sheetCancelled, sheetMismatches, sheetUnchecked, sheetNames} {
		if _, err := f.NewSheet(sh); err != nil {
			f.Close()
			return nil, err
		}
	}
	return w, nil
}

// finish writes the sheets after Items (review and rejected items gone
// through again, only those), the Summary from sum, and the file, atomically.
func (w *book) finish(path string, in Input, sum Summary) error {
	attempts := in.Attempts
	if attempts == nil {
		attempts = func(int64) ([]batch.Attempt, error) { return nil, nil }
	}
	for _, sh := range []struct {
		name string
		cols []column
		rows func(row func([]any) error) error
	}{
		{sheetReview, reviewColumns, func(row func([]any) error) error { return reviewRows(in.Items, attempts, row) }},
		{sheetRejected, rejectedColumns, func(row func([]any) error) error { return stateRows(in.Items, batch.Rejected, row) }},
		{sheetCancelled, cancelledColumns, func(row func([]any) error) error { return stateRows(in.Items, batch.Cancelled, row) }},
		{sheetMismatches, mismatchColumns, table{rows: mismatchRows(sum)}.each},
		{sheetUnchecked, uncheckedColumns, table{rows: uncheckedRows(sum)}.each},
		{sheetNames, nameColumns, table{rows: nameRows(in.Names)}.each},
	} {
		t, err := w.table(sh.name, sh.cols)
		if err == nil {
			if err = sh.rows(t.row); err == nil {
				err = t.close()
			}
		}
		if err != nil {
			return fmt.Errorf("sheet %s: %w", sh.name, err)
		}
	}
	if err := w.summarySheet(sum); err != nil {
		return err
	}
	return w.save(path)
}

// save writes the workbook to a temporary file beside path, then rewrites it
// stable (stableZip) into path, atomically: the sheets pass through as
// streams, never whole in memory.
func (w *book) save(path string) error {
	if err := mkdirPrivate(filepath.Dir(path)); err != nil {
		return fmt.Errorf("create report directory: %w", err)
	}
	raw, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.raw")
	if err != nil {
		return fmt.Errorf("create report: %w", err)
	}
	defer os.Remove(raw.Name())
	defer raw.Close()
	if err := raw.Chmod(fileMode); err != nil {
		return err
	}
	// excelize's WriteTo gathers the whole workbook in a buffer before writing
	// it: its zip writer writes the parts straight to raw instead, and the
	// buffer stays empty
	bw := bufio.NewWriterSize(raw, 64<<10)
	w.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(bw) })
	if _, err := w.f.WriteTo(io.Discard); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	size, err := raw.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(raw, size)
	if err != nil {
		return err
	}
	return writeAtomic(path, func(out *os.File) error {
		bw := bufio.NewWriterSize(out, 64<<10)
		if err := stableZip(zr, bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

var itemColumns = []column{{"row", 6, count}, {"name", 24, wrapped}, {"phone", 13, text},
	{"amount", 11, amount}, {"charge", 8, amount}, {"sent", 11, amount}, {"provider", 10, text},
	{"reference", 36, text}, {"provider reference", 20, wrapped}, {"state", 9, text},
	{"message", 34, wrapped}, {"attempts", 9, count}, {"last update", 20, text}}

// itemRow is an item's row of the Items sheet.
func itemRow(it batch.Item) []any {
	return []any{it.Row, it.Name, it.Phone, it.Amount, it.Charge, it.Send(), it.Provider, it.Reference,
		it.ProviderReference, it.State, it.Message, it.Attempts, it.UpdatedAt.UTC().Format(time.RFC3339)}
}

var reviewColumns = []column{{"row", 6, count}, {"name", 20, wrapped}, {"phone", 13, text},
	{"amount", 11, amount}, {"provider", 10, text}, {"reference", 36, text},
	{"provider reference", 16, wrapped}, {"state", 8, text}, {"why", 24, wrapped}, {"attempt", 8, count},
	{"kind", 7, text}, {"started", 20, text}, {"finished", 20, text}, {"outcome", 9, text},
	{"request", 30, wrapped}, {"answer", 30, wrapped}}

// reviewRows gives the Review sheet's rows: each item in review or in doubt,
// once per attempt with the attempt's evidence (once alone without any).
func reviewRows(items Items, attempts func(int64) ([]batch.Attempt, error), row func([]any) error) error {
	return items(func(it batch.Item) error {
		base := []any{it.Row, it.Name, it.Phone, it.Amount, it.Provider, it.Reference, it.ProviderReference, it.State, it.Message}
		atts, err := attempts(it.ID)
		if err != nil {
			return fmt.Errorf("read the attempts of row %d: %w", it.Row, err)
		}
		if len(atts) == 0 {
			return row(base)
		}
		for _, a := range atts {
			if err := row(append(base[:len(base):len(base)], a.ID, a.Kind, a.StartedAt.UTC().Format(time.RFC3339),
				stamp(a.FinishedAt), a.Outcome, a.Request, a.Response)); err != nil {
				return err
			}
		}
		return nil
	}, batch.Review, batch.Unknown)
}

var rejectedColumns = []column{{"row", 6, count}, {"name", 28, wrapped}, {"phone", 13, text},
	{"amount", 11, amount}, {"provider", 10, text}, {"reason", 70, wrapped}}

// cancelledColumns: a cancelled item's message says who cancelled it and why.
var cancelledColumns = []column{{"row", 6, count}, {"name", 28, wrapped}, {"phone", 13, text},
	{"amount", 11, amount}, {"provider", 10, text}, {"cancelled by, why", 70, wrapped}}

// stateRows are the items in st, with their message.
func stateRows(items Items, st batch.State, row func([]any) error) error {
	return items(func(it batch.Item) error {
		return row([]any{it.Row, it.Name, it.Phone, it.Amount, it.Provider, it.Message})
	}, st)
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

// nameColumns are the Names sheet's: every row the name check did not find
// a plain match, without the registered name (personal data the reports,
// which every role reads, do not hold).
var nameColumns = []column{{"row", 6, count}, {"phone", 16, text}, {"name on the sheet", 26, text}, {"check", 16, text},
	{"score", 7, count}, {"provider", 10, text}, {"why", 60, wrapped}, {"confirmed by", 14, text}, {"note", 40, wrapped}}

func nameRows(checks []batch.NameCheck) [][]any {
	var rows [][]any
	for _, c := range checks {
		if c.Result == batch.NameMatch && c.ConfirmedBy == "" {
			continue
		}
		why := c.Reason
		if why == "" && c.Result.Doubtful() {
			why = c.Problem()
		}
		rows = append(rows, []any{c.Row, "+" + c.Phone, c.Name, c.Result.Text(), c.Score, c.Provider, why, c.ConfirmedBy, c.Note})
	}
	return rows
}

func uncheckedRows(s Summary) [][]any {
	var rows [][]any
	for _, u := range s.CouldNotCheck {
		rows = append(rows, []any{u.Row, u.Provider, u.Reference, u.Reason})
	}
	return rows
}

// tableWriter streams the rows of one table sheet.
type tableWriter struct {
	w      *book
	sh     string
	cols   []column
	sw     *excelize.StreamWriter
	styles []int // each column's style below the header
	n      int   // the last row written
	cells  []any
}

// table starts a sheet of one table: the header on row 1 (frozen, with
// filters, repeated on every printed page), a width and a format per column,
// money with a thousands separator wherever it is, and rows as high as their
// wrapped text. Rows follow with row; close ends the sheet.
func (w *book) table(sh string, cols []column) (*tableWriter, error) {
	f := w.f
	// what the stream writer keeps of the sheet is set before it starts; the
	// print titles, a name of the workbook's, after the filters (close)
	if err := w.printSetup(sh, false); err != nil {
		return nil, err
	}
	for i, c := range cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, name, name, c.width); err != nil {
			return nil, err
		}
	}
	sw, err := f.NewStreamWriter(sh)
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	t := &tableWriter{w: w, sh: sh, cols: cols, sw: sw, n: 1, styles: make([]int, len(cols)), cells: make([]any, len(cols))}
	titles := make([]any, len(cols))
	head := 1
	for i, c := range cols {
		hs, style := w.header, w.top
		switch c.kind {
		case amount:
			hs, style = w.headerRight, w.numTop
		case wrapped:
			style = w.wrap
		case count:
			style = w.center
		}
		t.styles[i] = style
		titles[i] = excelize.Cell{StyleID: hs, Value: cell(c.title)}
		head = max(head, wrappedLines(c.title, c.width*0.85)) // bold headings are wider
	}
	var opts []excelize.RowOpts
	if head > 1 {
		opts = append(opts, excelize.RowOpts{Height: float64(head) * rowHeight})
	}
	return t, sw.SetRow("A1", titles, opts...)
}

// row writes the next row, each value through cell; the columns it does not
// fill keep the column's look.
func (t *tableWriter) row(values []any) error {
	t.n++
	lines := 1
	for j := range t.cols {
		c := excelize.Cell{StyleID: t.styles[j]}
		if j < len(values) {
			v := values[j]
			c.Value = cell(v)
			if _, money := v.(int64); money && (t.cols[j].kind == text || t.cols[j].kind == wrapped) {
				c.StyleID = t.w.numTop
			}
			if s, ok := c.Value.(string); ok && t.cols[j].kind == wrapped {
				lines = max(lines, wrappedLines(s, t.cols[j].width))
			}
		}
		t.cells[j] = c
	}
	var opts []excelize.RowOpts
	if lines > 1 { // a spreadsheet does not always grow a row for wrapped text
		opts = append(opts, excelize.RowOpts{Height: float64(lines) * rowHeight})
	}
	cellName, _ := excelize.CoordinatesToCellName(1, t.n)
	return t.sw.SetRow(cellName, t.cells, opts...)
}

// close sets the filters over every row written and ends the sheet.
func (t *tableWriter) close() error {
	lastCol, _ := excelize.ColumnNumberToName(len(t.cols))
	// the worksheet the stream writer flushes is the one AutoFilter changes
	if err := t.w.f.AutoFilter(t.sh, fmt.Sprintf("A1:%s%d", lastCol, max(t.n, 2)), nil); err != nil {
		return err
	}
	if err := t.w.printTitles(t.sh); err != nil {
		return err
	}
	return t.sw.Flush()
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
	return w.printTitles(sh)
}

// printTitles repeats a table sheet's header row on every printed page.
func (w *book) printTitles(sh string) error {
	return w.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: quoteSheet(sh) + "!$1:$1", Scope: sh})
}

// quoteSheet is a sheet name as a formula reference names it.
func quoteSheet(sh string) string {
	return "'" + strings.ReplaceAll(sh, "'", "''") + "'"
}

var defaultRE = regexp.MustCompile(`<Default [^>]*></Default>`)

// stableZip copies a workbook from zr to out so that the same content gives
// the same bytes: excelize lists image content types, and writes streamed
// sheets, in map order, which changes from run to run. The parts are copied
// in name order ([Content_Types].xml first), each as a stream.
func stableZip(zr *zip.Reader, out io.Writer) error {
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int {
		return cmp.Compare(partOrder(a.Name), partOrder(b.Name))
	})
	zw := zip.NewWriter(out)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		if f.Name == "[Content_Types].xml" {
			err = sortedContentTypes(rc, w)
		} else {
			_, err = io.Copy(w, rc)
		}
		rc.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// partOrder sorts a workbook's parts: [Content_Types].xml, then by name.
func partOrder(name string) string {
	if name == "[Content_Types].xml" {
		return ""
	}
	return name
}

// sortedContentTypes copies [Content_Types].xml (a few lines) with its
// Default entries sorted.
func sortedContentTypes(r io.Reader, w io.Writer) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	defaults := defaultRE.FindAllString(string(data), -1)
	sort.Strings(defaults)
	rest := defaultRE.ReplaceAllString(string(data), "")
	i := strings.Index(rest, ">") + 1 // after <Types ...>
	i += strings.Index(rest[i:], ">") + 1
	_, err = io.WriteString(w, rest[:i]+strings.Join(defaults, "")+rest[i:])
	return err
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
