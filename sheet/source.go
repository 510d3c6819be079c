package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// source yields a sheet's rows as raw cell text with their spreadsheet numbers.
type source interface {
	next() (row int, cells []string, err error) // io.EOF at the end
	own(cells []string) []string                // cells the caller may keep past the next call
	close() error
}

// ErrFormat: the file is not a sheet bulkpay can read.
var ErrFormat = errors.New("unsupported sheet format")

func openSource(path, sheetName string) (source, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return openXLSX(path, sheetName)
	case ".csv", ".txt":
		if sheetName != "" {
			return nil, fmt.Errorf("--sheet %q: a csv file has no sheets", sheetName)
		}
		return openCSV(path)
	default:
		return nil, fmt.Errorf("%w: %s (use .xlsx or .csv)", ErrFormat, filepath.Base(path))
	}
}

type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	n    int
}

func openXLSX(path, sheetName string) (*xlsxSource, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	sheets := f.GetSheetList()
	if sheetName == "" {
		if len(sheets) == 0 {
			f.Close()
			return nil, fmt.Errorf("%s has no sheets", filepath.Base(path))
		}
		sheetName = sheets[0]
	} else if idx, _ := f.GetSheetIndex(sheetName); idx < 0 {
		f.Close()
		return nil, fmt.Errorf("%s has no sheet %q; its sheets are %s", filepath.Base(path), sheetName, strings.Join(quoteAll(sheets), ", "))
	}
	rows, err := f.Rows(sheetName)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read sheet %q: %w", sheetName, err)
	}
	return &xlsxSource{f: f, rows: rows}, nil
}

func (s *xlsxSource) next() (int, []string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return 0, nil, err
		}
		return 0, nil, io.EOF
	}
	s.n++
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	return s.n, cells, err
}

// own: excelize returns a fresh slice for every row.
func (s *xlsxSource) own(cells []string) []string { return cells }

func (s *xlsxSource) close() error {
	s.rows.Close()
	return s.f.Close()
}

type csvSource struct {
	f       *os.File
	r       *csv.Reader
	n       int // spreadsheet row of the last record
	endLine int // file line where the last record ended
}

// openCSV reads UTF-8 csv with or without a BOM; the delimiter (comma or
// semicolon) is the one that splits the first lines into more fields.
func openCSV(path string) (*csvSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	head, _ := br.Peek(16 << 10)
	r := csv.NewReader(br)
	r.Comma = sniffDelimiter(head)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	return &csvSource{f: f, r: r}, nil
}

func sniffDelimiter(head []byte) rune {
	lines := bytes.SplitN(head, []byte("\n"), 21)
	semi, comma := 0, 0
	for _, l := range lines {
		semi += bytes.Count(l, []byte(";"))
		comma += bytes.Count(l, []byte(","))
	}
	if semi > comma {
		return ';'
	}
	return ','
}

func (s *csvSource) next() (int, []string, error) {
	rec, err := s.r.Read()
	if err != nil {
		return 0, nil, err
	}
	// encoding/csv skips blank lines; a spreadsheet shows each as a row, and shows
	// a quoted field with line breaks as one row. Number rows the way it does.
	start, _ := s.r.FieldPos(0)
	if gap := start - s.endLine - 1; gap > 0 {
		s.n += gap
	}
	s.n++
	last := len(rec) - 1
	end, _ := s.r.FieldPos(last)
	s.endLine = end + strings.Count(rec[last], "\n")
	return s.n, rec, nil
}

// own copies the record, which the csv reader reuses.
func (s *csvSource) own(cells []string) []string { return append([]string(nil), cells...) }

func (s *csvSource) close() error { return s.f.Close() }

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
