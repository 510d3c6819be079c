package momo

import (
	"regexp"

	"bulkpay/providers"
)

// reasons are MoMo's codes, said for a payroll officer.
var reasons = []providers.Known{
	{Match: regexp.MustCompile(`\bPAYEE_NOT_FOUND\b`), Code: "PAYEE_NOT_FOUND",
		Plain: "this number holds no MTN MoMo account (or was written without its country code); check it with the beneficiary"},
	{Match: regexp.MustCompile(`\bNOT_ENOUGH_FUNDS\b`), Code: "NOT_ENOUGH_FUNDS",
		Plain: "not paid: our MoMo disbursement account's balance was too low; nothing was paid"},
	{Match: regexp.MustCompile(`\bPAYER_LIMIT_REACHED\b`), Code: "PAYER_LIMIT_REACHED",
		Plain: "not paid: our MoMo account reached its transfer limit; pay it again once MTN raises or resets it"},
	{Match: regexp.MustCompile(`\bPAYEE_NOT_ALLOWED_TO_RECEIVE\b`), Code: "PAYEE_NOT_ALLOWED_TO_RECEIVE",
		Plain: "the beneficiary's MoMo account may not receive money (blocked or over its limit); the beneficiary must see MTN"},
	{Match: regexp.MustCompile(`\b(NOT_ALLOWED_TARGET_ENVIRONMENT|NOT_ALLOWED)\b`), Code: "NOT_ALLOWED",
		Plain: "MTN does not allow this MoMo account to make this transfer (product, market or target environment); nothing was paid"},
	{Match: regexp.MustCompile(`\bINVALID_CALLBACK_URL_HOST\b`), Code: "INVALID_CALLBACK_URL_HOST",
		Plain: "MTN refused the callback address: its host must be the one registered for the API user; nothing was paid"},
	{Match: regexp.MustCompile(`\bINVALID_CURRENCY\b`), Code: "INVALID_CURRENCY",
		Plain: "MTN refused the currency: each market pays in its own (the developer sandbox in EUR); nothing was paid"},
	{Match: regexp.MustCompile(`\bTRANSACTION_CANCELED\b`), Code: "TRANSACTION_CANCELED",
		Plain: "the transfer was canceled; nothing was paid"},
	{Match: regexp.MustCompile(`\bEXPIRED\b`), Code: "EXPIRED",
		Plain: "the transfer expired before it completed; nothing was paid"},
	{Match: regexp.MustCompile(`\b(INTERNAL_PROCESSING_ERROR|COULD_NOT_PERFORM_TRANSACTION|SERVICE_UNAVAILABLE)\b`), Code: "",
		Plain: "MTN could not complete the transfer; nothing was paid, pay it again later"},
	{Match: regexp.MustCompile(`(?i)FORBIDDEN IP`), Code: "FORBIDDEN IP",
		Plain: "MTN accepts disbursements only from allow-listed addresses: ask MTN to allow this machine's address"},
}

// Explain says what a message MoMo gave about a payout means, in plain
// words, with MoMo's own code beside it; the zero Reason when it is not one
// of MoMo's known answers.
func Explain(message string) providers.Reason {
	r, _ := providers.Explain(message, reasons)
	return r
}
