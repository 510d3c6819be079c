package batch

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"bulkpay/providers"
)

// NameResult is what a name check found for one row.
type NameResult string

// The results of a name check, from the best to the worst, then those that
// say nothing of the name.
const (
	// NameMatch: the sheet's name and the registered one are the same person's
	// (accents, case, punctuation, word order and initials aside).
	NameMatch NameResult = "match"
	// NamePartial: the family name and another name agree; one side has
	// names the other lacks (a middle name left out).
	NamePartial NameResult = "partial"
	// NameMismatch: another family name, or other given names.
	NameMismatch NameResult = "mismatch"
	// NameInactive: the provider knows the account but it cannot receive.
	NameInactive NameResult = "inactive"
	// NameUnknownAccount: the provider knows no account behind the number.
	NameUnknownAccount NameResult = "unknown_account"
	// NameNotCheckable: no configured provider can tell the name (an Orange
	// number), the provider does not disclose it, or it did not answer.
	NameNotCheckable NameResult = "not_checkable"
)

// Text is the result as people read it.
func (r NameResult) Text() string { return strings.ReplaceAll(string(r), "_", " ") }

// Doubtful reports whether a result stops the row under review and block:
// a mismatch, an inactive or an unknown account.
func (r NameResult) Doubtful() bool {
	return r == NameMismatch || r == NameInactive || r == NameUnknownAccount
}

// NeverPay reports whether a row with this result is never sent money
// (an inactive or unknown account), whatever the policy but off.
func (r NameResult) NeverPay() bool { return r == NameInactive || r == NameUnknownAccount }

// MatchNames compares the name on a sheet with the name a provider has
// registered behind the number (given and family names as it tells them;
// family empty when it gives only one name, whose words in capitals at the
// end, or else its last word, are then taken as the family name). It gives
// NameMatch, NamePartial or NameMismatch, with a score from 0 to 100.
//
// Accents, case, punctuation and word order are ignored; an initial matches
// a name it begins (`J. P. Mbarga` ~ `Jean-Pierre MBARGA`). The family name
// must be written out in full on the sheet. Names only one side has (a middle
// name left out) make a partial match, provided another name agrees; names
// on both sides that agree with nothing (`Jean` and `Paul`) are a mismatch.
func MatchNames(sheetName, given, family string) (NameResult, int) {
	if strings.TrimSpace(family) == "" {
		given, family = providers.SplitName(given)
	}
	s := nameWords(sheetName)
	g, f := nameWords(given), nameWords(family)
	if len(s) == 0 || len(g)+len(f) == 0 {
		return NameMismatch, 0
	}
	reg := append(append([]string{}, f...), g...)
	isFamily := make([]bool, len(reg))
	for i := range f {
		isFamily[i] = true
	}
	usedS := make([]bool, len(s))
	usedR := make([]bool, len(reg))
	full, initials, familyFull := 0, 0, 0
	// whole words first, then initials, so that an initial never takes the
	// word another whole word would have matched
	for i, rw := range reg {
		for j, sw := range s {
			if !usedS[j] && sw == rw {
				usedS[j], usedR[i] = true, true
				full++
				if isFamily[i] {
					familyFull++
				}
				break
			}
		}
	}
	for i, rw := range reg {
		if usedR[i] {
			continue
		}
		for j, sw := range s {
			if !usedS[j] && initialOf(sw, rw) {
				usedS[j], usedR[i] = true, true
				initials++
				break
			}
		}
	}
	missS, missR := count(usedS, false), count(usedR, false)
	matched := full + initials
	switch {
	case familyFull == 0:
		return NameMismatch, min(30, 10*matched)
	case missS == 0 && missR == 0:
		return NameMatch, max(80, 100-5*initials)
	case (missS == 0 || missR == 0) && matched >= 2:
		return NamePartial, max(50, 75-10*(missS+missR-1)-5*initials)
	}
	return NameMismatch, min(40, 10*matched)
}

// initialOf reports whether a is an initial (one letter) that begins word b,
// or b one that begins a.
func initialOf(a, b string) bool {
	if len(a) == 1 && len(b) > 1 {
		return b[0] == a[0]
	}
	if len(b) == 1 && len(a) > 1 {
		return a[0] == b[0]
	}
	return false
}

func count(bs []bool, v bool) int {
	n := 0
	for _, b := range bs {
		if b == v {
			n++
		}
	}
	return n
}

// nameWords folds a name to its words: accents dropped, lower case;
// apostrophes join (Eto'o, N'Diaye), any other mark separates (Jean-Pierre,
// J.P.).
func nameWords(name string) []string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, name)
	if err != nil {
		folded = name
	}
	folded = strings.ToLower(folded)
	return strings.FieldsFunc(strings.Map(func(r rune) rune {
		switch {
		case r == '\'' || r == '’' || r == '`' || r == 'ʼ':
			return -1
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return r
		}
		return ' '
	}, folded), func(r rune) bool { return r == ' ' })
}
