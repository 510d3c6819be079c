package sheet

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// workbook is an xlsx file checked and opened.
type workbook struct {
	path   string
	f      *excelize.File
	sheets []string
}

// openWorkbook checks an xlsx file before excelize reads it, then opens it with
// limits: see checkZip.
func openWorkbook(ctx context.Context, p string, lim Limits) (*workbook, error) {
	file, err := openRegular(p, lim)
	if err != nil {
		return nil, err
	}
	err = checkZip(ctx, file, p, lim)
	file.Close()
	if err != nil {
		return nil, err
	}
	var f *excelize.File
	err = safely(p, func() error {
		var err error
		f, err = excelize.OpenFile(p, excelize.Options{UnzipSizeLimit: lim.MaxUnzipBytes, UnzipXMLSizeLimit: min(xmlInMemory, lim.MaxUnzipBytes)})
		return err
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, err
		}
		return nil, inputErr(p, 0, "cannot be read as an xlsx workbook (%v): open it in Excel or LibreOffice and save it again as .xlsx, or export it as .csv", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, inputErr(p, 0, "has no sheets: open it in Excel or LibreOffice and save it again as .xlsx, or export it as .csv")
	}
	return &workbook{path: p, f: f, sheets: sheets}, nil
}

func (w *workbook) close() error { return w.f.Close() }

// safely runs a call into excelize, turning a panic on a malformed file into an
// error.
func safely(p string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = inputErr(p, 0, "cannot be read as an xlsx workbook (the xlsx reader failed: %v): open it in Excel or LibreOffice and save it again as .xlsx, or export it as .csv", r)
		}
	}()
	return fn()
}

// checkZip refuses an xlsx that is not a zip, or whose parts would cost more
// than the limits to read: too many parts, parts that unpack too large (by their
// declared size, and by their actual size, which archive/zip holds to the
// declared one), damaged parts, and XML that xmlScanner refuses. It reads every
// part once, streaming.
func checkZip(ctx context.Context, file *os.File, p string, lim Limits) error {
	fi, err := file.Stat()
	if err != nil {
		return openErr(p, err)
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(file, head)
	head = head[:n]
	switch {
	case n == 0:
		return inputErr(p, 0, "is empty (0 bytes): save the workbook again from Excel or LibreOffice")
	case bytes.HasPrefix(head, oleMagic):
		return inputErr(p, 0, "is an old .xls workbook or a password-protected one: open it in Excel or LibreOffice and save it as .xlsx without a password, or export it as .csv")
	case !bytes.HasPrefix(head, zipMagic):
		hint := ""
		if utf8.Valid(head) && bytes.IndexFunc(head, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }) < 0 {
			hint = " It looks like text: if it is a csv file, rename it to .csv."
		}
		return inputErr(p, 0, "is not an xlsx workbook (an xlsx file is a zip archive, this one is not): open it in Excel or LibreOffice and save it as .xlsx or .csv.%s", hint)
	}
	parts, dirSize, err := zipDirectory(file, fi.Size())
	if err != nil {
		return inputErr(p, 0, "is damaged (%v): open it in Excel or LibreOffice and save it again as .xlsx, or export it as .csv", err)
	}
	if parts > uint64(lim.MaxParts) || dirSize > uint64(lim.MaxParts)*1024 {
		return inputErr(p, 0, "holds %d files in its zip archive (a workbook holds a few dozen; bulkpay reads at most %s): it is not a workbook bulkpay can read", parts, count(lim.MaxParts))
	}
	zr, err := zip.NewReader(file, fi.Size())
	if err != nil {
		return inputErr(p, 0, "is damaged (%v): open it in Excel or LibreOffice and save it again as .xlsx, or export it as .csv", err)
	}
	var total, inMemory uint64
	elements := 0 // in the parts excelize decodes whole
	hasTypes := false
	for _, zf := range zr.File {
		name := strings.ReplaceAll(zf.Name, "\\", "/")
		lower := strings.ToLower(name)
		if strings.HasSuffix(name, "/") {
			continue
		}
		if lower == "[content_types].xml" {
			hasTypes = true
		}
		declared := zf.UncompressedSize64
		total += declared
		if total > uint64(lim.MaxUnzipBytes) {
			return inputErr(p, 0, "unpacks to more than %s (a zip bomb, or a workbook far larger than a payroll): bulkpay reads workbooks of up to %s unpacked; split it or export it as .csv", size(lim.MaxUnzipBytes), size(lim.MaxUnzipBytes))
		}
		streamed := strings.HasPrefix(lower, "xl/worksheets/sheet") || lower == "xl/sharedstrings.xml"
		switch {
		case streamed && declared > uint64(lim.MaxPartBytes):
			return inputErr(p, 0, "its part %s unpacks to %s; bulkpay reads a sheet of up to %s unpacked: split the sheet or export it as .csv", name, size(int64(min(declared, 1<<62))), size(lim.MaxPartBytes))
		case streamed && declared > xmlInMemory:
		case declared > uint64(lim.MaxMemPartBytes):
			return inputErr(p, 0, "its part %s unpacks to %s; bulkpay reads parts of up to %s: remove large pictures or objects, or export the sheet as .csv", name, size(int64(min(declared, 1<<62))), size(lim.MaxMemPartBytes))
		default:
			inMemory += declared
			if inMemory > uint64(lim.MaxMemTotalBytes) {
				return inputErr(p, 0, "its pictures, styles and other parts unpack to more than %s: remove large pictures or objects, or export the sheet as .csv", size(lim.MaxMemTotalBytes))
			}
		}
		decoded := -1 // elements this part may hold; -1: any number, it is streamed or never decoded
		if !strings.HasPrefix(lower, "xl/worksheets/") && lower != "xl/sharedstrings.xml" && !strings.HasPrefix(lower, "xl/pivotcache/") {
			decoded = min(lim.MaxPartElements, lim.MaxTotalElements-elements)
		}
		n, err := checkPart(ctx, zf, name, lim, decoded)
		elements += n
		if err != nil {
			var se *scanError
			switch {
			case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
				return interrupted(p)
			case errors.As(err, &se) && se.hint == hintElements && decoded < lim.MaxPartElements:
				return inputErr(p, 0, "its styles, formats and other parts hold more than %s XML elements together: %s", count(lim.MaxTotalElements), hintElements)
			case errors.As(err, &se) && se.limit:
				where := ""
				if se.row > 0 {
					where = fmt.Sprintf(" near row %d", se.row)
				}
				return inputErr(p, 0, "its part %s%s %s: %s", name, where, se.msg, se.hint)
			case errors.As(err, &se):
				where := ""
				if se.row > 0 {
					where = fmt.Sprintf(" near row %d", se.row)
				}
				return inputErr(p, 0, "is damaged: its part %s%s %s; open it in Excel or LibreOffice and save it again as .xlsx, or export it as .csv", name, where, se.msg)
			case errors.Is(err, zip.ErrFormat), errors.Is(err, io.ErrUnexpectedEOF):
				return inputErr(p, 0, "is damaged: its part %s does not unpack to the size the archive declares; open it in Excel or LibreOffice and save it again as .xlsx, or export it as .csv", name)
			case errors.Is(err, zip.ErrChecksum):
				return inputErr(p, 0, "is damaged: its part %s fails its checksum; open it in Excel or LibreOffice and save it again as .xlsx, or export it as .csv", name)
			case errors.Is(err, zip.ErrAlgorithm):
				return inputErr(p, 0, "uses a compression method workbooks do not use (part %s): open it in Excel or LibreOffice and save it again as .xlsx, or export it as .csv", name)
			default:
				return inputErr(p, 0, "is damaged: its part %s cannot be unpacked (%v); open it in Excel or LibreOffice and save it again as .xlsx, or export it as .csv", name, err)
			}
		}
	}
	if !hasTypes {
		return inputErr(p, 0, "is a zip archive but not an xlsx workbook (it has no [Content_Types].xml): open the workbook in Excel or LibreOffice and save it as .xlsx or .csv")
	}
	return nil
}

// checkPart reads one part to its end: XML parts through an xmlScanner that
// allows maxElements elements (-1: any number), the others (pictures...) only to
// check their size and checksum. It returns the number of elements read.
func checkPart(ctx context.Context, zf *zip.File, name string, lim Limits, maxElements int) (elements int, err error) {
	rc, err := zf.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	lower := strings.ToLower(name)
	var w io.Writer = io.Discard
	var sc *xmlScanner
	if strings.HasSuffix(lower, ".xml") || strings.HasSuffix(lower, ".rels") {
		sc = newXMLScanner(lim)
		if lower != "xl/sharedstrings.xml" {
			sc.maxSI = int(^uint(0) >> 1)
		}
		sc.maxElements = maxElements
		w = sc
		defer func() { elements = sc.elems }()
	}
	buf := make([]byte, 32<<10)
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n, rerr := rc.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return 0, err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, rerr
		}
	}
	if sc != nil {
		return 0, sc.Close()
	}
	return 0, nil
}

// zipDirectory reads the number of entries and the size of a zip's central
// directory from its end records, before archive/zip loads the directory.
func zipDirectory(r io.ReaderAt, size int64) (entries, dirSize uint64, err error) {
	const eocdLen, maxComment = 22, 65535
	tail := int64(eocdLen + maxComment)
	if tail > size {
		tail = size
	}
	b := make([]byte, tail)
	if _, err := r.ReadAt(b, size-tail); err != nil && err != io.EOF {
		return 0, 0, err
	}
	at := -1
	for i := len(b) - eocdLen; i >= 0; i-- {
		if b[i] == 'P' && b[i+1] == 'K' && b[i+2] == 5 && b[i+3] == 6 &&
			i+eocdLen+int(binary.LittleEndian.Uint16(b[i+20:])) <= len(b) {
			at = i
			break
		}
	}
	if at < 0 {
		return 0, 0, errors.New("no zip directory at its end")
	}
	e := b[at:]
	entries = uint64(binary.LittleEndian.Uint16(e[10:]))
	dirSize = uint64(binary.LittleEndian.Uint32(e[12:]))
	offset := uint64(binary.LittleEndian.Uint32(e[16:]))
	if entries != 0xFFFF && dirSize != 0xFFFFFFFF && offset != 0xFFFFFFFF {
		return entries, dirSize, nil
	}
	// zip64: a locator just before the end record points at the zip64 end record.
	locAt := size - tail + int64(at) - 20
	if locAt < 0 {
		return 0, 0, errors.New("no zip64 directory locator")
	}
	loc := make([]byte, 20)
	if _, err := r.ReadAt(loc, locAt); err != nil || !bytes.Equal(loc[:4], []byte("PK\x06\x07")) {
		return 0, 0, errors.New("no zip64 directory locator")
	}
	recAt := binary.LittleEndian.Uint64(loc[8:])
	rec := make([]byte, 56)
	if recAt > uint64(size) {
		return 0, 0, errors.New("zip64 directory record outside the file")
	}
	if _, err := r.ReadAt(rec, int64(recAt)); err != nil || !bytes.Equal(rec[:4], []byte("PK\x06\x06")) {
		return 0, 0, errors.New("no zip64 directory record")
	}
	return binary.LittleEndian.Uint64(rec[32:]), binary.LittleEndian.Uint64(rec[40:]), nil
}

// xlsxSource reads one sheet's rows.
type xlsxSource struct {
	path  string
	sheet string
	rows  *excelize.Rows
	n     int
}

func (w *workbook) open(sheet string) (*xlsxSource, error) {
	var rows *excelize.Rows
	err := safely(w.path, func() error {
		var err error
		rows, err = w.f.Rows(sheet)
		return err
	})
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, err
		}
		return nil, inputErr(w.path, 0, "sheet %q cannot be read (%v): open the workbook in Excel or LibreOffice and save it again, or export the sheet as .csv", sheet, err)
	}
	return &xlsxSource{path: w.path, sheet: sheet, rows: rows}, nil
}

func (s *xlsxSource) next() (n int, cells []string, err error) {
	err = safely(s.path, func() error {
		if !s.rows.Next() {
			if err := s.rows.Error(); err != nil {
				return err
			}
			return io.EOF
		}
		s.n++
		var err error
		cells, err = s.rows.Columns(excelize.Options{RawCellValue: true})
		return err
	})
	return s.n, cells, err
}

// own: excelize returns a fresh slice for every row.
func (s *xlsxSource) own(_ *[]string, cells []string) []string { return cells }

func (s *xlsxSource) close() error { return s.rows.Close() }
