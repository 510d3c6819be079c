package mycoolpay

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/providers"
)

func TestExplainSaysMyCoolPaysStatusesInPlainWords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		message, code, words string
	}{
		{"transaction_status FAILED", "FAILED", "the operator did not complete the transfer"},
		{"transaction_status CANCELED", "CANCELED", "cancelled"},
		{"The transaction failed at the operator", "FAILED", "the operator did not complete the transfer"},
		{(&providers.Error{Class: providers.ErrRejected, Provider: Name, Op: "payout", ProviderSide: true,
			Message: "My-CoolPay pays MTN, Orange and My-CoolPay wallets, not Camtel"}).Error(), "operator", "wallets only"},
		{(&providers.Error{Class: providers.ErrRejected, Provider: Name, Op: "payout", HTTPStatus: 400,
			Message: "Insufficient balance", Err: providers.ErrInsufficientFunds}).Error(), "insufficient balance", "balance was too low"},
		{(&providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "payout", HTTPStatus: 403,
			Err: providers.ErrAuth, Message: "keys refused"}).Error(), "HTTP 403", "registered"},
	}
	for _, tc := range cases {
		r := Explain(tc.message)
		assert.Equal(t, tc.code, r.Code, tc.message)
		assert.Contains(t, r.Plain, tc.words, tc.message)
	}
	assert.Empty(t, Explain("Successful transaction !").Plain)
}
