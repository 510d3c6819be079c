package batch

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultRoutes(t *testing.T) {
	all := Routes{Rules: DefaultRules, Configured: map[string]bool{"campay": true, "cinetpay": true, "mycoolpay": true, "camoo": true}}
	cases := []struct {
		name string
		row  Row
		want []string
		col  string // the column a refusal names
	}{
		{"CM MTN", Row{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney}, []string{"campay", "mycoolpay"}, ""},
		{"CM Orange", Row{Country: "CM", Operator: "Orange", Mode: ModeMobileMoney}, []string{"campay", "mycoolpay"}, ""},
		{"Côte d'Ivoire", Row{Country: "CI", Operator: "Orange", Mode: ModeMobileMoney}, []string{"cinetpay"}, ""},
		{"Senegal", Row{Country: "SN", Operator: "Orange", Mode: ModeMobileMoney}, []string{"cinetpay"}, ""},
		{"Mali", Row{Country: "ML", Operator: "Orange", Mode: ModeMobileMoney}, []string{"cinetpay"}, ""},
		{"Burkina Faso", Row{Country: "BF", Operator: "Orange", Mode: ModeMobileMoney}, []string{"cinetpay"}, ""},
		{"Togo", Row{Country: "TG", Operator: "Moov", Mode: ModeMobileMoney}, []string{"cinetpay"}, ""},
		{"Benin", Row{Country: "BJ", Operator: "MTN", Mode: ModeMobileMoney}, []string{"cinetpay"}, ""},
		{"Guinea", Row{Country: "GN", Operator: "Orange", Mode: ModeMobileMoney}, []string{"cinetpay"}, ""},
		{"DR Congo", Row{Country: "CD", Operator: "Vodacom", Mode: ModeMobileMoney}, []string{"cinetpay"}, ""},
		{"cashout", Row{Country: "CM", Operator: "MTN", Mode: ModeCashout}, []string{"camoo"}, ""},
		{"MCP wallet", Row{Country: "CM", Operator: OperatorMCP, Mode: ModeMobileMoney, Phone: "jdoe"}, []string{"mycoolpay"}, ""},
		{"row names its provider", Row{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney, Provider: "mycoolpay"}, []string{"mycoolpay"}, ""},
		{"Camtel", Row{Country: "CM", Operator: "Camtel", Mode: ModeMobileMoney, Phone: "237620123456"}, nil, "phone"},
		{"Nexttel", Row{Country: "CM", Operator: "NEXTTEL", Mode: ModeMobileMoney, Phone: "237685123456"}, nil, "phone"},
		{"country nobody serves", Row{Country: "NG", Operator: "MTN", Mode: ModeMobileMoney, Phone: "2348031234567"}, nil, "phone"},
		{"bank transfer", Row{Country: "CM", Operator: "MTN", Mode: ModeBankTransfer}, nil, "mode"},
		{"cashout abroad", Row{Country: "CI", Operator: "Orange", Mode: ModeCashout}, nil, "mode"},
		{"unknown provider named", Row{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney, Provider: "paypal"}, nil, "provider"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := all.Route(tc.row)
			if tc.want != nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			var re *RouteError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tc.col, re.Column)
			assert.NotEmpty(t, re.Reason)
		})
	}
}

func TestRoutesKeepOnlyConfiguredProviders(t *testing.T) {
	onlyMCP := Routes{Rules: DefaultRules, Configured: map[string]bool{"mycoolpay": true}}
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
	}
	got, _ := rs.Route(Row{Country: "CM", Operator: "orange", Mode: ModeMobileMoney})
	assert.Equal(t, []string{"mycoolpay", "campay"}, got, "first match wins, operators compared without case")
	got, _ = rs.Route(Row{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney})
	assert.Equal(t, []string{"campay"}, got)
}
