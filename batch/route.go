package batch

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"bulkpay/providers"
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

// OperatorMCP marks a My-CoolPay wallet row (addressed by phone, username or e-mail).
const OperatorMCP = providers.CarrierMCP

// DefaultRules apply when the config gives none. They are derived from what each
// provider declares it pays (providers.DefaultRoutes): My-CoolPay wallets through
// My-CoolPay; cashouts in Cameroon through Camoo; Cameroon's MTN and Orange
// through CamPay, then My-CoolPay; the CinetPay countries through CinetPay.
var DefaultRules = func() []Rule {
	var rules []Rule
	for _, r := range providers.DefaultRoutes() {
		rules = append(rules, Rule{Country: r.Country, Operator: r.Carrier, Mode: r.Mode, Providers: r.Providers})
	}
	return rules
}()

// Routes is a Router over rules, limited to the providers that are configured
// and to what each provider declares it pays (providers.CanPay): its countries,
// carriers, modes and currencies.
type Routes struct {
	Rules      []Rule
	Configured map[string]bool
	// Currency is the batch currency; Plan sets it from the batch when empty.
	Currency string
}

// Route implements Router: the first matching rule's providers that are
// configured and can pay the row, or the provider the row names if it can.
func (rs Routes) Route(row Row) ([]string, error) {
	if row.Provider != "" {
		if !rs.Configured[row.Provider] {
			return nil, &RouteError{Column: "provider", Value: row.Provider,
				Reason: RowText("provider_not_configured", "provider", strconv.Quote(row.Provider), "names", rs.names())}
		}
		if err := rs.canPay(row.Provider, row); err != nil {
			return nil, rs.refusal(row, err, true)
		}
		return []string{row.Provider}, nil
	}
	var cannot error // why the first matching provider could not pay the row
	for _, r := range rs.Rules {
		if !r.matches(row) {
			continue
		}
		var out []string
		for _, p := range r.Providers {
			if !rs.Configured[p] {
				continue
			}
			if err := rs.canPay(p, row); err != nil {
				if cannot == nil {
					cannot = err
				}
				continue
			}
			out = append(out, p)
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	if cannot != nil {
		return nil, rs.refusal(row, cannot, false)
	}
	switch {
	case row.Mode == ModeCashout:
		return nil, &RouteError{Column: "mode", Value: row.Mode,
			Reason: RowText("no_cashout_provider", "country", row.Country)}
	case row.Mode != ModeMobileMoney:
		return nil, &RouteError{Column: "mode", Value: row.Mode,
			Reason: RowText("no_mode_provider", "mode", row.Mode)}
	case isWallet(row.Operator):
		w, _ := providers.WalletCarrier(row.Operator)
		return nil, &RouteError{Column: "operator", Value: row.Operator,
			Reason: RowText("wallet_provider_missing", "wallet", w.Title, "provider", w.Name)}
	case row.Operator == "":
		return nil, &RouteError{Column: "phone", Value: "+" + row.Phone,
			Reason: RowText("carrier_unknown", "country", row.Country)}
	default:
		return nil, &RouteError{Column: "phone", Value: "+" + row.Phone,
			Reason: RowText("no_operator_provider", "operator", row.Operator, "country", row.Country)}
	}
}

func isWallet(operator string) bool {
	_, ok := providers.WalletCarrier(operator)
	return ok
}

func (rs Routes) canPay(provider string, row Row) error {
	return providers.CanPay(provider, providers.Payee{Country: row.Country, Carrier: row.Operator, Mode: row.Mode, Currency: rs.Currency})
}

// refusal turns a provider's CannotPay into the row's error: the column it is
// about, the value, and what to do. named: the row's provider column chose it.
func (rs Routes) refusal(row Row, err error, named bool) error {
	var cp *providers.CannotPay
	if !errors.As(err, &cp) {
		return err
	}
	why, other := cp.Reason, "pay this row another way and remove it from the sheet"
	if named {
		why = "the provider column names " + cp.Provider + ", but " + why
		other = "name another provider in the provider column (or leave it empty), or " + other
	}
	switch cp.Field {
	case "currency":
		want := providers.PaidIn(cp.Provider, row.Country, row.Operator)
		return &RouteError{Column: "currency", Value: rs.Currency,
			Reason: fmt.Sprintf("%s: pay such rows in a batch of their own whose currency is %s (currency: %s in the config), or %s",
				why, want, want, other)}
	case "mode":
		return &RouteError{Column: "mode", Value: row.Mode, Reason: why + ": " + other}
	default:
		return &RouteError{Column: "phone", Value: "+" + row.Phone, Reason: why + ": " + other}
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
