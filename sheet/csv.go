package sheet

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings a csv file is read in, as Result.Encoding names them.
const (
	EncodingUTF8        = "UTF-8"
	EncodingUTF8BOM     = "UTF-8 with BOM"
	EncodingUTF16LE     = "UTF-16LE"
	EncodingUTF16BE     = "UTF-16BE"
	EncodingWindows1252 = "Windows-1252"
)

type csvSource struct {
	path     string
	f        *os.File
	r        *csv.Reader
	g        *recordGuard
	n        int // spreadsheet row of the last record
	endLine  int // file line where the last record ended
	encoding string
	comma    byte
}

// openCSV reads csv text: UTF-8 with or without a BOM, UTF-16 with a BOM, and
// otherwise Windows-1252 (what Excel on Windows saves as "CSV"), told apart by
// reading the whole file once. Line ends may be LF, CRLF or CR alone. The
// delimiter (comma, semicolon or tab) is the one that splits the first lines
// into the most rows of equal width.
func openCSV(ctx context.Context, path string, lim Limits) (*csvSource, error) {
	f, err := openRegular(path, lim)
	if err != nil {
		return nil, err
	}
	src := &csvSource{path: path, f: f}
	if err := src.init(ctx, lim); err != nil {
		f.Close()
		return nil, err
	}
	return src, nil
}

func (s *csvSource) init(ctx context.Context, lim Limits) error {
	fi, err := s.f.Stat()
	if err != nil {
		return openErr(s.path, err)
	}
	size := fi.Size()
	head := make([]byte, 8)
	n, _ := s.f.ReadAt(head, 0)
	head = head[:n]
	switch {
	case n == 0:
		return inputErr(s.path, 0, "is empty (0 bytes): export the sheet again, with its header row and one row per beneficiary")
	case bytes.HasPrefix(head, zipMagic):
		return inputErr(s.path, 0, "is a zip archive (an xlsx workbook?), not csv text: if it is a workbook, rename it to .xlsx; otherwise export the sheet as .csv")
	case bytes.HasPrefix(head, oleMagic):
		return inputErr(s.path, 0, "is an Excel .xls workbook, not csv text: open it in Excel or LibreOffice and save it as .xlsx or .csv")
	}
	var skip int64
	var dec *encoding.Decoder
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		s.encoding, skip = EncodingUTF8BOM, 3
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		s.encoding, dec = EncodingUTF16LE, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		s.encoding, dec = EncodingUTF16BE, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
	case utf16NoBOM(s.f):
		return inputErr(s.path, 0, "looks like UTF-16 text without a byte-order mark, which cannot be read safely: save it again as \"CSV UTF-8\" (or as .xlsx)")
	default:
		ok, err := validUTF8(ctx, io.NewSectionReader(s.f, 0, size))
		if err != nil {
			return s.readErr(err)
		}
		s.encoding = EncodingUTF8
		if !ok {
			s.encoding, dec = EncodingWindows1252, charmap.Windows1252.NewDecoder()
		}
	}
	text := func() io.Reader {
		// read 64 KiB at a time: the decoders below ask for 4 KiB
		var r io.Reader = bufio.NewReaderSize(io.NewSectionReader(s.f, skip, size-skip), 64<<10)
		if dec != nil {
			dec.Reset()
			r = transform.NewReader(r, dec)
		}
		return transform.NewReader(r, newlines{})
	}
	first := make([]byte, 16<<10)
	n, err = io.ReadFull(text(), first)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return s.readErr(err)
	}
	s.comma = sniffDelimiter(first[:n], n == len(first))
	s.g = &recordGuard{r: text(), ctx: ctx, path: s.path, comma: s.comma, max: lim.MaxRecordBytes, row: 1}
	s.r = csv.NewReader(bufio.NewReaderSize(s.g, 64<<10))
	s.r.Comma = rune(s.comma)
	s.r.FieldsPerRecord = -1
	s.r.LazyQuotes = true
	s.r.ReuseRecord = true
	return nil
}

func (s *csvSource) readErr(err error) error {
	var ie *InputError
	switch {
	case errors.As(err, &ie):
		return err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return interrupted(s.path)
	}
	return inputErr(s.path, 0, "cannot be read (%v)", err)
}

func (s *csvSource) next() (int, []string, error) {
	rec, err := s.r.Read()
	if err == io.EOF {
		return 0, nil, err
	}
	if err != nil {
		return s.n + 1, nil, s.readErr(err)
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

// own copies the record, which the csv reader reuses, to the end of *into:
// the cells of many rows in one slice, not one allocation a row. A full
// *into is replaced by a new one, the rows it holds keep the old.
func (s *csvSource) own(into *[]string, cells []string) []string {
	if cap(*into)-len(*into) < len(cells) {
		*into = make([]string, 0, max(ownSlab, len(cells)))
	}
	i := len(*into)
	*into = append(*into, cells...)
	return (*into)[i:len(*into):len(*into)]
}

// ownSlab is the cells in one slice of csvSource.own.
const ownSlab = 4096

func (s *csvSource) close() error { return s.f.Close() }

// utf16NoBOM: a quarter or more of the first KiB are NUL bytes, as in UTF-16
// text (every other byte is 0 for Latin letters); csv text has none.
func utf16NoBOM(f io.ReaderAt) bool {
	b := make([]byte, 1024)
	n, _ := f.ReadAt(b, 0)
	return n >= 4 && bytes.Count(b[:n], []byte{0})*4 >= n
}

// validUTF8 reports whether all of r is UTF-8.
func validUTF8(ctx context.Context, r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		n, err := io.ReadFull(r, buf[carry:])
		data := buf[:carry+n]
		end := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !end {
			return false, err
		}
		cut := len(data)
		if !end { // keep an incomplete last character for the next round
			for i := len(data) - 1; i >= 0 && i >= len(data)-utf8.UTFMax; i-- {
				if utf8.RuneStart(data[i]) {
					if !utf8.FullRune(data[i:]) {
						cut = i
					}
					break
				}
			}
		}
		if !utf8.Valid(data[:cut]) {
			return false, nil
		}
		if end {
			return true, nil
		}
		carry = copy(buf, data[cut:])
	}
}

// sniffDelimiter picks comma, semicolon or tab: the one whose split of the first
// lines gives the most records of one same width above 1, then the widest. A
// partial last line (the head is cut) is left out.
func sniffDelimiter(head []byte, cut bool) byte {
	if cut {
		if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
			head = head[:i+1]
		}
	}
	best, bestRows, bestWidth := byte(','), 0, 0
	for _, c := range []byte{';', ',', '\t'} {
		r := csv.NewReader(bytes.NewReader(head))
		r.Comma = rune(c)
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		widths := map[int]int{}
		for i := 0; i < 50; i++ {
			rec, err := r.Read()
			if err != nil {
				break
			}
			if len(rec) > 1 {
				widths[len(rec)]++
			}
		}
		rows, width := 0, 0
		for w, n := range widths {
			if n > rows || n == rows && w > width {
				rows, width = n, w
			}
		}
		if rows > bestRows || rows == bestRows && width > bestWidth {
			best, bestRows, bestWidth = c, rows, width
		}
	}
	return best
}

// DelimiterName says a delimiter in words: "comma", "semicolon", "tab".
func DelimiterName(c byte) string {
	switch c {
	case ',':
		return "comma"
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return string(c)
}

// newlines turns CRLF and a lone CR (old Mac line ends) into LF.
type newlines struct{ transform.NopResetter }

func (newlines) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		i := bytes.IndexByte(src[nSrc:], '\r')
		if i < 0 {
			i = len(src) - nSrc
		}
		if nDst+i > len(dst) {
			n := copy(dst[nDst:], src[nSrc:nSrc+len(dst)-nDst])
			return nDst + n, nSrc + n, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], src[nSrc:nSrc+i])
		nSrc += i
		if nSrc == len(src) {
			break
		}
		// src[nSrc] is '\r'
		if nSrc+1 == len(src) && !atEOF {
			return nDst, nSrc, transform.ErrShortSrc
		}
		if nDst == len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		dst[nDst] = '\n'
		nDst++
		nSrc++
		if nSrc < len(src) && src[nSrc] == '\n' {
			nSrc++
		}
	}
	return nDst, nSrc, nil
}

// recordGuard follows the csv text as encoding/csv will split it (LazyQuotes),
// and stops the read when one record grows past max bytes, counting 16 bytes
// per field: encoding/csv would hold all of it in memory, however long. It
// also stops the read when ctx is done.
type recordGuard struct {
	r     io.Reader
	ctx   context.Context
	path  string
	comma byte
	max   int

	state  uint8
	bytes  int
	fields int
	row    int // spreadsheet row of the current record
	err    error
}

const (
	gFieldStart = iota
	gUnquoted
	gQuoted
	gQuoteSeen
)

func (g *recordGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if err := g.ctx.Err(); err != nil {
		g.err = err
		return 0, err
	}
	n, err := g.r.Read(p)
	if (g.state == gFieldStart || g.state == gUnquoted) && bytes.IndexByte(p[:n], '"') < 0 {
		if g.unquoted(p[:n]) {
			return 0, g.tooLong()
		}
		return n, err
	}
	for i := 0; i < n; i++ {
		// Inside an unquoted field only a line end or a delimiter, inside a
		// quoted one only a quote, changes the state: count the bytes before
		// it at once (the check below only sees the count grow).
		if g.state == gUnquoted || g.state == gQuoted {
			j := i
			if g.state == gQuoted {
				if k := bytes.IndexByte(p[i:n], '"'); k >= 0 {
					j = i + k
				} else {
					j = n
				}
			} else {
				for j < n && p[j] != '\n' && p[j] != g.comma {
					j++
				}
			}
			g.bytes += j - i
			if g.bytes+16*g.fields > g.max {
				return 0, g.tooLong()
			}
			if i = j; i == n {
				break
			}
		}
		b := p[i]
		g.bytes++
		switch g.state {
		case gFieldStart, gUnquoted, gQuoteSeen:
			switch {
			case b == '\n':
				g.state, g.bytes, g.fields = gFieldStart, 0, 0
				g.row++
			case b == g.comma:
				g.state = gFieldStart
				g.fields++
			case b == '"' && g.state == gFieldStart:
				g.state = gQuoted
			case b == '"' && g.state == gQuoteSeen:
				g.state = gQuoted
			case g.state == gQuoteSeen:
				g.state = gQuoted
			case g.state == gFieldStart:
				g.state = gUnquoted
			}
		case gQuoted:
			if b == '"' {
				g.state = gQuoteSeen
			}
		}
		if g.bytes+16*g.fields > g.max {
			return 0, g.tooLong()
		}
	}
	return n, err
}

// unquoted follows text that holds no quote, outside a quoted field, as Read
// does byte by byte but a line at a time: a line's bytes and delimiters
// counted at once, the check made at its end (the counts only grow within a
// record, so a record too long is one at its end). It reports a record too long.
func (g *recordGuard) unquoted(p []byte) bool {
	for len(p) > 0 {
		line, rest, nl := bytes.Cut(p, []byte{'\n'})
		if len(line) > 0 {
			g.bytes += len(line)
			g.fields += bytes.Count(line, []byte{g.comma})
			g.state = gUnquoted
			if line[len(line)-1] == g.comma {
				g.state = gFieldStart
			}
			if g.bytes+16*g.fields > g.max {
				return true
			}
		}
		if nl {
			g.state, g.bytes, g.fields = gFieldStart, 0, 0
			g.row++
		}
		p = rest
	}
	return false
}

func (g *recordGuard) tooLong() error {
	g.err = inputErr(g.path, g.row, "the row holds more than %s of text (or more fields than any sheet has); bulkpay reads rows of up to %s: check that this is the right file, or remove the long text", size(int64(g.max)), size(int64(g.max)))
	return g.err
}
