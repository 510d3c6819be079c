package sheet

import (
	"errors"
	"strconv"
	"strings"

	"bulkpay/batch"
)

// What ParseAmount says of an amount it refuses: batch.RowText's texts, which
// also have French.
var (
	errAmountEmpty        = errors.New(batch.RowText("amount_empty"))
	errAmountCurrencyOnly = errors.New(batch.RowText("amount_currency_only"))
	errAmountNegative     = errors.New(batch.RowText("amount_negative"))
	errAmountScientific   = errors.New(batch.RowText("amount_scientific"))
	errAmountGrouping     = errors.New(batch.RowText("amount_grouping"))
	errAmountNotNumber    = errors.New(batch.RowText("amount_not_number"))
	errAmountDecimals     = errors.New(batch.RowText("amount_decimals"))
	errAmountAmbiguous    = errors.New(batch.RowText("amount_ambiguous"))
	errAmountTooLarge     = errors.New(batch.RowText("amount_too_large"))
	errAmountZero         = errors.New(batch.RowText("amount_zero"))
)

// ParseAmount reads a whole, positive amount of francs from a cell's raw text.
// It accepts "150000", "150 000" (space, no-break or thin-space grouping in threes),
// zero decimals ("150000.00", "150 000,00": an exact whole number) and an optional
// XAF/FCFA label. It refuses other decimals, negatives, zero, text, scientific
// notation and ambiguous separators ("1,000", "1.000", "1.000,50"). The text is
// never read through a float.
func ParseAmount(raw string) (int64, error) {
	if n, ok := plainDigits(raw); ok && n > 0 { // what the rules below make of it, without their work
		return n, nil
	}
	return parseAmount(raw)
}

// parseAmount is ParseAmount without its shortcut for plain digits.
func parseAmount(raw string) (int64, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return 0, errAmountEmpty
	}
	s = trimCurrency(s)
	if s == "" {
		return 0, errAmountCurrencyOnly
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") || (strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")")) {
		return 0, errAmountNegative
	}
	s = strings.TrimPrefix(s, "+")
	s = dropZeroDecimals(s)
	if strings.ContainsAny(s, "eE") && looksNumeric(s) {
		return 0, errAmountScientific
	}
	if err := separatorProblem(s); err != nil {
		return 0, err
	}
	digits, ok := ungroup(s)
	if !ok {
		if looksNumeric(s) {
			return 0, errAmountGrouping
		}
		return 0, errAmountNotNumber
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, errAmountTooLarge
	}
	if n == 0 {
		return 0, errAmountZero
	}
	return n, nil
}

func trimCurrency(s string) string {
	up := strings.ToUpper(s)
	for _, c := range []string{"F CFA", "FCFA", "XAF", "CFA"} {
		if strings.HasSuffix(up, c) {
			return strings.TrimSpace(s[:len(s)-len(c)])
		}
		if strings.HasPrefix(up, c) {
			return strings.TrimSpace(s[len(c):])
		}
	}
	return s
}

// dropZeroDecimals takes ".00" or ",0" off a number with no other separator:
// "150000.00" and "150 000,00" are exactly 150000. Three zeros stay ("1.000"
// may mean one thousand), and so does anything else.
func dropZeroDecimals(s string) string {
	i := strings.LastIndexAny(s, ".,")
	if i <= 0 || strings.ContainsAny(s[:i], ".,") {
		return s
	}
	tail := s[i+1:]
	if len(tail) == 0 || len(tail) > 2 || strings.Trim(tail, "0") != "" {
		return s
	}
	return s[:i]
}

func isGroupSpace(r rune) bool {
	return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009' || r == '\u2007'
}

// looksNumeric: only digits, separators, signs and exponent letters.
func looksNumeric(s string) bool {
	hasDigit := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			hasDigit = true
		case r == '.' || r == ',' || r == 'e' || r == 'E' || r == '+' || r == '-' || isGroupSpace(r):
		default:
			return false
		}
	}
	return hasDigit
}

// separatorProblem explains a '.' or ',' in an amount: decimals are refused, and a
// separator followed by exactly three digits could mean thousands or decimals.
func separatorProblem(s string) error {
	if !strings.ContainsAny(s, ".,") {
		return nil
	}
	if !looksNumeric(s) {
		return errAmountNotNumber
	}
	seps := strings.Count(s, ".") + strings.Count(s, ",")
	last := strings.LastIndexAny(s, ".,")
	tail := s[last+1:]
	if seps == 1 && len(tail) != 3 {
		return errAmountDecimals
	}
	return errAmountAmbiguous
}

// ungroup strips grouping spaces, checking that groups after the first have three digits.
func ungroup(s string) (string, bool) {
	groups := strings.FieldsFunc(s, isGroupSpace)
	if len(groups) == 0 {
		return "", false
	}
	var b strings.Builder
	for i, g := range groups {
		if g == "" || (i == 0 && len(g) > 3 && len(groups) > 1) || (i > 0 && len(g) != 3) {
			return "", false
		}
		for _, r := range g {
			if r < '0' || r > '9' {
				return "", false
			}
		}
		b.WriteString(g)
	}
	return b.String(), true
}

// plainDigits reads a cell of 1 to 18 ASCII digits and nothing else.
func plainDigits(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
