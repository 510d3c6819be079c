package mycoolpay

import (
	"regexp"

	"bulkpay/providers"
)

// reasons are My-CoolPay's statuses and words, said for a payroll officer.
var reasons = []providers.Known{
	{Match: regexp.MustCompile(`(?i)transaction_status (CANCELL?ED)\b`), Code: "CANCELED",
		Plain: "the transfer was cancelled before the money reached the beneficiary"},
	{Match: regexp.MustCompile(`(?i)transaction_status (FAILED)\b`), Code: "FAILED",
		Plain: "the operator did not complete the transfer: the number may have no mobile-money account, or it cannot receive money"},
	{Match: regexp.MustCompile(`(?i)failed at the operator`), Code: "FAILED",
		Plain: "the operator did not complete the transfer: the number may have no mobile-money account, or it cannot receive money"},
	{Match: regexp.MustCompile(`My-CoolPay pays MTN, Orange and My-CoolPay wallets, not`), Code: "operator",
		Plain: "My-CoolPay pays MTN, Orange and My-CoolPay wallets only, and this row is none of them"},
	{Match: regexp.MustCompile(`(?i)insufficient`), Code: "insufficient balance",
		Plain: "not sent: our My-CoolPay balance was too low; nothing was paid"},
	{Match: regexp.MustCompile(`\(HTTP 401\)`), Code: "HTTP 401",
		Plain: "My-CoolPay refused bulkpay's keys; nothing was paid"},
	{Match: regexp.MustCompile(`\(HTTP 403\)`), Code: "HTTP 403",
		Plain: "My-CoolPay refused this server: payouts are accepted only from the server addresses registered with My-CoolPay"},
}

// Explain says what a message My-CoolPay gave about a payout means, in plain
// words, with My-CoolPay's own status beside it; the zero Reason when it is not
// one of My-CoolPay's known answers.
func Explain(message string) providers.Reason {
	r, _ := providers.Explain(message, reasons)
	return r
}
