package sheet

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xmlScanner checks one XML part of a workbook as it streams past, before
// excelize reads it, so that reading it costs bounded memory and cannot stop
// half-way:
//
//   - no tag, comment or CDATA section longer than maxTag, no run of text longer
//     than maxText, no cell (<c>), shared string (<si>) longer than maxElem, no
//     row longer than maxRow, no nesting deeper than maxDepth, no more shared
//     strings than maxSI;
//   - well-formed as encoding/xml reads it: valid UTF-8 of XML characters, known
//     entities, quoted attributes, matching end tags, no DOCTYPE or other
//     declaration. excelize stops at the first XML error without saying so, which
//     would silently drop the rows after it.
//
// It is stricter than encoding/xml (ASCII names only, UTF-8 only): what it
// accepts, encoding/xml reads to the end (FuzzXMLScan checks this).
type xmlScanner struct {
	maxTag, maxText, maxElem, maxRow int64
	maxDepth, maxSI, maxElements     int

	state  uint8
	pos    int64  // offset of the byte being read
	start  int64  // where the current tag, text run or section began
	buf    []byte // the current tag, entity or processing instruction
	quote  byte
	b0, b1 byte // the two bytes before, in text, comments and CDATA
	stack  []string
	elem   int64 // where the open <c>, <si> or <is> began; -1 when none
	cells  int   // <c>, <si> and <is> elements open
	rowAt  int64 // where the open <row> began; -1 when none
	row    int   // the last row number seen
	si     int   // shared strings seen
	elems  int   // elements seen
	carry  []byte
	err    *scanError
}

// scanError is what is wrong with a part; row is the last row seen, 0 if none.
type scanError struct {
	row   int
	msg   string
	limit bool   // a size limit, not bad XML
	hint  string // for a limit: what to do
}

func (e *scanError) Error() string { return e.msg }

const (
	sText = iota
	sEntity
	sLT
	sStartTag
	sEndTag
	sPI
	sBang
	sComment
	sCDATA
)

func newXMLScanner(lim Limits) *xmlScanner {
	return &xmlScanner{
		maxTag:      64 << 10,
		maxText:     1 << 20,
		maxElem:     1 << 20,
		maxRow:      8 * int64(lim.MaxRecordBytes),
		maxDepth:    128,
		maxSI:       lim.MaxSharedStrings,
		maxElements: -1,
		elem:        -1,
		rowAt:       -1,
	}
}

func (s *xmlScanner) fail(limit bool, format string, args ...any) {
	if s.err == nil {
		s.err = &scanError{row: s.row, msg: fmt.Sprintf(format, args...), limit: limit}
	}
}

// tooLarge is fail for a size limit, with what to do.
func (s *xmlScanner) tooLarge(hint, format string, args ...any) {
	if s.err == nil {
		s.fail(true, format, args...)
		s.err.hint = hint
	}
}

const (
	hintCell     = "shorten the cell, or export the sheet as .csv"
	hintSplit    = "split the workbook, or export the sheet as .csv"
	hintElements = "a payroll workbook holds far fewer; copy the payroll into a new workbook, or export the sheet as .csv"
)

// Write scans the next bytes of the part.
func (s *xmlScanner) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	i := 0
	if len(s.carry) > 0 { // a character cut by the last write
		need := min(utf8.UTFMax-len(s.carry), len(p))
		joined := append(append([]byte(nil), s.carry...), p[:need]...)
		if !utf8.FullRune(joined) {
			s.carry = joined
			return len(p), nil
		}
		r, n := utf8.DecodeRune(joined)
		if s.char(r, n) {
			for _, b := range joined[:n] {
				s.step(b)
				s.pos++
			}
		}
		i = n - len(s.carry)
		s.carry = nil
	}
	for i < len(p) && s.err == nil {
		b := p[i]
		if b < utf8.RuneSelf {
			if n := s.plainRun(p[i:]); n > 0 {
				i += n
				continue
			}
			if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
				s.fail(false, "holds the control character %U, which XML does not allow", rune(b))
				break
			}
			s.step(b)
			s.pos++
			i++
			continue
		}
		if !utf8.FullRune(p[i:]) {
			s.carry = append(s.carry[:0], p[i:]...)
			break
		}
		r, n := utf8.DecodeRune(p[i:])
		if !s.char(r, n) {
			break
		}
		for _, c := range p[i : i+n] {
			s.step(c)
			s.pos++
		}
		i += n
	}
	if s.err != nil {
		return 0, s.err
	}
	return len(p), nil
}

// plainRun takes, at once, the run of printable ASCII bytes at the start of p
// that step would only count (in text) or copy, following quotes (in a tag),
// checking the same limits at the run's last byte; it returns how many bytes it
// took.
func (s *xmlScanner) plainRun(p []byte) int {
	n := 0
	switch s.state {
	case sText:
		for n < len(p) && p[n] >= 0x20 && p[n] < utf8.RuneSelf && p[n] != '<' && p[n] != '&' && p[n] != '>' {
			n++
		}
		if n == 0 {
			return 0
		}
		if n >= 2 {
			s.b0, s.b1 = p[n-2], p[n-1]
		} else {
			s.b0, s.b1 = s.b1, p[0]
		}
		s.pos += int64(n) - 1
		if s.pos-s.start > s.maxText {
			s.tooLarge(hintCell, "has a run of text longer than %s", size(s.maxText))
		}
	case sStartTag, sEndTag:
		for ; n < len(p); n++ { // as step: '>' outside quotes ends the tag
			c := p[n]
			if c < 0x20 || c >= utf8.RuneSelf || c == '>' && s.quote == 0 {
				break
			}
			if s.state == sStartTag {
				switch {
				case s.quote == 0 && (c == '"' || c == '\''):
					s.quote = c
				case c == s.quote:
					s.quote = 0
				}
			}
		}
		if n == 0 {
			return 0
		}
		s.buf = append(s.buf, p[:n]...)
		s.pos += int64(n) - 1
		s.tagLimit()
	default:
		return 0
	}
	s.pos++
	return n
}

// Close says the part has ended; it must end outside any tag, every element closed.
func (s *xmlScanner) Close() error {
	if s.err == nil && len(s.carry) > 0 {
		s.fail(false, "is not valid UTF-8 at its end")
	}
	if s.err == nil && s.state != sText {
		s.fail(false, "ends inside a tag")
	}
	if s.err == nil && len(s.stack) > 0 {
		s.fail(false, "ends before </%s>", s.stack[len(s.stack)-1])
	}
	if s.err != nil {
		return s.err
	}
	return nil
}

func (s *xmlScanner) char(r rune, n int) bool {
	if r == utf8.RuneError && n == 1 {
		s.fail(false, "is not valid UTF-8")
		return false
	}
	if !xmlChar(r) {
		s.fail(false, "holds the character %U, which XML does not allow", r)
		return false
	}
	return true
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func (s *xmlScanner) step(b byte) {
	switch s.state {
	case sText:
		switch {
		case b == '<':
			s.state = sLT
			s.start = s.pos
		case b == '&':
			s.state = sEntity
			s.buf = s.buf[:0]
		case b == '>' && s.b0 == ']' && s.b1 == ']':
			s.fail(false, "has ]]> outside a CDATA section")
		}
		s.b0, s.b1 = s.b1, b
		if s.pos-s.start > s.maxText {
			s.tooLarge(hintCell, "has a run of text longer than %s", size(s.maxText))
		}
	case sEntity:
		if b == ';' {
			s.entity(s.buf)
			s.state = sText
			s.b0, s.b1 = 0, 0
			return
		}
		s.buf = append(s.buf, b)
		if len(s.buf) > 16 {
			s.fail(false, "has an '&' that starts no known entity (write &amp;)")
		}
	case sLT:
		s.buf = s.buf[:0]
		s.quote = 0
		switch b {
		case '/':
			s.state = sEndTag
		case '?':
			s.state = sPI
		case '!':
			s.state = sBang
		default:
			s.state = sStartTag
			s.buf = append(s.buf, b)
		}
	case sStartTag, sEndTag:
		if s.quote == 0 && b == '>' {
			if s.state == sStartTag {
				s.startTag(s.buf)
			} else {
				s.endTag(s.buf)
			}
			s.toText()
			return
		}
		if s.state == sStartTag {
			switch {
			case s.quote == 0 && (b == '"' || b == '\''):
				s.quote = b
			case b == s.quote:
				s.quote = 0
			}
		}
		s.buf = append(s.buf, b)
		s.tagLimit()
	case sPI:
		s.buf = append(s.buf, b)
		if n := len(s.buf); n >= 2 && s.buf[n-2] == '?' && b == '>' {
			s.procInst(s.buf[:n-2])
			s.toText()
			return
		}
		s.tagLimit()
	case sBang:
		s.buf = append(s.buf, b)
		switch {
		case string(s.buf) == "--":
			s.state = sComment
			s.b0, s.b1 = 0, 0
		case string(s.buf) == "[CDATA[":
			s.state = sCDATA
			s.b0, s.b1 = 0, 0
		case !strings.HasPrefix("--", string(s.buf)) && !strings.HasPrefix("[CDATA[", string(s.buf)):
			s.fail(false, "has a <! declaration (such as DOCTYPE), which workbooks do not use")
		}
	case sComment:
		if s.b0 == '-' && s.b1 == '-' {
			if b != '>' {
				s.fail(false, "has -- inside a comment")
				return
			}
			s.toText()
			return
		}
		s.b0, s.b1 = s.b1, b
		s.tagLimit()
	case sCDATA:
		if b == '>' && s.b0 == ']' && s.b1 == ']' {
			s.toText()
			return
		}
		s.b0, s.b1 = s.b1, b
		s.tagLimit()
	}
}

func (s *xmlScanner) toText() {
	s.state = sText
	s.start = s.pos + 1
	s.b0, s.b1 = 0, 0
	s.sizes()
}

func (s *xmlScanner) tagLimit() {
	if s.pos-s.start > s.maxTag {
		s.tooLarge(hintCell, "has a tag, comment or CDATA section longer than %s", size(s.maxTag))
	}
}

// sizes checks the open cell or shared string and the open row.
func (s *xmlScanner) sizes() {
	if s.elem >= 0 && s.pos-s.elem > s.maxElem {
		s.tooLarge(hintCell, "has a cell or shared string longer than %s", size(s.maxElem))
	}
	if s.rowAt >= 0 && s.pos-s.rowAt > s.maxRow {
		s.tooLarge("shorten the row, or export the sheet as .csv", "has a row longer than %s", size(s.maxRow))
	}
}

// entity checks what follows an '&' up to its ';'.
func (s *xmlScanner) entity(e []byte) {
	switch string(e) {
	case "lt", "gt", "amp", "apos", "quot":
		return
	}
	if len(e) >= 2 && e[0] == '#' {
		digits, base := e[1:], 10
		if digits[0] == 'x' {
			digits, base = digits[1:], 16
		}
		n, err := strconv.ParseUint(string(digits), base, 32)
		if err == nil && len(digits) > 0 && digits[0] != '+' && n <= utf8.MaxRune {
			r := rune(n)
			if !utf8.ValidRune(r) {
				r = utf8.RuneError
			}
			if xmlChar(r) {
				return
			}
		}
	}
	s.fail(false, "has an unknown entity &%s; (write &amp; for &)", shorten(string(e)))
}

func isSpaceByte(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

// xmlName reads an ASCII XML name, with at most one prefix, at the start of t.
func xmlName(t []byte) (name string, rest []byte, ok bool) {
	i, colons := 0, 0
	for i < len(t) {
		c := t[i]
		alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
		more := '0' <= c && c <= '9' || c == '-' || c == '.'
		switch {
		case alpha:
		case more && i > 0 && t[i-1] != ':':
		case c == ':' && i > 0 && colons == 0:
			colons++
		default:
			goto done
		}
		i++
	}
done:
	if i == 0 || t[i-1] == ':' {
		return "", t, false
	}
	return intern(t[:i]), t[i:], true
}

// intern returns the names every sheet repeats without allocating them.
func intern(b []byte) string {
	switch string(b) {
	case "c":
		return "c"
	case "r":
		return "r"
	case "s":
		return "s"
	case "t":
		return "t"
	case "v":
		return "v"
	case "is":
		return "is"
	case "si":
		return "si"
	case "row":
		return "row"
	case "spans":
		return "spans"
	}
	return string(b)
}

func local(name string) string {
	if i := strings.IndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

func trimSpace(t []byte) []byte {
	for len(t) > 0 && isSpaceByte(t[0]) {
		t = t[1:]
	}
	return t
}

// startTag checks <name attr="value" ...> or <name .../> (t is what is between
// '<' and '>').
func (s *xmlScanner) startTag(t []byte) {
	name, rest, ok := xmlName(t)
	if !ok {
		s.fail(false, "has a '<' that starts no element name (write &lt; for <)")
		return
	}
	empty := false
	var rowAttr []byte
	for s.err == nil {
		rest = trimSpace(rest)
		if len(rest) == 0 {
			break
		}
		if rest[0] == '/' {
			if len(rest) != 1 {
				s.fail(false, "has a '/' inside the tag <%s>", name)
			}
			empty = true
			break
		}
		var attr string
		if attr, rest, ok = xmlName(rest); !ok {
			s.fail(false, "has a malformed attribute in <%s>", name)
			return
		}
		rest = trimSpace(rest)
		if len(rest) == 0 || rest[0] != '=' {
			s.fail(false, "has the attribute %s without a value in <%s>", attr, name)
			return
		}
		rest = trimSpace(rest[1:])
		if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
			s.fail(false, "has an unquoted value of %s in <%s>", attr, name)
			return
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			s.fail(false, "has an unclosed quote in <%s>", name)
			return
		}
		val := rest[1 : 1+end]
		s.attrValue(val)
		if attr == "r" {
			rowAttr = val
		}
		rest = rest[2+end:]
	}
	if s.err != nil {
		return
	}
	if s.elems++; s.maxElements >= 0 && s.elems > s.maxElements {
		s.tooLarge(hintElements, "holds more than %s XML elements (styles, formats, names...)", count(s.maxElements))
		return
	}
	switch local(name) {
	case "row":
		if n, err := strconv.Atoi(string(rowAttr)); err == nil && n > 0 {
			s.row = n
		} else {
			s.row++
		}
		if !empty {
			s.rowAt = s.start
		}
	case "c", "is":
		if !empty && s.elem < 0 {
			s.elem = s.start
		}
	case "si":
		s.si++
		if s.si > s.maxSI {
			s.tooLarge(hintSplit, "has more than %s shared strings (distinct texts)", count(s.maxSI))
		}
		if !empty && s.elem < 0 {
			s.elem = s.start
		}
	}
	if !empty {
		if len(s.stack) >= s.maxDepth {
			s.tooLarge(hintSplit, "nests elements more than %d deep", s.maxDepth)
			return
		}
		s.stack = append(s.stack, name)
		if cellName(name) {
			s.cells++
		}
	}
}

func cellName(name string) bool {
	switch local(name) {
	case "c", "si", "is":
		return true
	}
	return false
}

func (s *xmlScanner) attrValue(v []byte) {
	for len(v) > 0 && s.err == nil {
		i := bytes.IndexAny(v, "<&")
		if i < 0 {
			return
		}
		if v[i] == '<' {
			s.fail(false, "has a '<' inside an attribute value (write &lt;)")
			return
		}
		end := bytes.IndexByte(v[i:], ';')
		if end < 0 {
			s.fail(false, "has an '&' that starts no known entity (write &amp;)")
			return
		}
		s.entity(v[i+1 : i+end])
		v = v[i+end+1:]
	}
}

func (s *xmlScanner) endTag(t []byte) {
	name, rest, ok := xmlName(t)
	if !ok || len(trimSpace(rest)) > 0 {
		s.fail(false, "has a malformed end tag")
		return
	}
	if len(s.stack) == 0 || s.stack[len(s.stack)-1] != name {
		s.fail(false, "has </%s> where no <%s> is open", name, name)
		return
	}
	s.stack = s.stack[:len(s.stack)-1]
	switch local(name) {
	case "row":
		s.rowAt = -1
	case "c", "si", "is":
		s.cells--
		if s.elem >= 0 && s.cells == 0 { // no <c>, <si> or <is> is still open
			s.elem = -1
		}
	}
}

// procInst checks <?target ...?>: the xml declaration must say version 1.0 and
// UTF-8, if anything.
func (s *xmlScanner) procInst(t []byte) {
	target, rest, ok := xmlName(t)
	if !ok || strings.Contains(target, ":") {
		s.fail(false, "has a malformed <?...?> instruction")
		return
	}
	if target != "xml" {
		return
	}
	if v := piParam(string(rest), "version"); v != "" && v != "1.0" {
		s.fail(false, "declares XML version %q; workbooks use 1.0", v)
	}
	if enc := piParam(string(rest), "encoding"); enc != "" && !strings.EqualFold(enc, "utf-8") {
		s.fail(false, "declares the encoding %q; bulkpay reads workbooks in UTF-8", enc)
	}
}

// piParam is encoding/xml's procInst: the value of param="value" in s.
func piParam(s, param string) string {
	param += "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}
