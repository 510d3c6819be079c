package sheet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"bulkpay/batch"
	"bulkpay/providers"
)

// Options tune how a sheet is read.
type Options struct {
	Region          string // default region for national phone numbers; CM when empty
	Sheet           string // xlsx sheet name; the first sheet when empty
	AllowDuplicates bool   // allow the same phone on several rows
	Limits          Limits // zero fields take DefaultLimits
}

// Result is what reading a sheet found.
type Result struct {
	Rows          int   // beneficiary rows: not title, header, blank or TOTAL rows
	Valid         int   // rows without errors
	Invalid       int   // rows with at least one error
	TotalAmount   int64 // sum of valid rows
	DeclaredTotal int64 // the TOTAL row's amount, 0 when none
	HeaderRow     int
	Columns       map[Field]string // how the sheet spells each column it has
	Errors        []batch.RowError // the first Limits.MaxErrors row errors
	MoreErrors    int              // row errors found beyond those, counted only

	Encoding  string // csv: the text encoding read (EncodingUTF8, EncodingWindows1252, ...)
	Delimiter string // csv: "comma", "semicolon" or "tab"
	Sheet     string // xlsx: the sheet read
	SheetNote string // xlsx: why that sheet, when it is not the first
}

// Describe says how the file was read, for people: `Windows-1252, semicolon-separated`
// or `sheet "Paie" (the first sheet, "Couverture", has no header row)`.
func (r Result) Describe() string {
	switch {
	case r.Encoding != "":
		return fmt.Sprintf("%s, %s-separated", r.Encoding, r.Delimiter)
	case r.Sheet != "" && r.SheetNote != "":
		return fmt.Sprintf("sheet %q; %s", r.Sheet, r.SheetNote)
	case r.Sheet != "":
		return fmt.Sprintf("sheet %q", r.Sheet)
	}
	return ""
}

// HeaderError says the sheet has no usable header row. It is also in Result.Errors.
type HeaderError struct {
	Missing []Field
	Found   []string
	Row     int
	Sheet   string   // xlsx: the sheet searched
	Sheets  []string // xlsx: every sheet, when all were searched
}

func (e *HeaderError) Error() string {
	if e.Row == 0 {
		if len(e.Sheets) > 1 {
			return batch.RowText("header_not_found_workbook", "rows", strconv.Itoa(headerScan), "sheets", strings.Join(quoteAll(e.Sheets), ", "))
		}
		return batch.RowText("header_not_found", "rows", strconv.Itoa(headerScan))
	}
	var miss []string
	for _, f := range e.Missing {
		miss = append(miss, string(f))
	}
	return batch.RowText("header_column_missing", "row", strconv.Itoa(e.Row), "column", strings.Join(miss, ", "), "found", strings.Join(quoteAll(e.Found), ", "))
}

const headerScan = 30

// Read streams a sheet's beneficiary rows to fn, valid ones only, in sheet order,
// and returns the counts and the row errors. A sheet without a usable header
// gives a *HeaderError; a file that cannot be read as a sheet (not a regular
// file, too large, damaged, empty...) an *InputError; an error from fn stops
// reading and is returned. Reading stops when ctx is done.
func Read(ctx context.Context, path string, opt Options, fn func(batch.Row) error) (Result, error) {
	if opt.Region == "" {
		opt.Region = "CM"
	}
	lim := opt.Limits.withDefaults()
	var res Result
	sh, err := openSheet(ctx, path, opt, lim, &res)
	if err != nil {
		var he *HeaderError
		if errors.As(err, &he) {
			res.HeaderRow = he.Row
			for _, f := range he.Missing {
				res.Errors = append(res.Errors, batch.RowError{Row: he.Row, Column: string(f),
					Message: batch.RowText("column_missing", "column", string(f), "found", strings.Join(quoteAll(he.Found), ", "))})
			}
			if he.Row == 0 {
				res.Errors = append(res.Errors, batch.RowError{Message: he.Error()})
			}
		}
		return res, err
	}
	defer sh.close()
	v := validator{h: sh.h, opt: opt, lim: lim, res: res, seen: newPayees(rowsHint(path, lim)), seenID: map[string]int32{}}
	v.res.HeaderRow = sh.h.row
	v.res.Columns = sh.h.names
	// Reading the file and validating rows run side by side: the reader
	// goroutine decodes the next rows while this one validates the last ones.
	// Whichever of the two has time parses the rows' phone numbers.
	h := sh.h
	pre := func(cells []string) ahead {
		raw, _ := h.cell(cells, FieldPhone)
		if len(raw) > lim.MaxCellBytes { // the row is refused before its phone is read
			return ahead{}
		}
		p, err := ParsePhone(raw, opt.Region)
		a := ahead{phone: p, err: err, done: true}
		if err == nil {
			a.key, _ = strconv.ParseUint(p.E164, 10, 64)
		}
		return a
	}
	chunks, readErr, stop := readAhead(ctx, sh.src, path, lim, pre)
	defer stop() // before the source is closed: the reader must be gone
	for ch := range chunks.out {
		for i := range ch.rows {
			if a := &ch.rows[i].ahead; !a.done {
				*a = pre(ch.rows[i].cells)
			}
		}
		v.seen.touch(ch.rows)
		for i := range ch.rows {
			rc := &ch.rows[i]
			row, ok := v.row(rc.n, rc.cells, &rc.ahead)
			if ok {
				if err := fn(row); err != nil {
					return v.res, err
				}
			}
		}
		chunks.done(ch) // a row keeps strings only, never its cells
	}
	if err := readErr(); err != nil {
		return v.res, err
	}
	v.finish()
	return v.res, nil
}

// rowsHint guesses how many rows a file holds, at most one per 64 bytes and
// no more than lim.MaxRows, so that the table of payees seen is made once at
// about its final size rather than grown and copied row after row.
func rowsHint(path string, lim Limits) int {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return int(min(fi.Size()/64, int64(lim.MaxRows), 1<<20))
}

type rowCells struct {
	n     int
	cells []string
	ahead ahead
}

// ahead is what the reader works out for a row besides its cells, so that
// validating the row waits for less: its phone cell parsed (ParsePhone), and
// the number as the key of the payees table.
type ahead struct {
	phone Phone
	err   error
	key   uint64
	done  bool // false: the row's phone is parsed when it is validated
}

// chunk is rows read ahead, with the cells they hold when the source reuses
// its own (csv).
type chunk struct {
	rows  []rowCells
	cells []string
}

// chunks are the chunks a reader sends, and takes back once read: a chunk
// done is filled again rather than a new one made, so that reading a sheet
// allocates a few of them, not one per 512 rows.
type chunks struct {
	out  <-chan *chunk
	free chan *chunk
}

// done gives ch back to the reader.
func (c chunks) done(ch *chunk) {
	select {
	case c.free <- ch:
	default:
	}
}

// readAhead reads non-blank rows in chunks on its own goroutine until the end,
// an error, ctx done, or more rows than lim.MaxRows. While chunks wait to be
// read, it works out pre for the rows of the next one, sparing the reader of
// chunks that work. A chunk holds at most 512 rows or 256 KiB of text, and at most 8
// wait, so what is in flight stays small whatever the rows hold. readErr gives
// the read error once chunks.out is closed; stop ends the reader early and
// waits for it.
func readAhead(ctx context.Context, src source, path string, lim Limits, pre func([]string) ahead) (ch chunks, readErr func() error, stop func()) {
	const chunkRows, chunkBytes = 512, 256 << 10
	out := make(chan *chunk, 8)
	free := make(chan *chunk, 10)
	done := make(chan struct{})
	exited := make(chan struct{})
	var rerr error
	go func() {
		defer close(exited)
		defer close(out)
		defer func() {
			if r := recover(); r != nil {
				rerr = inputErr(path, 0, "cannot be read (the reader failed: %v): open the sheet in Excel or LibreOffice and save it again as .xlsx or .csv", r)
			}
		}()
		fresh := func() *chunk {
			select {
			case c := <-free:
				c.rows, c.cells = c.rows[:0], c.cells[:0]
				return c
			default:
				return &chunk{rows: make([]rowCells, 0, chunkRows)}
			}
		}
		chunk := fresh()
		held, rows := 0, 0
		for {
			select {
			case <-ctx.Done():
				rerr = interrupted(path)
				return
			default:
			}
			n, cells, err := src.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				rerr = sourceErr(path, n, err)
				break
			}
			if blank(cells) {
				continue
			}
			if rerr = checkRecord(path, n, cells, lim); rerr != nil {
				break
			}
			if rows++; rows > lim.MaxRows {
				rerr = inputErr(path, n, "the sheet has more than %s rows below its header; bulkpay pays at most %s rows in one batch: split the sheet into several files", count(lim.MaxRows), count(lim.MaxRows))
				break
			}
			own := src.own(&chunk.cells, cells)
			chunk.rows = append(chunk.rows, rowCells{n: n, cells: own})
			held += recordBytes(cells)
			if len(chunk.rows) == chunkRows || held >= chunkBytes {
				if len(out) > 0 { // the validator has work: do some of its own
					for i := range chunk.rows {
						chunk.rows[i].ahead = pre(chunk.rows[i].cells)
					}
				}
				select {
				case out <- chunk:
				case <-done:
					return
				}
				chunk, held = fresh(), 0
			}
		}
		if len(chunk.rows) > 0 {
			select {
			case out <- chunk:
			case <-done:
			}
		}
	}()
	return chunks{out: out, free: free}, func() error { return rerr }, func() {
		close(done)
		<-exited
	}
}

// ReadAll reads every valid row into memory.
func ReadAll(ctx context.Context, path string, opt Options) ([]batch.Row, Result, error) {
	var rows []batch.Row
	res, err := Read(ctx, path, opt, func(r batch.Row) error {
		rows = append(rows, r)
		return nil
	})
	return rows, res, err
}

type validator struct {
	h         header
	opt       Options
	lim       Limits
	res       Result
	seen      *payees
	seenID    map[string]int32     // My-CoolPay wallets addressed by username or e-mail
	folded    map[string]string    // Normalize of mode and operator cells, by cell text
	wallets   map[string]walletHit // providers.WalletNamed, by folded cell
	labels    map[string]labelHit  // both of the above, by cell text
	recent    [4]labelHit          // the last labels found, tried before the map
	next      int                  // the slot of recent the next label takes
	parsedSum int64                // every amount that parsed, for the TOTAL check
	badAmount bool
	totalRow  int
}

// add keeps a row error, or only counts it once MaxErrors are kept.
func (v *validator) add(e batch.RowError) {
	if len(v.res.Errors) >= v.lim.MaxErrors {
		v.res.MoreErrors++
		return
	}
	e.Value = shorten(e.Value)
	v.res.Errors = append(v.res.Errors, e)
}

func (v *validator) fail(row int, f Field, value, msg string) {
	v.add(batch.RowError{Row: row, Column: v.h.names[f], Value: value, Message: msg})
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func firstNonEmpty(cells []string) string {
	for _, c := range cells {
		if s := strings.TrimSpace(c); s != "" {
			return s
		}
	}
	return ""
}

// oversized flags every cell longer than MaxCellBytes.
func (v *validator) oversized(n int, cells []string) bool {
	bad := false
	for i, c := range cells {
		if len(c) > v.lim.MaxCellBytes {
			bad = true
			v.add(batch.RowError{Row: n, Column: v.h.title(i), Value: c,
				Message: batch.RowText("cell_too_long", "size", size(int64(len(c))), "max", size(int64(v.lim.MaxCellBytes)))})
		}
	}
	return bad
}

// row validates one data row; ok is false for rows that are not (valid) beneficiaries.
func (v *validator) row(n int, cells []string, a *ahead) (batch.Row, bool) {
	if blank(cells) {
		return batch.Row{}, false
	}
	if v.oversized(n, cells) {
		v.res.Rows++
		v.res.Invalid++
		return batch.Row{}, false
	}
	name, _ := v.h.cell(cells, FieldName)
	if isTotalLabel(name) || isTotalLabel(firstNonEmpty(cells)) {
		v.total(n, cells)
		return batch.Row{}, false
	}
	v.res.Rows++
	if v.totalRow != 0 {
		v.res.Invalid++
		v.add(batch.RowError{Row: n, Value: firstNonEmpty(cells),
			Message: batch.RowText("below_total", "total", strconv.Itoa(v.totalRow))})
		return batch.Row{}, false
	}
	before := v.errorCount()
	r := batch.Row{Row: n, Mode: batch.ModeMobileMoney}

	plain := plainName(name)
	r.Name = name
	if !plain {
		r.Name = joinFields(name)
	}
	if r.Name == "" {
		v.fail(n, FieldName, name, batch.RowText("name_empty"))
	} else if msg := nameText(plain, r.Name); msg != "" {
		v.fail(n, FieldName, name, msg)
	} else if l := runeCount(r.Name, v.lim.MaxNameRunes); l > v.lim.MaxNameRunes {
		v.fail(n, FieldName, name, batch.RowText("name_too_long", "length", strconv.Itoa(l), "max", strconv.Itoa(v.lim.MaxNameRunes)))
	}

	mode, hasMode := v.h.cell(cells, FieldMode)
	modeKey := ""
	modeWallet, modeNamed := providers.Declaration{}, false
	if hasMode && strings.TrimSpace(mode) != "" {
		modeKey, modeWallet, modeNamed = v.label(mode)
		modeNamed = modeNamed && modeKey != ""
	}
	// A wallet row pays into an account at a provider (a My-CoolPay wallet): the
	// operator or mode cell names the wallet, or the phone cell holds an address
	// only a wallet has (an e-mail).
	wallet, named := providers.Declaration{}, false
	if op, ok := v.h.cell(cells, FieldOperator); ok {
		_, wallet, named = v.label(op)
	}
	if !named && modeNamed {
		wallet, named = modeWallet, modeNamed
	}
	rawPhone, _ := v.h.cell(cells, FieldPhone)
	if !a.done {
		a.phone, a.err = ParsePhone(rawPhone, v.opt.Region)
		if a.err == nil {
			a.key, _ = strconv.ParseUint(a.phone.E164, 10, 64)
		}
	}
	p, err := a.phone, a.err
	id := strings.TrimSpace(rawPhone)
	if err != nil && !named {
		wallet, named = providers.WalletAddressed(id)
	}
	switch {
	case err == nil:
		r.Phone, r.Country, r.Operator = p.E164, p.Region, p.Operator
		if first := v.seen.firstOr(a.key, int32(n)); first != int32(n) && !v.opt.AllowDuplicates {
			v.fail(n, FieldPhone, rawPhone, batch.RowText("duplicate_row", "first", strconv.Itoa(int(first))))
		}
	case named && wallet.Wallet.Accepts(id): // a bare word is a wallet only when the row names the wallet
		r.Phone, r.Country = id, "CM"
		duplicate(v, n, rawPhone, v.seenID, strings.ToLower(id))
	case named:
		v.fail(n, FieldPhone, rawPhone, fmt.Sprintf("a %s wallet row needs the wallet's %s in this column", wallet.Title, walletAddress(*wallet.Wallet)))
	default:
		v.fail(n, FieldPhone, rawPhone, err.Error())
	}
	if named {
		r.Operator = wallet.Wallet.Carrier
	}

	rawAmount, _ := v.h.cell(cells, FieldAmount)
	if a, err := ParseAmount(rawAmount); err != nil {
		v.fail(n, FieldAmount, rawAmount, err.Error())
		v.badAmount = true
	} else {
		r.Amount = a
		v.parsedSum += a
	}

	if email, ok := v.h.cell(cells, FieldEmail); ok {
		r.Email = strings.TrimSpace(email)
		if r.Email != "" && !providers.IsEmail(r.Email) {
			v.fail(n, FieldEmail, email, batch.RowText("email_invalid"))
		} else if msg := badText("email", r.Email); msg != "" {
			v.fail(n, FieldEmail, email, msg)
		}
	}
	if modeKey != "" && !modeNamed {
		if m, ok := parseModeKey(modeKey); ok {
			r.Mode = m
		} else {
			v.fail(n, FieldMode, mode, batch.RowText("mode_unknown"))
		}
	}
	if p, ok := v.h.cell(cells, FieldProvider); ok {
		r.Provider = strings.ToLower(strings.TrimSpace(p))
	}
	if ref, ok := v.h.cell(cells, FieldReference); ok {
		r.Reference = strings.TrimSpace(ref)
		if msg := badText("reference", r.Reference); msg != "" {
			v.fail(n, FieldReference, ref, msg)
		}
	}
	if v.errorCount() > before {
		v.res.Invalid++
		return batch.Row{}, false
	}
	v.res.Valid++
	v.res.TotalAmount += r.Amount
	return r, true
}

// maxFolded bounds the cells whose folding a validator keeps: a sheet names a
// few modes and operators, so a column of distinct values only stops filling
// the map, it never grows it past this.
const maxFolded = 256

// fold is Normalize(s), worked out once per distinct cell text.
func (v *validator) fold(s string) string {
	if k, ok := v.folded[s]; ok {
		return k
	}
	k := Normalize(s)
	if len(v.folded) < maxFolded && len(s) <= 64 {
		if v.folded == nil {
			v.folded = map[string]string{}
		}
		v.folded[strings.Clone(s)] = k
	}
	return k
}

type labelHit struct {
	cell  string
	key   string
	d     providers.Declaration
	named bool
}

// label is v.fold(s) and v.walletNamed of it, worked out once per distinct
// cell text: a mode or operator column repeats a few values on every row, so
// the last few are compared first, cheaper than hashing s for the map.
func (v *validator) label(s string) (string, providers.Declaration, bool) {
	for i := range v.recent {
		if l := &v.recent[i]; l.cell == s && (s != "" || l.key != "" || l.named) {
			return l.key, l.d, l.named
		}
	}
	if l, ok := v.labels[s]; ok {
		v.recent[v.next], v.next = l, (v.next+1)%len(v.recent)
		return l.key, l.d, l.named
	}
	k := v.fold(s)
	d, named := v.walletNamed(k)
	if len(v.labels) < maxFolded && len(s) <= 64 {
		if v.labels == nil {
			v.labels = map[string]labelHit{}
		}
		l := labelHit{strings.Clone(s), k, d, named}
		v.labels[l.cell] = l
		v.recent[v.next], v.next = l, (v.next+1)%len(v.recent)
	}
	return k, d, named
}

type walletHit struct {
	d     providers.Declaration
	named bool
}

// walletNamed is providers.WalletNamed(key), worked out once per distinct key.
func (v *validator) walletNamed(key string) (providers.Declaration, bool) {
	if w, ok := v.wallets[key]; ok {
		return w.d, w.named
	}
	d, named := providers.WalletNamed(key)
	if len(v.wallets) < maxFolded && len(key) <= 64 {
		if v.wallets == nil {
			v.wallets = map[string]walletHit{}
		}
		v.wallets[key] = walletHit{d, named}
	}
	return d, named
}

// errorCount counts row errors, kept or not.
func (v *validator) errorCount() int { return len(v.res.Errors) + v.res.MoreErrors }

// badText explains what makes a text cell unfit for payment records and
// reports: bytes that are not UTF-8, a character the file's encoding could not
// give (U+FFFD), control characters (NUL, escape...) and the invisible marks that
// reverse the direction of text and can disguise a name. Spaces, tabs and line
// breaks are not refused: names fold them into single spaces.
func badText(what, s string) string {
	if plainText(s) {
		return ""
	}
	if !utf8.ValidString(s) {
		return batch.RowText("text_not_utf8", "field", what)
	}
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return batch.RowText("text_unreadable_char", "field", what)
		case unicode.IsControl(r) && !unicode.IsSpace(r):
			return batch.RowText("text_control_char", "field", what, "char", fmt.Sprintf("%U", r))
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
			return batch.RowText("text_direction_mark", "field", what, "char", fmt.Sprintf("%U", r))
		}
	}
	return ""
}

// plainText reports that badText has nothing to say about s without looking
// at its characters one by one: s is UTF-8 and holds none of the bytes that
// start what badText refuses. Those are the C0 controls and DEL (below 0x20 or
// 0x7F; tab, line feed, vertical tab, form feed and carriage return are spaces,
// but they are left to the full check too), and the lead bytes of the C1
// controls (0xC2 0x80-0x9F), of U+061C (0xD8), of the direction marks
// U+200E-U+206F (0xE2) and of U+FFFD (0xEF).
func plainText(s string) bool {
	var high uint8
	for i := 0; i < len(s); i++ {
		c := textBytes[s[i]]
		if c == byteRefused {
			return false
		}
		high |= c
	}
	return high == 0 || utf8.ValidString(s)
}

const (
	bytePlain   = 0
	byteHigh    = 1 // part of a character beyond ASCII
	byteRefused = 2 // may start what badText refuses
)

// textBytes classes every byte value for plainText.
var textBytes = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c < 0x20, c == 0x7F, c == 0xC2, c == 0xD8, c == 0xE2, c == 0xEF:
			t[c] = byteRefused
		case c >= 0x80:
			t[c] = byteHigh
		}
	}
	return t
}()

// nameText is badText of a name, which has nothing to say when plain.
func nameText(plain bool, name string) string {
	if plain {
		return ""
	}
	return badText("name", name)
}

// plainName reports that joinFields(s) is s and that badText has nothing to
// say about s, looking at each byte once: s is UTF-8, holds no byte that may
// start a space other than ' ' or what badText refuses, and no ' ' at either
// end or next to another.
func plainName(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	var high uint8
	space := false
	for i := 0; i < len(s); i++ {
		switch c := nameBytes[s[i]]; c {
		case nameOther:
			return false
		case nameSpace:
			if space {
				return false
			}
			space = true
		default:
			space = false
			high |= c
		}
	}
	return high == 0 || utf8.ValidString(s)
}

const (
	namePlain = 0
	nameHigh  = 1 // part of a character beyond ASCII, which is no space
	nameSpace = 2 // ' '
	nameOther = 3 // a control, or the lead byte of a space or of a character badText refuses
)

// nameBytes classes every byte value for plainName.
var nameBytes = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c == ' ':
			t[c] = nameSpace
		case c < 0x20, c == 0x7F, c == 0xC2, c == 0xD8, c == 0xE1, c == 0xE2, c == 0xE3, c == 0xEF:
			t[c] = nameOther
		case c >= 0x80:
			t[c] = nameHigh
		}
	}
	return t
}()

// runeCount is utf8.RuneCountInString(s) when that could exceed limit, and
// len(s), which is then at most limit, otherwise.
func runeCount(s string, limit int) int {
	if len(s) <= limit {
		return len(s)
	}
	return utf8.RuneCountInString(s)
}

func (v *validator) total(n int, cells []string) {
	if v.totalRow != 0 {
		v.add(batch.RowError{Row: n, Value: firstNonEmpty(cells),
			Message: batch.RowText("second_total", "first", strconv.Itoa(v.totalRow))})
		return
	}
	v.totalRow = n
	raw, _ := v.h.cell(cells, FieldAmount)
	if strings.TrimSpace(raw) == "" {
		return
	}
	declared, err := ParseAmount(raw)
	if err != nil {
		v.fail(n, FieldAmount, raw, batch.RowText("total_amount", "msg", err.Error()))
		return
	}
	v.res.DeclaredTotal = declared
}

func (v *validator) finish() {
	if v.totalRow == 0 || v.res.DeclaredTotal == 0 || v.res.DeclaredTotal == v.parsedSum {
		return
	}
	declared, sum := strconv.FormatInt(v.res.DeclaredTotal, 10), strconv.FormatInt(v.parsedSum, 10)
	msg := batch.RowText("total_mismatch", "declared", declared, "sum", sum, "difference", strconv.FormatInt(v.res.DeclaredTotal-v.parsedSum, 10))
	if v.badAmount {
		msg = batch.RowText("total_mismatch_unread", "declared", declared, "sum", sum)
	}
	v.fail(v.totalRow, FieldAmount, strconv.FormatInt(v.res.DeclaredTotal, 10), msg)
}

// duplicate records the first row of a payee and flags a later one.
func duplicate[K comparable](v *validator, n int, raw string, seen map[K]int32, key K) {
	if first, dup := seen[key]; dup && !v.opt.AllowDuplicates {
		v.fail(n, FieldPhone, raw, batch.RowText("duplicate_row", "first", strconv.Itoa(int(first))))
	} else if !dup {
		seen[key] = int32(n)
	}
}

// walletAddress says how a wallet is addressed: "phone, username or e-mail".
func walletAddress(w providers.Wallet) string {
	ways := []string{"phone"}
	if w.Usernames {
		ways = append(ways, "username")
	}
	if w.Emails {
		ways = append(ways, "e-mail")
	}
	if len(ways) == 1 {
		return ways[0]
	}
	return strings.Join(ways[:len(ways)-1], ", ") + " or " + ways[len(ways)-1]
}

// ParseMode reads a payment mode: mobile_money, cashout, bank_transfer or
// link (paid by link: the beneficiary claims it), in English or French.
func ParseMode(s string) (string, bool) { return parseModeKey(Normalize(s)) }

func parseModeKey(key string) (string, bool) {
	switch key {
	case "mobilemoney", "momo", "mobile", "mm", "mobilemoneydisbursement", "orangemoney", "mtnmomo":
		return batch.ModeMobileMoney, true
	case "cashout", "cash", "retrait", "especes":
		return batch.ModeCashout, true
	case "banktransfer", "bank", "virement", "virementbancaire", "banque":
		return batch.ModeBankTransfer, true
	case "link", "lien", "paymentlink", "liendepaiement", "parlien":
		return batch.ModeLink, true
	}
	return "", false
}
