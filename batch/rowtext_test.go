package batch

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func placeholders(s string) []string {
	out := placeholder.FindAllString(s, -1)
	sort.Strings(out)
	return out
}

// Every code has an English and a French text with the same values, and a
// message written from the English text finds its code and values again.
func TestRowTextsEveryCodeInBothLanguages(t *testing.T) {
	t.Parallel()
	for code, text := range rowTexts {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			require.NotEmpty(t, text.en)
			require.NotEmpty(t, text.fr)
			assert.NotEqual(t, text.en, text.fr)
			assert.Equal(t, placeholders(text.en), placeholders(text.fr))

			var args []string
			want := map[string]string{}
			for _, ph := range placeholders(text.en) {
				name := ph[1 : len(ph)-1]
				args = append(args, name, "<"+name+">")
				want[name] = "<" + name + ">"
			}
			if want["msg"] != "" { // a nested message is itself one with a code
				args[len(args)-1], want["msg"] = rowTexts["amount_zero"].en, rowTexts["amount_zero"].en
			}
			msg := RowText(code, args...)
			assert.NotContains(t, msg, "{")
			got, vals := RowError{Message: msg}.Code()
			assert.Equal(t, code, got)
			assert.Equal(t, want, vals)
			assert.Equal(t, msg, RowError{Message: msg}.In("en"))
			fr := RowError{Message: msg}.In("fr")
			assert.NotEqual(t, msg, fr)
			assert.NotContains(t, fr, "{")
			for name, v := range want {
				if name != "msg" {
					assert.Contains(t, fr, v)
				}
			}
		})
	}
}

func TestRowErrorIn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ msg, fr string }{
		{"amount has decimals: XAF has no cents, write a whole number of francs",
			"le montant a des décimales : le XAF n'a pas de centimes, écrivez un nombre entier de francs"},
		{"phone is not a valid number in CM: write it as 6 71 23 45 67 or +237 6 71 23 45 67",
			"le téléphone n'est pas un numéro valide en CM : écrivez-le sous la forme 6 71 23 45 67 ou +237 6 71 23 45 67"},
		{"TOTAL row: amount is negative: write a positive whole number of francs",
			"ligne TOTAL : le montant est négatif : écrivez un nombre entier positif de francs"},
		{"duplicate of row 3: the same payee is paid twice; remove one row, or pass --allow-duplicates if both payments are meant",
			"doublon de la ligne 3 : le même bénéficiaire serait payé deux fois ; supprimez une des lignes, ou passez --allow-duplicates si les deux paiements sont voulus"},
		{"not an amount", "not an amount"}, // no code: English
		{"", ""},
	} {
		e := RowError{Row: 4, Column: "Montant", Message: c.msg}
		assert.Equal(t, c.fr, e.In("fr"), c.msg)
		assert.Equal(t, c.msg, e.In("en"))
		assert.Equal(t, c.msg, e.In("de"), "a language without texts gets the English")
	}
	code, _ := RowError{Message: "not an amount"}.Code()
	assert.Empty(t, code)
	assert.True(t, strings.HasPrefix(RowText("limit_per_row", "amount", "5", "limit", "4"), "amount 5 is above"))
}

// The routing refusals are row texts with codes.
func TestRouteRefusalsHaveCodes(t *testing.T) {
	t.Parallel()
	noMCP := map[string]bool{"campay": true, "cinetpay": true, "camoo": true}
	for _, c := range []struct {
		configured map[string]bool
		row        Row
		code, en   string
	}{
		{allFour, Row{Country: "CM", Operator: "MTN", Mode: ModeBankTransfer}, "no_mode_provider",
			"no configured provider pays mode bank_transfer: pay this row another way and remove it from the sheet"},
		{allFour, Row{Country: "CI", Operator: "Orange", Mode: ModeCashout}, "no_cashout_provider",
			"no configured provider pays cashouts in CI: pay this row another way and remove it from the sheet"},
		{allFour, Row{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney, Provider: "paypal"}, "provider_not_configured", ""},
		{noMCP, Row{Country: "CM", Operator: OperatorMCP, Mode: ModeMobileMoney, Phone: "jdoe"}, "wallet_provider_missing", ""},
		{allFour, Row{Country: "NG", Operator: "MTN", Mode: ModeMobileMoney, Phone: "2348031234567"}, "no_operator_provider",
			"no configured provider pays MTN numbers in NG: pay this row another way and remove it from the sheet"},
	} {
		_, err := Routes{Rules: DefaultRules, Configured: c.configured, Currency: "XAF"}.Route(c.row)
		require.Error(t, err, c.code)
		e := RouteRowError(c.row, err)
		if c.en != "" {
			assert.Equal(t, c.en, e.Message)
		}
		code, _ := e.Code()
		assert.Equal(t, c.code, code, e.Message)
		assert.NotEqual(t, e.Message, e.In("fr"))
	}
}
