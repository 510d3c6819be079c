package providers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCanPay(t *testing.T) {
	t.Parallel()
	mm, co := ModeMobileMoney, ModeCashout
	cases := []struct {
		provider string
		payee    Payee
		field    string // "" when it can pay
		says     string
	}{
		{"campay", Payee{"CM", "MTN", mm, "XAF"}, "", ""},
		{"campay", Payee{"CM", "orange", mm, "XAF"}, "", ""},
		{"campay", Payee{"CM", "MTN", mm, "XOF"}, "", ""}, // the CFA francs are at par
		{"campay", Payee{"CM", "NEXTTEL", mm, "XAF"}, "phone", "campay pays only MTN and Orange numbers in CM, and this is a NEXTTEL number"},
		{"campay", Payee{"CM", "", mm, "XAF"}, "phone", "the carrier of this number is not known"},
		{"campay", Payee{"CI", "Orange", mm, "XOF"}, "phone", "campay does not pay numbers in CI (it pays in CM)"},
		{"campay", Payee{"CM", "MTN", co, "XAF"}, "mode", "campay does not pay mode cashout in CM (it pays mobile_money)"},
		{"campay", Payee{"CM", "MTN", mm, "EUR"}, "currency", "campay pays CM numbers in XAF, not EUR"},
		{"mycoolpay", Payee{"CM", "Orange", mm, "XAF"}, "", ""},
		{"mycoolpay", Payee{"CM", "MCP", mm, "XAF"}, "", ""},
		{"mycoolpay", Payee{"CI", "MCP", mm, "XAF"}, "", ""}, // a wallet, wherever its phone is from
		{"mycoolpay", Payee{"CM", "Camtel", mm, "XAF"}, "phone", "pays only MTN and Orange numbers in CM"},
		{"mycoolpay", Payee{"SN", "Orange", mm, "XOF"}, "phone", "does not pay numbers in SN"},
		{"camoo", Payee{"CM", "MTN", co, "XAF"}, "", ""},
		{"camoo", Payee{"CM", "Orange", mm, "XAF"}, "", ""},
		{"camoo", Payee{"CM", "NEXTTEL", co, "XAF"}, "phone", "camoo pays only MTN and Orange numbers in CM, and this is a NEXTTEL number"},
		{"camoo", Payee{"CM", "Camtel", co, "XAF"}, "phone", "and this is a Camtel number"},
		{"camoo", Payee{"CI", "Orange", co, "XOF"}, "phone", "camoo does not pay numbers in CI"},
		{"camoo", Payee{"CM", "MTN", co, "GNF"}, "currency", "camoo pays CM numbers in XAF, not GNF"},
		{"cinetpay", Payee{"CI", "Moov", mm, "XOF"}, "", ""},
		{"cinetpay", Payee{"CI", "Orange", mm, "XAF"}, "", ""},
		{"cinetpay", Payee{"SN", "Free", mm, "XOF"}, "", ""},
		{"cinetpay", Payee{"ML", "Sotelma", mm, "XOF"}, "", ""},
		{"cinetpay", Payee{"BF", "Onatel", mm, "XOF"}, "", ""},
		{"cinetpay", Payee{"TG", "Togo Telecom", mm, "XOF"}, "", ""},
		{"cinetpay", Payee{"BJ", "MTN", mm, "XOF"}, "", ""},
		{"cinetpay", Payee{"CM", "MTN", mm, "XAF"}, "", ""},
		{"cinetpay", Payee{"GN", "Orange", mm, "GNF"}, "", ""},
		{"cinetpay", Payee{"CD", "Vodacom", mm, "CDF"}, "", ""},
		{"cinetpay", Payee{"GN", "Orange", mm, "XAF"}, "currency", "cinetpay pays GN numbers in GNF, not XAF"},
		{"cinetpay", Payee{"CD", "Airtel", mm, "XOF"}, "currency", "in CDF, not XOF"},
		{"cinetpay", Payee{"CI", "Orange", mm, "GNF"}, "currency", "cinetpay pays CI numbers in XOF, not GNF"},
		{"cinetpay", Payee{"CM", "NEXTTEL", mm, "XAF"}, "phone", "cinetpay pays only MTN and Orange numbers in CM"},
		{"cinetpay", Payee{"NG", "MTN", mm, "XAF"}, "phone", "cinetpay does not pay numbers in NG"},
		{"cinetpay", Payee{"CI", "Orange", co, "XOF"}, "mode", "does not pay mode cashout"},
		{"momo", Payee{"CM", "MTN", mm, "XAF"}, "", ""},
		{"momo", Payee{"CI", "MTN", mm, "XOF"}, "", ""},
		{"momo", Payee{"BJ", "MTN", mm, "XAF"}, "", ""}, // the CFA francs are at par
		{"momo", Payee{"GN", "MTN", mm, "GNF"}, "", ""},
		{"momo", Payee{"GN", "Areeba", mm, "GNF"}, "", ""}, // MTN Guinea, as the numbering plan names it
		{"momo", Payee{"CM", "Orange", mm, "XAF"}, "phone", "momo pays only MTN numbers in CM, and this is an Orange number"},
		{"momo", Payee{"SN", "Orange", mm, "XOF"}, "phone", "momo does not pay numbers in SN"},
		{"momo", Payee{"CM", "MTN", co, "XAF"}, "mode", "momo does not pay mode cashout in CM"},
		{"momo", Payee{"GN", "MTN", mm, "XAF"}, "currency", "momo pays GN numbers in GNF, not XAF"},
		{"paypal", Payee{"CM", "MTN", mm, "XAF"}, "provider", "not a provider bulkpay knows"},
	}
	for _, tc := range cases {
		err := CanPay(tc.provider, tc.payee)
		if tc.field == "" {
			assert.NoError(t, err, "%s %+v", tc.provider, tc.payee)
			continue
		}
		var cp *CannotPay
		require.ErrorAs(t, err, &cp, "%s %+v", tc.provider, tc.payee)
		assert.Equal(t, tc.field, cp.Field, "%s %+v", tc.provider, tc.payee)
		assert.Equal(t, tc.provider, cp.Provider)
		assert.Contains(t, cp.Reason, tc.says)
	}
}

func TestPayCurrency(t *testing.T) {
	t.Parallel()
	cases := []struct{ provider, country, carrier, batch, want string }{
		{"campay", "CM", "MTN", "XAF", "XAF"},
		{"campay", "CM", "MTN", "xof", "XAF"},
		{"campay", "CM", "MTN", "EUR", ""},
		{"cinetpay", "CI", "Orange", "XAF", "XOF"},
		{"cinetpay", "SN", "Orange", "XOF", "XOF"},
		{"cinetpay", "CM", "Orange", "XOF", "XAF"},
		{"cinetpay", "GN", "Orange", "GNF", "GNF"},
		{"cinetpay", "GN", "Orange", "XAF", ""},
		{"cinetpay", "CD", "Vodacom", "CDF", "CDF"},
		{"mycoolpay", "", "MCP", "XAF", "XAF"},
		{"camoo", "CM", "NEXTTEL", "XAF", ""},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, PayCurrency(tc.provider, tc.country, tc.carrier, tc.batch), "%+v", tc)
	}
	assert.True(t, AtPar("XAF", "XOF"))
	assert.True(t, AtPar("GNF", "gnf"))
	assert.False(t, AtPar("XAF", "GNF"))
	assert.False(t, AtPar("XAF", ""))
}

func TestEveryProviderDeclaresWhatItPays(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"campay", "cinetpay", "mycoolpay", "camoo"} {
		ps := Declared(name)
		require.NotEmpty(t, ps, name)
		for _, p := range ps {
			assert.Len(t, p.Currency, 3, name)
			assert.NotEmpty(t, p.Modes, name)
		}
	}
	assert.Empty(t, Declared("paypal"))
}

func TestIsUUID4(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"2ceefe04-1a79-4914-9dd0-c61748c2aecb":   true,
		"2CEEFE04-1A79-4914-9DD0-C61748C2AECB":   true,
		"2ceefe041a7949149dd0c61748c2aecb":       false, // not in its usual form
		"{2ceefe04-1a79-4914-9dd0-c61748c2aecb}": false,
		"2ceefe04-1a79-1914-9dd0-c61748c2aecb":   false, // version 1
		"2ceefe04-1a79-5914-9dd0-c61748c2aecb":   false, // version 5
		"2ceefe04-1a79-4914-cdd0-c61748c2aecb":   false, // not the RFC 4122 variant
		"r1":                                     false,
		"":                                       false,
	} {
		assert.Equal(t, want, IsUUID4(s), s)
	}
}

func TestRegionOf(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "CI", RegionOf("2250701020304"))
	assert.Equal(t, "CM", RegionOf("+237677123456"))
	assert.Equal(t, "", RegionOf("jdoe"))
}
