package campay

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/providers"
)

func TestExplainSaysCamPaysCodesInPlainWords(t *testing.T) {
	t.Parallel()
	refusal := func(code, msg string) string {
		return (&providers.Error{Class: providers.ErrRejected, Provider: Name, Op: "withdraw", HTTPStatus: 400, Code: code, Message: msg}).Error()
	}
	cases := []struct {
		message, code, words string
	}{
		{refusal("ER101", "Invalid phone number"), "ER101", "not a valid MTN or Orange Cameroon number"},
		{refusal("ER102", "Unsupported carrier"), "ER102", "only MTN and Orange"},
		{refusal("ER201", "Invalid amount. Decimal numbers are NOT allowed."), "ER201", "refused the amount"},
		{refusal("ER301", "Insufficient balance"), "ER301", "balance for this carrier was too low"},
		{refusal("", "Rate limit per Phone number exceeded"), "rate limit per phone number", "limits how often"},
		{"The transaction failed at the operator", "FAILED", "the operator did not complete the transfer"},
	}
	for _, tc := range cases {
		r := Explain(tc.message)
		assert.Equal(t, tc.code, r.Code, tc.message)
		assert.Contains(t, r.Plain, tc.words, tc.message)
	}
	assert.Equal(t, providers.Reason{}, Explain("operator reference OPD2A1EA6827"), "not a refusal")
}
