package batch

import (
	"fmt"
	"sort"
	"strings"
)

// Rule sends rows that match it to an ordered list of providers. Empty fields
// match anything; Country is an ISO region (CM), Operator a carrier (MTN, Orange),
// Mode a payment mode.
type Rule struct {
	Country   string   `yaml:"country"`
	Operator  string   `yaml:"operator"`
	Mode      string   `yaml:"mode"`
	Providers []string `yaml:"providers"`
}

func (r Rule) matches(row Row) bool {
	return (r.Country == "" || strings.EqualFold(r.Country, row.Country)) &&
		(r.Operator == "" || strings.EqualFold(r.Operator, row.Operator)) &&
		(r.Mode == "" || strings.EqualFold(r.Mode, row.Mode))
}

// DefaultRules route Cameroon's MTN and Orange mobile money through CamPay.
var DefaultRules = []Rule{
	{Country: "CM", Operator: "MTN", Mode: ModeMobileMoney, Providers: []string{"campay"}},
	{Country: "CM", Operator: "Orange", Mode: ModeMobileMoney, Providers: []string{"campay"}},
}

// Routes is a Router over rules, limited to the providers that are configured.
type Routes struct {
	Rules      []Rule
	Configured map[string]bool
}

// Route implements Router: the first matching rule's providers that are
// configured, or the provider the row names.
func (rs Routes) Route(row Row) ([]string, error) {
	if row.Provider != "" {
		if !rs.Configured[row.Provider] {
			return nil, &RouteError{Column: "provider", Value: row.Provider,
				Reason: fmt.Sprintf("provider %q is not configured: name one of %s, or leave the cell empty", row.Provider, rs.names())}
		}
		return []string{row.Provider}, nil
	}
	for _, r := range rs.Rules {
		if !r.matches(row) {
			continue
		}
		var out []string
		for _, p := range r.Providers {
			if rs.Configured[p] {
				out = append(out, p)
			}
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	switch {
	case row.Mode != ModeMobileMoney:
		return nil, &RouteError{Column: "mode", Value: row.Mode,
			Reason: fmt.Sprintf("no configured provider pays mode %s: pay this row another way and remove it from the sheet", row.Mode)}
	case row.Operator == "":
		return nil, &RouteError{Column: "phone", Value: "+" + row.Phone,
			Reason: fmt.Sprintf("the carrier of this %s number is not known, so no provider can be chosen: check the number", row.Country)}
	default:
		return nil, &RouteError{Column: "phone", Value: "+" + row.Phone,
			Reason: fmt.Sprintf("no configured provider pays %s numbers in %s: pay this row another way and remove it from the sheet", row.Operator, row.Country)}
	}
}

func (rs Routes) names() string {
	var n []string
	for p := range rs.Configured {
		n = append(n, p)
	}
	sort.Strings(n)
	if len(n) == 0 {
		return "(none)"
	}
	return strings.Join(n, ", ")
}
