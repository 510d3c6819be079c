package providers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultRoutes(t *testing.T) {
	t.Parallel()
	mm := ModeMobileMoney
	cinetpay := func(country string) Route { return Route{Country: country, Mode: mm, Providers: []string{"cinetpay"}} }
	assert.Equal(t, []Route{
		{Carrier: CarrierMCP, Providers: []string{"mycoolpay"}}, // a wallet, whatever its country and mode, first
		{Country: "CM", Mode: ModeCashout, Providers: []string{"camoo"}},
		{Country: "CM", Carrier: "MTN", Mode: mm, Providers: []string{"campay", "mycoolpay"}},
		{Country: "CM", Carrier: "Orange", Mode: mm, Providers: []string{"campay", "mycoolpay"}},
		cinetpay("CI"), cinetpay("SN"), cinetpay("ML"), cinetpay("BF"), cinetpay("TG"), cinetpay("BJ"), cinetpay("GN"), cinetpay("CD"),
	}, DefaultRoutes())
}

// TestDefaultRoutesArePaid: a provider is a default only for what it declares it pays.
func TestDefaultRoutesArePaid(t *testing.T) {
	t.Parallel()
	for _, r := range DefaultRoutes() {
		for _, p := range r.Providers {
			carrier, mode := r.Carrier, r.Mode
			if carrier == "" {
				carrier = "MTN"
			}
			if mode == "" {
				mode = ModeMobileMoney
			}
			country := r.Country
			if country == "" {
				country = "CM"
			}
			assert.NoError(t, CanPay(p, Payee{Country: country, Carrier: carrier, Mode: mode, Currency: PaidIn(p, country, carrier)}), "%+v", r)
		}
	}
}

func TestWallets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		word  string
		owner string // "" when the word names no wallet
	}{
		{"mcp", "mycoolpay"},
		{"mycoolpay", "mycoolpay"},
		{"mycoolpaywallet", "mycoolpay"},
		{"MCP", "mycoolpay"},
		{"mtn", ""},
		{"mobilemoney", ""},
		{"", ""},
	} {
		d, ok := WalletNamed(tc.word)
		assert.Equal(t, tc.owner != "", ok, tc.word)
		assert.Equal(t, tc.owner, d.Name, tc.word)
	}

	d, ok := WalletCarrier("mcp")
	require.True(t, ok)
	assert.Equal(t, "My-CoolPay", d.Title)
	_, ok = WalletCarrier("MTN")
	assert.False(t, ok)

	w := *d.Wallet
	for _, tc := range []struct {
		id        string
		accepts   bool // as the address of a wallet the row names
		addressed bool // a wallet by itself, without the row naming one
	}{
		{"jdoe", true, false},
		{"j.doe_2-x", true, false},
		{"jd", false, false},                                // too short
		{"2jdoe", false, false},                             // starts with a digit
		{"jean doe", false, false},                          // a space
		{"abcdefghijklmnopqrstuvwxyz0123456", false, false}, // 33 characters
		{"jean@acme.cm", true, true},
		{"jean@acme", false, false},
		{"@acme.cm", false, false},
		{"a@b@acme.cm", false, false},
	} {
		assert.Equal(t, tc.accepts, w.Accepts(tc.id), tc.id)
		got, ok := WalletAddressed(tc.id)
		assert.Equal(t, tc.addressed, ok, tc.id)
		if tc.addressed {
			assert.Equal(t, "mycoolpay", got.Name, tc.id)
		}
	}
	assert.False(t, Wallet{Emails: true}.Accepts("jdoe"), "a wallet without usernames")
	assert.False(t, Wallet{Usernames: true}.Accepts("jean@acme.cm"), "a wallet without e-mails")
}
