package providers

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Modes of payment a provider may pay, as a sheet's mode column names them.
const (
	ModeMobileMoney = "mobile_money"
	ModeCashout     = "cashout"
)

// CarrierMCP marks a My-CoolPay wallet (addressed by phone, username or e-mail).
const CarrierMCP = "MCP"

// Pays is one kind of payout a provider makes: to numbers of Country (any
// country when empty) on one of Carriers (any carrier when empty), in Currency,
// for the payment Modes listed.
type Pays struct {
	Country  string
	Currency string
	Carriers []string
	Modes    []string
}

var mobileMoney = []string{ModeMobileMoney}

// declared is what each provider pays, from its own documents (see PROVIDERS.md):
// routing consults it so that a row no provider can pay is refused at validation
// instead of failing at the provider in the middle of a batch.
var declared = map[string][]Pays{
	// CamPay: "only MTN and Orange phone numbers are accepted" (ER102), Cameroon, XAF.
	"campay": {{Country: "CM", Currency: "XAF", Carriers: []string{"MTN", "Orange"}, Modes: mobileMoney}},
	// My-CoolPay: CM_MOMO, CM_OM and MCP wallets; transaction_currency XAF.
	"mycoolpay": {
		{Country: "CM", Currency: "XAF", Carriers: []string{"MTN", "Orange"}, Modes: mobileMoney},
		{Currency: "XAF", Carriers: []string{CarrierMCP}, Modes: mobileMoney},
	},
	// Camoo: cashouts to MTN and Orange numbers in Cameroon, in XAF (422 otherwise).
	"camoo": {{Country: "CM", Currency: "XAF", Carriers: []string{"MTN", "Orange"}, Modes: []string{ModeCashout, ModeMobileMoney}}},
	// CinetPay: each country in its own currency; in Cameroon MTN and Orange.
	"cinetpay": {
		{Country: "CI", Currency: "XOF", Modes: mobileMoney},
		{Country: "SN", Currency: "XOF", Modes: mobileMoney},
		{Country: "ML", Currency: "XOF", Modes: mobileMoney},
		{Country: "BF", Currency: "XOF", Modes: mobileMoney},
		{Country: "TG", Currency: "XOF", Modes: mobileMoney},
		{Country: "BJ", Currency: "XOF", Modes: mobileMoney},
		{Country: "CM", Currency: "XAF", Carriers: []string{"MTN", "Orange"}, Modes: mobileMoney},
		{Country: "GN", Currency: "GNF", Modes: mobileMoney},
		{Country: "CD", Currency: "CDF", Modes: mobileMoney},
	},
}

// Declared returns what provider declares it pays (nil for a provider bulkpay
// does not know).
func Declared(provider string) []Pays {
	return slices.Clone(declared[provider])
}

// AtPar reports whether amounts in currencies a and b are worth the same: the
// same currency, or the two CFA francs (XAF of Central Africa and XOF of West
// Africa, both fixed at 655.957 to the euro and exchanged one for one).
func AtPar(a, b string) bool {
	a, b = strings.ToUpper(strings.TrimSpace(a)), strings.ToUpper(strings.TrimSpace(b))
	if a == b {
		return true
	}
	cfa := func(c string) bool { return c == "XAF" || c == "XOF" }
	return cfa(a) && cfa(b)
}

func hasFold(xs []string, x string) bool {
	return slices.ContainsFunc(xs, func(s string) bool { return strings.EqualFold(s, x) })
}

// where returns the declarations of provider that cover country and carrier.
func where(provider, country, carrier string) []Pays {
	var out []Pays
	for _, p := range declared[provider] {
		if (p.Country == "" || strings.EqualFold(p.Country, country)) &&
			(len(p.Carriers) == 0 || hasFold(p.Carriers, carrier)) {
			out = append(out, p)
		}
	}
	return out
}

// PaidIn returns the currency provider pays numbers of country on carrier in
// (on any of its carriers there when carrier is empty), or "" when it does not
// pay them.
func PaidIn(provider, country, carrier string) string {
	for _, p := range declared[provider] {
		if (p.Country == "" || strings.EqualFold(p.Country, country)) &&
			(carrier == "" || len(p.Carriers) == 0 || hasFold(p.Carriers, carrier)) {
			return p.Currency
		}
	}
	return ""
}

// PayCurrency returns the currency a payout of a batch in currency goes to
// provider in: the currency the provider pays in the payee's country when it is
// worth the same (see AtPar), else "".
func PayCurrency(provider, country, carrier, currency string) string {
	if c := PaidIn(provider, country, carrier); c != "" && AtPar(c, currency) {
		return c
	}
	return ""
}

// Payee is what routing knows about a row when it asks whether a provider can pay it.
type Payee struct {
	Country  string // ISO region of the number
	Carrier  string // MTN, Orange, ..., MCP for a My-CoolPay wallet; empty when unknown
	Mode     string // mobile_money, cashout, ...
	Currency string // the batch currency
}

// CannotPay says why a provider cannot pay a payee. Field is what the refusal is
// about: "phone" (country or carrier), "mode" or "currency".
type CannotPay struct {
	Provider string
	Field    string
	Reason   string
}

func (e *CannotPay) Error() string { return e.Reason }

// CanPay reports whether provider declares that it pays payee, and if not, why.
func CanPay(provider string, payee Payee) error {
	decl := declared[provider]
	if len(decl) == 0 {
		return &CannotPay{Provider: provider, Field: "provider", Reason: fmt.Sprintf("%s is not a provider bulkpay knows", provider)}
	}
	var inCountry []Pays // what it pays in the payee's country, whatever the carrier
	for _, p := range decl {
		if strings.EqualFold(p.Country, payee.Country) || (p.Country == "" && (len(p.Carriers) == 0 || hasFold(p.Carriers, payee.Carrier))) {
			inCountry = append(inCountry, p)
		}
	}
	if len(inCountry) == 0 {
		return &CannotPay{Provider: provider, Field: "phone",
			Reason: fmt.Sprintf("%s does not pay numbers in %s (it pays in %s)", provider, or(payee.Country, "this country"), countries(decl))}
	}
	ps := where(provider, payee.Country, payee.Carrier)
	if len(ps) == 0 {
		var carriers []string
		for _, p := range inCountry {
			carriers = append(carriers, p.Carriers...)
		}
		if payee.Carrier == "" {
			return &CannotPay{Provider: provider, Field: "phone",
				Reason: fmt.Sprintf("%s pays only %s numbers in %s, and the carrier of this number is not known", provider, and(carriers), payee.Country)}
		}
		return &CannotPay{Provider: provider, Field: "phone",
			Reason: fmt.Sprintf("%s pays only %s numbers in %s, and this is a%s %s number", provider, and(carriers), payee.Country, article(payee.Carrier), payee.Carrier)}
	}
	var modes []string
	for _, p := range ps {
		if hasFold(p.Modes, payee.Mode) {
			if !AtPar(p.Currency, payee.Currency) {
				return &CannotPay{Provider: provider, Field: "currency",
					Reason: fmt.Sprintf("%s pays %s numbers in %s, not %s", provider, payee.Country, p.Currency, or(payee.Currency, "an unnamed currency"))}
			}
			return nil
		}
		modes = append(modes, p.Modes...)
	}
	return &CannotPay{Provider: provider, Field: "mode",
		Reason: fmt.Sprintf("%s does not pay mode %s in %s (it pays %s)", provider, payee.Mode, payee.Country, and(modes))}
}

func or(a, b string) string { return Or(a, b) }

func countries(ps []Pays) string {
	var cs []string
	for _, p := range ps {
		if p.Country != "" && !slices.Contains(cs, p.Country) {
			cs = append(cs, p.Country)
		}
	}
	sort.Strings(cs)
	return strings.Join(cs, ", ")
}

func and(xs []string) string {
	var seen []string
	for _, x := range xs {
		if !hasFold(seen, x) {
			seen = append(seen, x)
		}
	}
	xs = seen
	switch len(xs) {
	case 0:
		return "no"
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOUaeiou", rune(word[0])) {
		return "n"
	}
	return ""
}
