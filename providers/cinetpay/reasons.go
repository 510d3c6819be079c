package cinetpay

import (
	"regexp"
	"strings"

	"bulkpay/providers"
)

// codeReasons are CinetPay's documented codes: the name CinetPay gives each
// and what it means for a payroll officer.
var codeReasons = map[string][2]string{
	"602": {"INSUFFICIENT_BALANCE", "not sent: our CinetPay balance was too low; nothing was paid"},
	"701": {"INVALID_CREDENTIALS", "CinetPay refused bulkpay's API key or password; nothing was paid"},
	"702": {"COULD_NOT_CREATE_TOKEN", "CinetPay could not open a session for bulkpay; nothing was paid"},
	"703": {"INVALID_USER", "CinetPay does not know bulkpay's account; nothing was paid"},
	"704": {"INVALID_PARAM", "CinetPay found a detail of the transfer invalid"},
	"705": {"EXPIRED_TOKEN", "CinetPay's session for bulkpay had expired; nothing was paid"},
	"706": {"INVALID_TOKEN", "CinetPay refused bulkpay's session; nothing was paid"},
	"707": {"CANT_REFRESH_TOKEN", "CinetPay could not renew bulkpay's session; nothing was paid"},
	"708": {"NOT_ALLOWED", "CinetPay does not accept transfers from this server: its address must be whitelisted, or each transfer confirmed by e-mail"},
	"709": {"EXECUTION_ERROR", "CinetPay had an internal error"},
	"710": {"EXECUTION_ERROR", "CinetPay had an internal error"},
	"715": {"UNEXPECTED_ERROR", "CinetPay had an unexpected internal error"},
	"716": {"DATA_NOT_VALID", "CinetPay found the beneficiary's details invalid"},
	"717": {"ERROR_PHONE_NOT_PARTICULAR", "CinetPay pays personal numbers only, and this one is not"},
	"718": {"JSON_PARSE_ERROR", "CinetPay could not read bulkpay's request"},
	"719": {"AMOUNT_TOO_SMALL", "the amount is below CinetPay's minimum for this country"},
	"720": {"AMOUNT_TOO_LARGE", "the amount is above CinetPay's maximum"},
	"721": {"OPERATOR_NOT_AVAILABLE", "the beneficiary's operator is not available at CinetPay"},
	"723": {"NOT_FOUND", "CinetPay holds no such transfer"},
	"724": {"ERROR_PHONE_NOT_MY_CONTACT", "the number is not registered as a CinetPay contact"},
	"725": {"MISSING_NOTIFY_URL", "CinetPay needs a notify_url: set it in the config"},
	"801": {"INVALID_AMOUNT", "CinetPay refused the amount: whole francs, a multiple of 5"},
	"802": {"INVALID_PHONE", "the phone number is not valid for CinetPay; check it with the beneficiary"},
	"804": {"OPERATOR_UNAVAILABLE", "the beneficiary's operator was unavailable at CinetPay; pay it again later"},
	"805": {"CLIENT_TRANSACTION_ID_EXIST", "CinetPay already holds a transfer under this item's reference"},
}

// statusReasons are the treatment statuses that end a transfer without paying it.
var statusReasons = []providers.Known{
	{Match: regexp.MustCompile(`treatment_status REJ\b`), Code: "treatment_status REJ",
		Plain: "the operator rejected the transfer: the number may have no mobile-money account, or it cannot receive money"},
	{Match: regexp.MustCompile(`treatment_status NOS\b`), Code: "treatment_status NOS",
		Plain: "CinetPay did not send the transfer to the operator"},
}

// numbered finds a code as the client records it: "(802)" or "(HTTP 200 802)".
var numbered = regexp.MustCompile(`\((?:HTTP \d+ )?(-?\d+)\)`)

var words = regexp.MustCompile(`\b[A-Z][A-Z_]{4,}\b`)

// Explain says what a message CinetPay gave about a transfer means, in plain
// words, with CinetPay's own code and its name beside it; the zero Reason when
// it is not one of CinetPay's known answers.
func Explain(message string) providers.Reason {
	if m := numbered.FindStringSubmatch(message); m != nil {
		if r, ok := codeReasons[m[1]]; ok {
			return providers.Reason{Plain: r[1], Code: m[1] + " " + r[0]}
		}
	}
	for _, w := range words.FindAllString(message, -1) {
		for number, r := range codeReasons {
			if r[0] == w && !strings.HasPrefix(w, "EXECUTION") {
				return providers.Reason{Plain: r[1], Code: number + " " + r[0]}
			}
		}
	}
	r, _ := providers.Explain(message, statusReasons)
	return r
}
