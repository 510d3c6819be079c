package providers

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Reason is a provider's answer about a payout said so that a payroll officer
// understands it, with the provider's own code kept beside it.
type Reason struct {
	Plain string // "the phone number is not a valid mobile-money number"
	Code  string // the provider's own words: "ER101", "treatment_status REJ"
}

// String writes the plain words followed by the code in brackets.
func (r Reason) String() string {
	if r.Code == "" {
		return r.Plain
	}
	return r.Plain + " (" + r.Code + ")"
}

// Known is one entry of a provider's table of codes: Match is a regular
// expression over the message bulkpay recorded; the first submatch, if any, is
// the code shown (else Code).
type Known struct {
	Match *regexp.Regexp
	Code  string
	Plain string
}

// Explain finds the first entry of table that matches message.
func Explain(message string, table []Known) (Reason, bool) {
	for _, k := range table {
		m := k.Match.FindStringSubmatch(message)
		if m == nil {
			continue
		}
		code := k.Code
		if len(m) > 1 && m[1] != "" {
			code = m[1]
		}
		return Reason{Plain: k.Plain, Code: code}, true
	}
	return Reason{}, false
}

// common are the words every client uses for its classes of error, when the
// provider gave nothing more precise.
var common = []Known{
	{regexp.MustCompile(`held: the provider's balance could not cover it`), "",
		"not sent: the provider account's balance could not cover it; it is paid once the account is funded"},
	{regexp.MustCompile(regexp.QuoteMeta(ErrInsufficientFunds.Error())), "",
		"not sent: the provider account's balance was too low; nothing was paid"},
	{regexp.MustCompile(regexp.QuoteMeta(ErrAuth.Error())), "",
		"the provider refused bulkpay's credentials; nothing was paid"},
	{regexp.MustCompile(regexp.QuoteMeta(ErrDuplicate.Error())), "",
		"the provider already holds a payout under this item's reference but did not say what became of it"},
	{regexp.MustCompile(regexp.QuoteMeta(ErrRejected.Error())), "",
		"the provider refused the payout; nothing was paid"},
	{regexp.MustCompile(`\(HTTP 429\b`), "HTTP 429",
		"the provider was busy (too many requests) and did not process the payout; nothing was paid"},
	{regexp.MustCompile(regexp.QuoteMeta(ErrTransient.Error())), "",
		"the provider did not process the request (busy or out of reach); nothing was paid"},
	{regexp.MustCompile(`Client\.Timeout|deadline exceeded|timeout`), "timeout",
		"no answer came back in time: the payout may or may not have been made"},
	{regexp.MustCompile(regexp.QuoteMeta(ErrUnknownOutcome.Error())), "",
		"no definite answer came back: the payout may or may not have been made"},
}

var httpCode = regexp.MustCompile(`\((HTTP [^)]*)\)`)

// ExplainCommon says in plain words what any client's error class means, for
// a message no provider table recognises. The code beside it is the HTTP
// status (and code) the provider answered, else the message itself.
func ExplainCommon(message string) (Reason, bool) {
	r, ok := Explain(message, common)
	if ok && r.Code == "" {
		if m := httpCode.FindStringSubmatch(message); m != nil {
			r.Code = m[1]
		} else {
			r.Code = Shorten(message, 100)
		}
	}
	return r, ok
}

// Shorten cuts s to at most n bytes (on a rune boundary) with an ellipsis.
func Shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
