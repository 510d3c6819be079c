package sheet

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/batch"
)

func TestParseMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"Mobile Money", batch.ModeMobileMoney, true},
		{"retrait", batch.ModeCashout, true},
		{"Virement bancaire", batch.ModeBankTransfer, true},
		{"link", batch.ModeLink, true},
		{"Lien", batch.ModeLink, true},
		{"lien de paiement", batch.ModeLink, true},
		{"cheque", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseMode(tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}
