package cinetpay

import (
	"testing"

	"bulkpay/providers"

	"github.com/stretchr/testify/assert"
)

func TestExplainSaysEveryDocumentedRefusalInPlainWords(t *testing.T) {
	t.Parallel()
	names := map[string]string{"602": "INSUFFICIENT_BALANCE", "701": "INVALID_CREDENTIALS", "702": "COULD_NOT_CREATE_TOKEN",
		"703": "INVALID_USER", "704": "INVALID_PARAM", "705": "EXPIRED_TOKEN", "706": "INVALID_TOKEN", "707": "CANT_REFRESH_TOKEN",
		"708": "NOT_ALLOWED", "709": "EXECUTION_ERROR", "710": "EXECUTION_ERROR", "715": "UNEXPECTED_ERROR", "716": "DATA_NOT_VALID",
		"717": "ERROR_PHONE_NOT_PARTICULAR", "719": "AMOUNT_TOO_SMALL", "720": "AMOUNT_TOO_LARGE", "721": "OPERATOR_NOT_AVAILABLE",
		"723": "NOT_FOUND", "724": "ERROR_PHONE_NOT_MY_CONTACT", "725": "MISSING_NOTIFY_URL", "801": "INVALID_AMOUNT",
		"802": "INVALID_PHONE", "804": "OPERATOR_UNAVAILABLE", "805": "CLIENT_TRANSACTION_ID_EXIST", "718": "JSON_PARSE_ERROR"}
	for code, name := range names {
		// as the client records a refusal of one transfer within a call, and of the call
		for _, msg := range []string{codeError(&providers.Response{Status: 200}, code, name, "").Error(), codeError(&providers.Response{}, code, "", "").Error()} {
			r := Explain(msg)
			assert.NotEmpty(t, r.Plain, msg)
			assert.Equal(t, code+" "+name, r.Code, msg)
			assert.NotContains(t, r.Plain, name, "plain words, not the code: %s", msg)
		}
	}
	r := Explain(codeError(&providers.Response{Status: 200}, "802", "INVALID_PHONE", "").Error())
	assert.Equal(t, "802 INVALID_PHONE", r.Code)
	assert.Equal(t, "the phone number is not valid for CinetPay; check it with the beneficiary", r.Plain)

	r = Explain("INVALID_PHONE")
	assert.Equal(t, "802 INVALID_PHONE", r.Code, "a transfer's own status word alone")

	r = Explain("treatment_status REJ")
	assert.Equal(t, "treatment_status REJ", r.Code)
	assert.Contains(t, r.Plain, "the operator rejected the transfer")
	assert.Empty(t, Explain("treatment_status VAL").Plain, "a success needs no excuse")
	assert.Empty(t, Explain("paid 1602 francs").Plain, "a number inside words is not a code")
}
