package reports

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// cell is the one door every value goes through on its way into a report, csv
// or workbook: whole numbers stay numbers, anything else becomes text and is
// neutralised. No writer puts a value in a cell any other way.
func cell(v any) any {
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return x
	case string:
		return Neutralize(x)
	case fmt.Stringer:
		return Neutralize(x.String())
	default:
		return Neutralize(fmt.Sprint(x))
	}
}

// csvCell is cell as csv text.
func csvCell(v any) string {
	switch x := cell(v).(type) {
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	default:
		return x.(string)
	}
}

// Neutralize makes text safe to open in a spreadsheet: text whose first
// character, once leading spaces are skipped, is = + - @ (or their full-width
// forms), a tab, a carriage return, a line feed or NUL is prefixed with ' so
// it is never read as a formula.
func Neutralize(s string) string {
	if formulaLead(strings.TrimLeft(s, " ")) {
		return "'" + s
	}
	return s
}

func formulaLead(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '\n', 0, '＝', '＋', '－', '＠':
		return true
	}
	return false
}
