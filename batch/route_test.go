package batch

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
)

var allFour = map[string]bool{"campay": true, "cinetpay": true, "mycoolpay": true, "camoo": true}

func TestDefaultRoutes(t *testing.T) {
	cases := []struct {
		name     string
		currency string // the batch's; XAF when empty
		row      Row
		want     []string
		col      string // the column a refusal names
		says     string // and part of what it says
	}{
		{"CM MTN", "", Row{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney}, []string{"campay", "mycoolpay"}, "", ""},
		{"CM Orange", "", Row{Country: "CM", Operator: "Orange", Mode: ModeMobileMoney}, []string{"campay", "mycoolpay"}, "", ""},
		{"Côte d'Ivoire", "", Row{Country: "CI", Operator: "Orange", Mode: ModeMobileMoney}, []string{"cinetpay"}, "", ""},
		{"Senegal", "", Row{Country: "SN", Operator: "Orange", Mode: ModeMobileMoney}, []string{"cinetpay"}, "", ""},
		{"Mali", "", Row{Country: "ML", Operator: "Orange", Mode: ModeMobileMoney}, []string{"cinetpay"}, "", ""},
		{"Burkina Faso", "", Row{Country: "BF", Operator: "Orange", Mode: ModeMobileMoney}, []string{"cinetpay"}, "", ""},
		{"Togo", "", Row{Country: "TG", Operator: "Moov", Mode: ModeMobileMoney}, []string{"cinetpay"}, "", ""},
		{"Benin", "", Row{Country: "BJ", Operator: "MTN", Mode: ModeMobileMoney}, []string{"cinetpay"}, "", ""},
		{"Guinea in GNF", "GNF", Row{Country: "GN", Operator: "Orange", Mode: ModeMobileMoney}, []string{"cinetpay"}, "", ""},
		{"DR Congo in CDF", "CDF", Row{Country: "CD", Operator: "Vodacom", Mode: ModeMobileMoney}, []string{"cinetpay"}, "", ""},
		{"West Africa in an XOF batch", "XOF", Row{Country: "CI", Operator: "Orange", Mode: ModeMobileMoney}, []string{"cinetpay"}, "", ""},
		{"Cameroon in an XOF batch, at par", "XOF", Row{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney}, []string{"campay", "mycoolpay"}, "", ""},
		{"cashout", "", Row{Country: "CM", Operator: "MTN", Mode: ModeCashout}, []string{"camoo"}, "", ""},
		{"cashout Orange", "", Row{Country: "CM", Operator: "Orange", Mode: ModeCashout}, []string{"camoo"}, "", ""},
		{"MCP wallet", "", Row{Country: "CM", Operator: OperatorMCP, Mode: ModeMobileMoney, Phone: "jdoe"}, []string{"mycoolpay"}, "", ""},
		{"row names its provider", "", Row{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney, Provider: "mycoolpay"}, []string{"mycoolpay"}, "", ""},
		{"Camtel", "", Row{Country: "CM", Operator: "Camtel", Mode: ModeMobileMoney, Phone: "237620123456"}, nil, "phone", "Camtel"},
		{"Nexttel", "", Row{Country: "CM", Operator: "NEXTTEL", Mode: ModeMobileMoney, Phone: "237685123456"}, nil, "phone", "NEXTTEL"},
		{"Nexttel cashout", "", Row{Country: "CM", Operator: "NEXTTEL", Mode: ModeCashout, Phone: "237685123456"}, nil, "phone",
			"camoo pays only MTN and Orange numbers in CM, and this is a NEXTTEL number"},
		{"Camtel cashout", "", Row{Country: "CM", Operator: "Camtel", Mode: ModeCashout, Phone: "237620123456"}, nil, "phone",
			"camoo pays only MTN and Orange numbers in CM, and this is a Camtel number"},
		{"cashout of unknown carrier", "", Row{Country: "CM", Mode: ModeCashout, Phone: "237620123456"}, nil, "phone", "carrier of this number is not known"},
		{"country nobody serves", "", Row{Country: "NG", Operator: "MTN", Mode: ModeMobileMoney, Phone: "2348031234567"}, nil, "phone", "in NG"},
		{"bank transfer", "", Row{Country: "CM", Operator: "MTN", Mode: ModeBankTransfer}, nil, "mode", ""},
		{"cashout abroad", "", Row{Country: "CI", Operator: "Orange", Mode: ModeCashout}, nil, "mode", ""},
		{"unknown provider named", "", Row{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney, Provider: "paypal"}, nil, "provider", ""},
		{"Guinea in an XAF batch", "", Row{Row: 9, Country: "GN", Operator: "Orange", Mode: ModeMobileMoney, Phone: "224621234567"}, nil, "currency",
			"cinetpay pays GN numbers in GNF, not XAF: pay such rows in a batch of their own whose currency is GNF"},
		{"DR Congo in an XOF batch", "XOF", Row{Country: "CD", Operator: "Airtel", Mode: ModeMobileMoney}, nil, "currency", "in CDF, not XOF"},
		{"Cameroon in a GNF batch", "GNF", Row{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney}, nil, "currency", "campay pays CM numbers in XAF, not GNF"},
		{"named provider that does not pay the country", "", Row{Country: "CI", Operator: "Orange", Mode: ModeMobileMoney, Phone: "2250701020304", Provider: "campay"},
			nil, "phone", "the provider column names campay, but campay does not pay numbers in CI"},
		{"named provider that does not pay cashouts", "", Row{Country: "CM", Operator: "MTN", Mode: ModeCashout, Provider: "campay"}, nil, "mode",
			"campay does not pay mode cashout"},
		{"named provider that does not pay the carrier", "", Row{Country: "CM", Operator: "NEXTTEL", Mode: ModeMobileMoney, Phone: "237685123456", Provider: "mycoolpay"},
			nil, "phone", "mycoolpay pays only MTN and Orange numbers in CM"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rs := Routes{Rules: DefaultRules, Configured: allFour, Currency: "XAF"}
			if tc.currency != "" {
				rs.Currency = tc.currency
			}
			got, err := rs.Route(tc.row)
			if tc.want != nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			var re *RouteError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tc.col, re.Column)
			assert.NotEmpty(t, re.Reason)
			assert.Contains(t, re.Reason, tc.says)
			if tc.col == "currency" {
				assert.Equal(t, rs.Currency, re.Value, "the value refused is the batch currency")
			}
		})
	}
}

// A rule whose providers cannot pay a row does not route it there: the next
// matching rule is tried, and without one the row is refused with the reason.
func TestRulesSkipProvidersThatCannotPay(t *testing.T) {
	t.Parallel()
	rs := Routes{
		Rules: []Rule{
			{Country: "CM", Providers: []string{"cinetpay", "camoo"}},
			{Country: "CM", Providers: []string{"mycoolpay"}},
		},
		Configured: allFour,
		Currency:   "XAF",
	}
	got, err := rs.Route(Row{Country: "CM", Operator: "MTN", Mode: ModeCashout})
	require.NoError(t, err)
	assert.Equal(t, []string{"camoo"}, got, "cinetpay does not pay cashouts")
	got, err = rs.Route(Row{Country: "CM", Operator: "Orange", Mode: ModeMobileMoney})
	require.NoError(t, err)
	assert.Equal(t, []string{"cinetpay", "camoo"}, got)
	_, err = rs.Route(Row{Country: "CM", Operator: "NEXTTEL", Mode: ModeCashout, Phone: "237685123456"})
	var re *RouteError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "phone", re.Column)
	assert.Equal(t, "+237685123456", re.Value)
	assert.Contains(t, re.Reason, "cinetpay")
}

// Planning refuses, row by row, what no provider can pay: nothing of it is
// planned, so nothing of it can be sent.
func TestPlanRefusesRowsNoProviderCanPay(t *testing.T) {
	t.Parallel()
	rows := []Row{
		{Row: 2, Name: "MTN", Phone: "237677123456", Country: "CM", Operator: "MTN", Mode: ModeCashout, Amount: 1000},
		{Row: 3, Name: "Nexttel", Phone: "237685123456", Country: "CM", Operator: "NEXTTEL", Mode: ModeCashout, Amount: 1000},
		{Row: 4, Name: "Camtel", Phone: "237620123456", Country: "CM", Operator: "Camtel", Mode: ModeCashout, Amount: 1000},
		{Row: 5, Name: "Guinea", Phone: "224621234567", Country: "GN", Operator: "Orange", Mode: ModeMobileMoney, Amount: 5000},
		{Row: 6, Name: "Abidjan", Phone: "2250701020304", Country: "CI", Operator: "Orange", Mode: ModeMobileMoney, Amount: 5000},
	}
	// no Currency on the router: Plan checks in the batch's
	router := Routes{Rules: DefaultRules, Configured: allFour}
	b, items, errs := Plan("p", "s.csv", "XAF", rows, router)
	require.Len(t, errs, 3)
	assert.Equal(t, []int{3, 4, 5}, []int{errs[0].Row, errs[1].Row, errs[2].Row})
	assert.Equal(t, "phone", errs[0].Column)
	assert.Equal(t, "+237685123456", errs[0].Value)
	assert.Contains(t, errs[0].Error(), "row 3, column phone")
	assert.Contains(t, errs[0].Message, "NEXTTEL")
	assert.Contains(t, errs[0].Message, "pay this row another way")
	assert.Equal(t, "currency", errs[2].Column)
	assert.Equal(t, "XAF", errs[2].Value)
	require.Len(t, items, 2)
	assert.Equal(t, "camoo", items[0].Provider)
	assert.Equal(t, "cinetpay", items[1].Provider, "West Africa is paid at par from a CFA-franc batch")
	assert.Equal(t, int64(6000), b.TotalAmount)

	_, items, errs = Plan("g", "g.csv", "GNF", rows[3:4], router)
	assert.Empty(t, errs, "a GNF batch pays Guinea")
	assert.Len(t, items, 1)
}

// Every planned item carries its own UUID4: CamPay requires one as
// external_reference, and every provider gets the same kind of reference.
func TestPlannedReferencesAreUUID4(t *testing.T) {
	t.Parallel()
	var rows []Row
	for i := range 50 {
		rows = append(rows, Row{Row: i + 2, Phone: "23767712" + string(rune('0'+i/10)) + string(rune('0'+i%10)) + "00",
			Country: "CM", Operator: "MTN", Mode: ModeMobileMoney, Amount: 100})
	}
	_, items, errs := Plan("u", "u.csv", "XAF", rows, Routes{Rules: DefaultRules, Configured: allFour})
	require.Empty(t, errs)
	seen := map[string]bool{}
	for _, it := range items {
		assert.True(t, providers.IsUUID4(it.Reference), it.Reference)
		assert.False(t, seen[it.Reference])
		seen[it.Reference] = true
	}
}

func TestRoutesKeepOnlyConfiguredProviders(t *testing.T) {
	onlyMCP := Routes{Rules: DefaultRules, Configured: map[string]bool{"mycoolpay": true}, Currency: "XAF"}
	got, err := onlyMCP.Route(Row{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney})
	require.NoError(t, err)
	assert.Equal(t, []string{"mycoolpay"}, got, "campay is skipped when not configured")

	_, err = onlyMCP.Route(Row{Country: "CI", Operator: "Orange", Mode: ModeMobileMoney, Phone: "2250701020304"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no configured provider pays Orange numbers in CI")
}

func TestConfigRules(t *testing.T) {
	rs := Routes{
		Rules: []Rule{
			{Country: "CM", Operator: "Orange", Providers: []string{"mycoolpay", "campay"}},
			{Country: "CM", Providers: []string{"campay"}},
		},
		Configured: map[string]bool{"campay": true, "mycoolpay": true},
		Currency:   "XAF",
	}
	got, _ := rs.Route(Row{Country: "CM", Operator: "orange", Mode: ModeMobileMoney})
	assert.Equal(t, []string{"mycoolpay", "campay"}, got, "first match wins, operators compared without case")
	got, _ = rs.Route(Row{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney})
	assert.Equal(t, []string{"campay"}, got)
}

// TestDefaultRulesDerived: the rules derived from what the providers declare
// are, in order, those bulkpay has always applied without a config.
func TestDefaultRulesDerived(t *testing.T) {
	t.Parallel()
	cinetpay := func(country string) Rule {
		return Rule{Country: country, Mode: ModeMobileMoney, Providers: []string{"cinetpay"}}
	}
	assert.Equal(t, []Rule{
		{Operator: OperatorMCP, Providers: []string{"mycoolpay"}},
		{Country: "CM", Mode: ModeCashout, Providers: []string{"camoo"}},
		{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney, Providers: []string{"campay", "mycoolpay"}},
		{Country: "CM", Operator: "Orange", Mode: ModeMobileMoney, Providers: []string{"campay", "mycoolpay"}},
		cinetpay("CI"), cinetpay("SN"), cinetpay("ML"), cinetpay("BF"), cinetpay("TG"), cinetpay("BJ"), cinetpay("GN"), cinetpay("CD"),
	}, DefaultRules)
}
