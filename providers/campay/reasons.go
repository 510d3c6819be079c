package campay

import (
	"regexp"

	"bulkpay/providers"
)

// reasons are CamPay's codes and words, said for a payroll officer.
var reasons = []providers.Known{
	{Match: regexp.MustCompile(`\bER101\b`), Code: "ER101",
		Plain: "the phone number is not a valid MTN or Orange Cameroon number; check it with the beneficiary"},
	{Match: regexp.MustCompile(`\bER102\b`), Code: "ER102",
		Plain: "CamPay pays only MTN and Orange numbers, and this number belongs to another carrier"},
	{Match: regexp.MustCompile(`\bER201\b`), Code: "ER201",
		Plain: "CamPay refused the amount: whole francs only, within the carrier's minimum and maximum"},
	{Match: regexp.MustCompile(`\bER301\b`), Code: "ER301",
		Plain: "not sent: our CamPay balance for this carrier was too low; nothing was paid"},
	{Match: regexp.MustCompile(`(?i)rate limit per phone number`), Code: "rate limit per phone number",
		Plain: "CamPay limits how often one phone number is paid; pay it again later"},
	{Match: regexp.MustCompile(`(?i)withdrawals refused`), Code: "withdrawals disabled",
		Plain: "CamPay refused withdrawals through the API: allow them in the CamPay application settings"},
	{Match: regexp.MustCompile(`(?i)failed at the operator`), Code: "FAILED",
		Plain: "the operator did not complete the transfer: the number may have no mobile-money account, or it cannot receive money"},
}

// Explain says what a message CamPay gave about a payout means, in plain
// words, with CamPay's own code beside it; the zero Reason when it is not one
// of CamPay's known answers.
func Explain(message string) providers.Reason {
	r, _ := providers.Explain(message, reasons)
	return r
}
