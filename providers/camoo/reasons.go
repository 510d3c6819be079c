package camoo

import (
	"regexp"

	"bulkpay/providers"
)

// reasons are Camoo's statuses and HTTP answers, said for a payroll officer.
var reasons = []providers.Known{
	{Match: regexp.MustCompile(`(?i)status (CANCELL?ED)\b`), Code: "",
		Plain: "the cashout was cancelled before the money reached the beneficiary"},
	{Match: regexp.MustCompile(`(?i)status (FAILED|ERRORED)\b`), Code: "",
		Plain: "the cashout did not go through at the operator: the number may have no mobile-money account, or it cannot receive money"},
	{Match: regexp.MustCompile(`\(HTTP (402)\b`), Code: "",
		Plain: "not sent: our Camoo balance was too low; nothing was paid"},
	{Match: regexp.MustCompile(`\(HTTP (422)\b`), Code: "",
		Plain: "Camoo cannot pay a cashout to this number (its network is not one Camoo serves)"},
	{Match: regexp.MustCompile(`\(HTTP (400)\b`), Code: "",
		Plain: "Camoo found a detail of the cashout invalid (the phone number or the amount)"},
	{Match: regexp.MustCompile(`\(HTTP (401)\b`), Code: "",
		Plain: "Camoo refused bulkpay's API key or secret; nothing was paid"},
}

// Explain says what a message Camoo gave about a cashout means, in plain words,
// with Camoo's own status or HTTP code beside it; the zero Reason when it is not
// one of Camoo's known answers.
func Explain(message string) providers.Reason {
	r, _ := providers.Explain(message, reasons)
	if r.Code != "" && r.Code[0] >= '0' && r.Code[0] <= '9' {
		r.Code = "HTTP " + r.Code
	}
	return r
}
