package sheet

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"bulkpay/batch"
)

// Options tune how a sheet is read.
type Options struct {
	Region          string // default region for national phone numbers; CM when empty
	Sheet           string // xlsx sheet name; the first sheet when empty
	AllowDuplicates bool   // allow the same phone on several rows
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
	Errors        []batch.RowError
}

// HeaderError says the sheet has no usable header row. It is also in Result.Errors.
type HeaderError struct {
	Missing []Field
	Found   []string
	Row     int
}

func (e *HeaderError) Error() string {
	if e.Row == 0 {
		return fmt.Sprintf("no header row found in the first %d rows: a header with columns name, phone and amount is needed", headerScan)
	}
	var miss []string
	for _, f := range e.Missing {
		miss = append(miss, string(f))
	}
	return fmt.Sprintf("row %d: missing required column %s; headers found: %s", e.Row, strings.Join(miss, ", "), strings.Join(quoteAll(e.Found), ", "))
}

const headerScan = 30

// Read streams a sheet's beneficiary rows to fn, valid ones only, in sheet order,
// and returns the counts and every row error. A sheet without a usable header
// gives a *HeaderError; an error from fn stops reading and is returned.
func Read(path string, opt Options, fn func(batch.Row) error) (Result, error) {
	if opt.Region == "" {
		opt.Region = "CM"
	}
	src, err := openSource(path, opt.Sheet)
	if err != nil {
		return Result{}, err
	}
	defer src.close()
	h, err := findHeader(src)
	if err != nil {
		var he *HeaderError
		if errors.As(err, &he) {
			res := Result{HeaderRow: he.Row}
			for _, f := range he.Missing {
				res.Errors = append(res.Errors, batch.RowError{Row: he.Row, Column: string(f),
					Message: fmt.Sprintf("missing required column %s; headers found: %s", f, strings.Join(quoteAll(he.Found), ", "))})
			}
			if he.Row == 0 {
				res.Errors = append(res.Errors, batch.RowError{Message: he.Error()})
			}
			return res, err
		}
		return Result{}, err
	}
	v := validator{h: h, opt: opt, seen: map[uint64]int32{}, seenID: map[string]int32{}}
	v.res.HeaderRow = h.row
	v.res.Columns = h.names
	// Reading the file and validating rows run side by side: the reader
	// goroutine decodes the next rows while this one validates the last ones.
	chunks, readErr, stop := readAhead(src)
	defer stop() // before src.close: the reader must be gone
	for chunk := range chunks {
		for _, rc := range chunk {
			row, ok := v.row(rc.n, rc.cells)
			if ok {
				if err := fn(row); err != nil {
					return v.res, err
				}
			}
		}
	}
	if err := readErr(); err != nil {
		return v.res, err
	}
	v.finish()
	return v.res, nil
}

type rowCells struct {
	n     int
	cells []string
}

// readAhead reads rows in chunks on its own goroutine until the end or an error.
// readErr gives the read error once chunks is closed; stop ends the reader early
// and waits for it.
func readAhead(src source) (chunks <-chan []rowCells, readErr func() error, stop func()) {
	const chunkSize = 512
	out := make(chan []rowCells, 8)
	done := make(chan struct{})
	exited := make(chan struct{})
	var rerr error
	go func() {
		defer close(exited)
		defer close(out)
		chunk := make([]rowCells, 0, chunkSize)
		for {
			n, cells, err := src.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				rerr = fmt.Errorf("read row %d: %w", n, err)
				break
			}
			chunk = append(chunk, rowCells{n: n, cells: src.own(cells)})
			if len(chunk) == chunkSize {
				select {
				case out <- chunk:
				case <-done:
					return
				}
				chunk = make([]rowCells, 0, chunkSize)
			}
		}
		if len(chunk) > 0 {
			select {
			case out <- chunk:
			case <-done:
			}
		}
	}()
	return out, func() error { return rerr }, func() {
		close(done)
		<-exited
	}
}

// ReadAll reads every valid row into memory.
func ReadAll(path string, opt Options) ([]batch.Row, Result, error) {
	var rows []batch.Row
	res, err := Read(path, opt, func(r batch.Row) error {
		rows = append(rows, r)
		return nil
	})
	return rows, res, err
}

func findHeader(src source) (header, error) {
	var best header
	for i := 0; i < headerScan; i++ {
		n, cells, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return header{}, fmt.Errorf("read row %d: %w", n, err)
		}
		h := parseHeader(n, cells)
		if len(h.missing()) == 0 {
			return h, nil
		}
		if len(h.col) >= 2 && len(h.col) > len(best.col) {
			best = h
		}
	}
	if best.row == 0 {
		return header{}, &HeaderError{}
	}
	return header{}, &HeaderError{Row: best.row, Missing: best.missing(), Found: best.found}
}

type validator struct {
	h         header
	opt       Options
	res       Result
	seen      map[uint64]int32
	seenID    map[string]int32 // My-CoolPay wallets addressed by username or e-mail
	parsedSum int64            // every amount that parsed, for the TOTAL check
	badAmount bool
	totalRow  int
}

func (v *validator) fail(row int, f Field, value, msg string) {
	v.res.Errors = append(v.res.Errors, batch.RowError{Row: row, Column: v.h.names[f], Value: value, Message: msg})
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

// row validates one data row; ok is false for rows that are not (valid) beneficiaries.
func (v *validator) row(n int, cells []string) (batch.Row, bool) {
	if blank(cells) {
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
		v.res.Errors = append(v.res.Errors, batch.RowError{Row: n, Value: firstNonEmpty(cells),
			Message: fmt.Sprintf("row below the TOTAL row (row %d): put every beneficiary above the TOTAL row and remove notes below it", v.totalRow)})
		return batch.Row{}, false
	}
	before := len(v.res.Errors)
	r := batch.Row{Row: n, Mode: batch.ModeMobileMoney}

	r.Name = strings.Join(strings.Fields(name), " ")
	if r.Name == "" {
		v.fail(n, FieldName, name, "name is empty: write the beneficiary's name")
	}

	wallet := false // a My-CoolPay wallet row: the operator or mode says MCP, or the phone cell holds a username or e-mail
	if op, ok := v.h.cell(cells, FieldOperator); ok && isMCP(op) {
		wallet = true
	}
	if mode, ok := v.h.cell(cells, FieldMode); ok && isMCP(mode) {
		wallet = true
	}
	rawPhone, _ := v.h.cell(cells, FieldPhone)
	p, err := ParsePhone(rawPhone, v.opt.Region)
	switch id := strings.TrimSpace(rawPhone); {
	case err == nil:
		r.Phone, r.Country, r.Operator = p.E164, p.Region, p.Operator
		key, _ := strconv.ParseUint(p.E164, 10, 64)
		duplicate(v, n, rawPhone, v.seen, key)
	case walletID(id) && (wallet || strings.Contains(id, "@")): // a bare word is a wallet only when the row says MCP
		wallet = true
		r.Phone, r.Country = id, "CM"
		duplicate(v, n, rawPhone, v.seenID, strings.ToLower(id))
	case wallet:
		v.fail(n, FieldPhone, rawPhone, "a My-CoolPay wallet row needs the wallet's phone, username or e-mail in this column")
	default:
		v.fail(n, FieldPhone, rawPhone, err.Error())
	}
	if wallet {
		r.Operator = batch.OperatorMCP
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
		if r.Email != "" && !plausibleEmail(r.Email) {
			v.fail(n, FieldEmail, email, "email is not an address: write name@example.com or leave it empty")
		}
	}
	if mode, ok := v.h.cell(cells, FieldMode); ok && strings.TrimSpace(mode) != "" && !isMCP(mode) {
		if m, ok := ParseMode(mode); ok {
			r.Mode = m
		} else {
			v.fail(n, FieldMode, mode, "mode is not one bulkpay knows: write mobile_money, cashout or bank_transfer")
		}
	}
	if p, ok := v.h.cell(cells, FieldProvider); ok {
		r.Provider = strings.ToLower(strings.TrimSpace(p))
	}
	if ref, ok := v.h.cell(cells, FieldReference); ok {
		r.Reference = strings.TrimSpace(ref)
	}
	if len(v.res.Errors) > before {
		v.res.Invalid++
		return batch.Row{}, false
	}
	v.res.Valid++
	v.res.TotalAmount += r.Amount
	return r, true
}

func (v *validator) total(n int, cells []string) {
	if v.totalRow != 0 {
		v.res.Errors = append(v.res.Errors, batch.RowError{Row: n, Value: firstNonEmpty(cells),
			Message: fmt.Sprintf("a second TOTAL row (the first is row %d): keep one", v.totalRow)})
		return
	}
	v.totalRow = n
	raw, _ := v.h.cell(cells, FieldAmount)
	if strings.TrimSpace(raw) == "" {
		return
	}
	declared, err := ParseAmount(raw)
	if err != nil {
		v.fail(n, FieldAmount, raw, "TOTAL row: "+err.Error())
		return
	}
	v.res.DeclaredTotal = declared
}

func (v *validator) finish() {
	if v.totalRow == 0 || v.res.DeclaredTotal == 0 || v.res.DeclaredTotal == v.parsedSum {
		return
	}
	msg := fmt.Sprintf("TOTAL row says %d but the amounts above add up to %d (difference %d): correct the amounts or the TOTAL",
		v.res.DeclaredTotal, v.parsedSum, v.res.DeclaredTotal-v.parsedSum)
	if v.badAmount {
		msg = fmt.Sprintf("TOTAL row says %d but the amounts that could be read add up to %d: correct the amounts marked above, then check the TOTAL",
			v.res.DeclaredTotal, v.parsedSum)
	}
	v.fail(v.totalRow, FieldAmount, strconv.FormatInt(v.res.DeclaredTotal, 10), msg)
}

// duplicate records the first row of a payee and flags a later one.
func duplicate[K comparable](v *validator, n int, raw string, seen map[K]int32, key K) {
	if first, dup := seen[key]; dup && !v.opt.AllowDuplicates {
		v.fail(n, FieldPhone, raw, fmt.Sprintf("duplicate of row %d: the same payee is paid twice; remove one row, or pass --allow-duplicates if both payments are meant", first))
	} else if !dup {
		seen[key] = int32(n)
	}
}

func isMCP(s string) bool {
	switch Normalize(s) {
	case "mcp", "mycoolpay", "mycoolpaywallet":
		return true
	}
	return false
}

// walletID is a My-CoolPay username or an e-mail address.
func walletID(s string) bool {
	if strings.Contains(s, "@") {
		return plausibleEmail(s)
	}
	if len(s) < 3 || len(s) > 32 || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func plausibleEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(s, " \t<>,;") && !strings.Contains(domain, "@")
}

// ParseMode reads a payment mode: mobile_money, cashout or bank_transfer, in
// English or French.
func ParseMode(s string) (string, bool) {
	switch Normalize(s) {
	case "mobilemoney", "momo", "mobile", "mm", "mobilemoneydisbursement", "orangemoney", "mtnmomo":
		return batch.ModeMobileMoney, true
	case "cashout", "cash", "retrait", "especes":
		return batch.ModeCashout, true
	case "banktransfer", "bank", "virement", "virementbancaire", "banque":
		return batch.ModeBankTransfer, true
	}
	return "", false
}
