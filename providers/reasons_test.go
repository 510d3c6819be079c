package providers

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExplainCommonSaysEachClassInPlainWords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err         error
		code, words string
	}{
		{&Error{Class: ErrTransient, Provider: "campay", Op: "withdraw", HTTPStatus: 429, Message: "too many requests"}, "HTTP 429", "busy"},
		{&Error{Class: ErrTransient, Provider: "camoo", Op: "cashout", HTTPStatus: 503}, "HTTP 503", "did not process"},
		{&Error{Class: ErrRejected, Provider: "camoo", Op: "cashout", HTTPStatus: 402, Err: ErrInsufficientFunds}, "HTTP 402", "balance was too low"},
		{&Error{Class: ErrTransient, Provider: "cinetpay", Op: "login", Err: ErrAuth}, "cinetpay login: not processed, may be retried: credentials refused", "credentials"},
		{&Error{Class: ErrUnknownOutcome, Provider: "mycoolpay", Op: "payout", Message: "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"}, "timeout", "may or may not"},
		{&Error{Class: ErrRejected, Provider: "campay", Op: "withdraw", HTTPStatus: 400, Message: "bad request"}, "HTTP 400", "refused the payout"},
		{&Error{Class: ErrDuplicate, Provider: "campay", Op: "withdraw", HTTPStatus: 400}, "HTTP 400", "already holds a payout"},
	}
	for _, tc := range cases {
		r, ok := ExplainCommon(tc.err.Error())
		assert.True(t, ok, tc.err.Error())
		assert.Equal(t, tc.code, r.Code, tc.err.Error())
		assert.Contains(t, r.Plain, tc.words, tc.err.Error())
	}
	_, ok := ExplainCommon("Successful transaction !")
	assert.False(t, ok)
	assert.Equal(t, "abc…", Shorten("abcdef", 3))
	assert.Equal(t, "é…", Shorten("éé", 3), "cut on a rune boundary")
	assert.Equal(t, "plain (X1)", Reason{Plain: "plain", Code: "X1"}.String())
}
