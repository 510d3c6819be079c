package camoo

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/providers"
)

func TestExplainSaysCamoosAnswersInPlainWords(t *testing.T) {
	t.Parallel()
	refusal := func(status int, msg string) string {
		return (&providers.Error{Class: providers.ErrRejected, Provider: Name, Op: "cashout", HTTPStatus: status, Code: "", Message: msg}).Error()
	}
	cases := []struct {
		message, code, words string
	}{
		{"status FAILED", "FAILED", "did not go through"},
		{"status errored", "errored", "did not go through"},
		{"status CANCELLED", "CANCELLED", "cancelled"},
		{refusal(402, "Insufficient funds"), "HTTP 402", "balance was too low"},
		{refusal(422, "Network not supported"), "HTTP 422", "cannot pay a cashout to this number"},
		{refusal(400, "phone_number: invalid"), "HTTP 400", "invalid"},
	}
	for _, tc := range cases {
		r := Explain(tc.message)
		assert.Equal(t, tc.code, r.Code, tc.message)
		assert.Contains(t, r.Plain, tc.words, tc.message)
	}
	assert.Empty(t, Explain("status SUCCESS").Plain)
}
