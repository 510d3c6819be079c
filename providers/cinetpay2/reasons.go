package cinetpay2

import (
	"regexp"

	"bulkpay/providers"
)

// SendPath is the path of the 2026 API's request that moves money.
const SendPath = "/v1/transfer"

// reasons are the 2026 API's answers as the client records them, in plain
// words for a payroll officer.
var reasons = []providers.Known{
	{Match: regexp.MustCompile(`\(HTTP \d+ 2005\)|\b2005 INSUFFICIENT_BALANCE\b`), Code: "2005 INSUFFICIENT_BALANCE",
		Plain: "not sent: the CinetPay account of this country had too low a balance; nothing was paid"},
	{Match: regexp.MustCompile(`^(2010 )?FAILED$|\(HTTP \d+ 2010\)`), Code: "2010 FAILED",
		Plain: "CinetPay reported the transfer failed: the number may have no mobile-money account, or it cannot receive money"},
	{Match: regexp.MustCompile(`\(account\)`), Code: "account",
		Plain: "no CinetPay account is configured for this number's country: add it under accounts in the config, or pay the row through another provider; nothing was sent"},
	{Match: regexp.MustCompile(`\(payment_method\)`), Code: "payment_method",
		Plain: "CinetPay has no payment method for this number's operator in its country; nothing was sent"},
	{Match: regexp.MustCompile(`\(notify_url\)`), Code: "notify_url",
		Plain: "CinetPay requires a notification address: set public_url in the config; nothing was sent"},
	{Match: regexp.MustCompile(`\(merchant_transaction_id\)`), Code: "merchant_transaction_id",
		Plain: "the item's reference does not fit CinetPay's merchant_transaction_id; nothing was sent"},
	{Match: regexp.MustCompile(`\(HTTP 422 [^)]*\).*\bamount\b`), Code: "422 amount",
		Plain: "CinetPay refused the amount: whole francs, a multiple of 5, at least its minimum; nothing was paid"},
	{Match: regexp.MustCompile(`\(HTTP 422 [^)]*\).*\bphone_number\b`), Code: "422 phone_number",
		Plain: "the phone number is not valid for CinetPay in that country; check it with the beneficiary"},
	{Match: regexp.MustCompile(`\(HTTP 422\b[^)]*\)`), Code: "422 VALIDATION_ERROR",
		Plain: "CinetPay found a detail of the transfer invalid; nothing was paid"},
	{Match: regexp.MustCompile(`\b1003\b|EXPIRED_TOKEN`), Code: "1003 EXPIRED_TOKEN",
		Plain: "CinetPay refused bulkpay's session, even a new one; nothing was paid"},
}

// Explain says what a message the 2026 client recorded means, with
// CinetPay's code beside it; the zero Reason when it is none of its known
// answers.
func Explain(message string) providers.Reason {
	r, _ := providers.Explain(message, reasons)
	return r
}
