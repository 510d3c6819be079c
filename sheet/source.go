package sheet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"bulkpay/batch"
)

// source yields a sheet's rows as raw cell text with their spreadsheet numbers.
type source interface {
	next() (row int, cells []string, err error)  // io.EOF at the end
	own(into *[]string, cells []string) []string // cells the caller may keep past the next call, copied to *into if need be
	close() error
}

// ErrFormat: the file is not a sheet bulkpay can read. Every *InputError is one.
var ErrFormat = errors.New("unsupported sheet format")

// opened is a sheet ready to read below its header.
type opened struct {
	src   source
	h     header
	close func()
}

// openSheet opens the file, finds the sheet to read and its header, and notes in
// res how it was read (encoding, delimiter, sheet).
func openSheet(ctx context.Context, path string, opt Options, lim Limits, res *Result) (*opened, error) {
	// Say what is wrong with a directory, a pipe or a device before its name.
	if fi, err := os.Stat(path); err == nil {
		if err := regular(path, fi, lim); err != nil {
			return nil, err
		}
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return openXLSXSheet(ctx, path, opt.Sheet, lim, res)
	case ".csv", ".txt", ".tsv":
		if opt.Sheet != "" {
			return nil, inputErr(path, 0, "--sheet %q: a csv file has no sheets; leave --sheet out", opt.Sheet)
		}
		src, err := openCSV(ctx, path, lim)
		if err != nil {
			return nil, err
		}
		res.Encoding, res.Delimiter = src.encoding, DelimiterName(src.comma)
		h, err := findHeader(src, path, "", lim)
		if err != nil {
			src.close()
			return nil, err
		}
		return &opened{src: src, h: h, close: func() { src.close() }}, nil
	default:
		return nil, fmt.Errorf("%w: %s (use .xlsx or .csv)", ErrFormat, filepath.Base(path))
	}
}

// openXLSXSheet reads the named sheet, or the first one. When the first sheet
// has no header at all (a cover page, an empty sheet) and exactly one other sheet
// has a complete one, that sheet is read and res says so; when several have
// one, bulkpay does not guess and asks for --sheet.
func openXLSXSheet(ctx context.Context, path, name string, lim Limits, res *Result) (*opened, error) {
	wb, err := openWorkbook(ctx, path, lim)
	if err != nil {
		return nil, err
	}
	try := func(sheet string) (*xlsxSource, header, error) {
		src, err := wb.open(sheet)
		if err != nil {
			return nil, header{}, err
		}
		h, err := findHeader(src, path, sheet, lim)
		if err != nil {
			src.close()
			return nil, header{}, err
		}
		return src, h, nil
	}
	done := func(src *xlsxSource, h header) *opened {
		res.Sheet = src.sheet
		return &opened{src: src, h: h, close: func() { src.close(); wb.close() }}
	}
	if name != "" {
		if idx, _ := wb.f.GetSheetIndex(name); idx < 0 {
			wb.close()
			return nil, inputErr(path, 0, "has no sheet %q; its sheets are %s: check the name given to --sheet", name, strings.Join(quoteAll(wb.sheets), ", "))
		}
		src, h, err := try(name)
		if err != nil {
			wb.close()
			return nil, err
		}
		return done(src, h), nil
	}
	first := wb.sheets[0]
	src, h, err := try(first)
	if err == nil {
		return done(src, h), nil
	}
	var he *HeaderError
	if !(errors.As(err, &he) && he.Row == 0 || errors.Is(err, errEmpty)) || len(wb.sheets) == 1 {
		wb.close()
		return nil, err
	}
	type found struct {
		src *xlsxSource
		h   header
	}
	var withHeader []found
	for _, sheet := range wb.sheets[1:min(len(wb.sheets), maxSheetsSearched)] {
		s, h, err := try(sheet)
		if err == nil {
			withHeader = append(withHeader, found{s, h})
			continue
		}
		if !errors.As(err, &he) && !errors.Is(err, errEmpty) { // a limit, a damaged sheet, an interrupt
			for _, f := range withHeader {
				f.src.close()
			}
			wb.close()
			return nil, err
		}
	}
	switch len(withHeader) {
	case 0:
		wb.close()
		if errors.As(err, &he) {
			he.Sheets = wb.sheets
		}
		return nil, err
	case 1:
		res.SheetNote = fmt.Sprintf("the first sheet, %q, has no header row", first)
		return done(withHeader[0].src, withHeader[0].h), nil
	}
	var names []string
	for _, f := range withHeader {
		names = append(names, f.src.sheet)
		f.src.close()
	}
	wb.close()
	return nil, inputErr(path, 0, "the first sheet, %q, has no header row, and the sheets %s each have one: say which to pay with --sheet, e.g. --sheet %q",
		first, strings.Join(quoteAll(names), ", "), names[0])
}

// maxSheetsSearched: the sheets searched for a header when the first has none.
const maxSheetsSearched = 50

// errEmpty is in the error of a file or sheet without a single non-blank row.
var errEmpty = errors.New("no rows")

type emptyError struct{ InputError }

func (e *emptyError) Is(target error) bool { return target == errEmpty || target == ErrFormat }

func findHeader(src source, path, sheet string, lim Limits) (header, error) {
	var best header
	nonBlank := 0
	for i := 0; i < headerScan; i++ {
		n, cells, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return header{}, sourceErr(path, n, err)
		}
		if err := checkRecord(path, n, cells, lim); err != nil {
			return header{}, err
		}
		if !blank(cells) {
			nonBlank++
		}
		h := parseHeader(n, cells)
		if len(h.missing()) == 0 {
			return h, nil
		}
		if len(h.col) >= 2 && len(h.col) > len(best.col) {
			best = h
		}
	}
	if nonBlank == 0 {
		e := &emptyError{InputError{File: filepath.Base(path)}}
		if sheet != "" {
			e.Msg = fmt.Sprintf("sheet %q is empty: choose the sheet with the payroll (--sheet NAME)", sheet)
		} else {
			e.Msg = "has no rows, only blank lines: export the sheet again, with its header row and one row per beneficiary"
		}
		return header{}, e
	}
	if best.row == 0 {
		return header{}, &HeaderError{Sheet: sheet}
	}
	return header{}, &HeaderError{Row: best.row, Missing: best.missing(), Found: best.found, Sheet: sheet}
}

// sourceErr names the file and row of an error from a source.
func sourceErr(path string, row int, err error) error {
	var ie *InputError
	switch {
	case errors.As(err, &ie), errors.Is(err, batch.ErrInterrupted):
		return err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return interrupted(path)
	}
	return inputErr(path, row, "cannot be read (%v): open the sheet in Excel or LibreOffice and save it again as .xlsx or .csv", err)
}

// checkRecord refuses a row too long to be a beneficiary's: its cells' text,
// with 16 bytes per cell, over MaxRecordBytes.
func checkRecord(path string, row int, cells []string, lim Limits) error {
	if n := recordBytes(cells); n > lim.MaxRecordBytes {
		return inputErr(path, row, "the row holds %s of text in %d cells; bulkpay reads rows of up to %s: check that this is the right file, or remove the long text", size(int64(n)), len(cells), size(int64(lim.MaxRecordBytes)))
	}
	return nil
}

func recordBytes(cells []string) int {
	n := 16 * len(cells)
	for _, c := range cells {
		n += len(c)
	}
	return n
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
