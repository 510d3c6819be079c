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
// country when empty: a wallet, addressed by its carrier) on one of Carriers
// (any carrier when empty), in Currency, for the payment Modes listed.
type Pays struct {
	Country  string
	Currency string
	Carriers []string
	Modes    []string
	// Default is the provider's rank among the providers that pay these payees
	// when the config gives no routes (1 first, 2 next); 0 when it pays them only
	// if the config or the row's provider column names it.
	Default int
	// WholeCountry: the default route takes every row of Country in these Modes
	// to the provider, whatever its carrier, so that a row of a carrier it does
	// not pay hears why; otherwise there is a route per carrier.
	WholeCountry bool
}

// Wallet is a provider's own wallets: rows that pay into an account at the
// provider rather than to a carrier's mobile money.
type Wallet struct {
	// Carrier is the operator a wallet row is given, for routing (MCP).
	Carrier string
	// Words are the operator or mode cells that say a row pays a wallet,
	// normalised (lower case, letters and digits only, as sheet.Normalize makes them).
	Words []string
	// Usernames and Emails say how a wallet is addressed besides its phone number.
	Usernames, Emails bool
}

// Declaration is what one provider declares about what it pays.
type Declaration struct {
	Name        string // its key in the config and the ledger: campay, cinetpay, ...
	Title       string // as the provider writes its name: CamPay, My-CoolPay, ...
	SandboxPath string // where a bulkpay sandbox serves its simulator, below the sandbox's root
	SendPath    string // the path of the request that moves money (POST), below its base URL
	Pays        []Pays
	Wallet      *Wallet // nil for a provider without wallets of its own
	// TellsNames: the provider can tell the name registered behind the
	// numbers it pays (the countries and carriers of Pays), so that a name
	// check asks it before money leaves.
	TellsNames bool
	// CallsBack: the provider calls the merchant back when a payout ends (at
	// a URL set in its dashboard, or one bulkpay gives with each payout), so
	// polling its status is only the fallback once bulkpay has a public URL.
	CallsBack bool
}

var mobileMoney = []string{ModeMobileMoney}

// declarations are what each provider pays, from its own documents (see
// PROVIDERS.md), in order of name: routing consults them so that a row no
// provider can pay is refused at validation instead of failing at the provider
// in the middle of a batch, and the default routes are derived from them
// (DefaultRoutes).
var declarations = []Declaration{
	// Camoo: cashouts to MTN and Orange numbers in Cameroon, in XAF (422
	// otherwise); the default for cashouts there.
	{Name: "camoo", Title: "Camoo", SandboxPath: "/camoo/v1/payment", SendPath: "/cashout", CallsBack: true,
		Pays: []Pays{
			{Country: "CM", Currency: "XAF", Carriers: []string{"MTN", "Orange"}, Modes: []string{ModeCashout}, Default: 1, WholeCountry: true},
			{Country: "CM", Currency: "XAF", Carriers: []string{"MTN", "Orange"}, Modes: mobileMoney},
		}},
	// CamPay: "only MTN and Orange phone numbers are accepted" (ER102), Cameroon,
	// XAF; the first choice there.
	{Name: "campay", Title: "CamPay", SandboxPath: "/campay/api", SendPath: "/withdraw", CallsBack: true,
		Pays: []Pays{
			{Country: "CM", Currency: "XAF", Carriers: []string{"MTN", "Orange"}, Modes: mobileMoney, Default: 1},
		}},
	// CinetPay: each country in its own currency; in Cameroon MTN and Orange,
	// only when named (CamPay and My-CoolPay are the defaults there).
	{Name: "cinetpay", Title: "CinetPay", SandboxPath: "/cinetpay/v1", SendPath: "/transfer/money/send/contact", CallsBack: true,
		Pays: []Pays{
			{Country: "CI", Currency: "XOF", Modes: mobileMoney, Default: 1},
			{Country: "SN", Currency: "XOF", Modes: mobileMoney, Default: 1},
			{Country: "ML", Currency: "XOF", Modes: mobileMoney, Default: 1},
			{Country: "BF", Currency: "XOF", Modes: mobileMoney, Default: 1},
			{Country: "TG", Currency: "XOF", Modes: mobileMoney, Default: 1},
			{Country: "BJ", Currency: "XOF", Modes: mobileMoney, Default: 1},
			{Country: "CM", Currency: "XAF", Carriers: []string{"MTN", "Orange"}, Modes: mobileMoney},
			{Country: "GN", Currency: "GNF", Modes: mobileMoney, Default: 1},
			{Country: "CD", Currency: "CDF", Modes: mobileMoney, Default: 1},
		}},
	// MTN MoMo (Disbursement): MTN numbers of the markets MTN opens to it,
	// each in its own currency; only when the config routes to it or a row
	// names it (a route may put it first for a market's MTN numbers).
	// It tells the name behind an MTN number of its markets (basic user info).
	{Name: "momo", Title: "MTN MoMo", SandboxPath: "/momo", SendPath: "/disbursement/v1_0/transfer", TellsNames: true, CallsBack: true,
		Pays: []Pays{
			{Country: "CM", Currency: "XAF", Carriers: []string{"MTN"}, Modes: mobileMoney},
			{Country: "CI", Currency: "XOF", Carriers: []string{"MTN"}, Modes: mobileMoney},
			{Country: "BJ", Currency: "XOF", Carriers: []string{"MTN"}, Modes: mobileMoney},
			{Country: "CG", Currency: "XAF", Carriers: []string{"MTN"}, Modes: mobileMoney},
			// the numbering plan still names MTN Guinea by its former brand
			{Country: "GN", Currency: "GNF", Carriers: []string{"MTN", "Areeba"}, Modes: mobileMoney},
		}},
	// My-CoolPay: CM_MOMO, CM_OM (after CamPay) and its own MCP wallets, by
	// phone, username or e-mail; transaction_currency XAF.
	{Name: "mycoolpay", Title: "My-CoolPay", SandboxPath: "/mycoolpay/api", SendPath: "/payout", CallsBack: true,
		Pays: []Pays{
			{Country: "CM", Currency: "XAF", Carriers: []string{"MTN", "Orange"}, Modes: mobileMoney, Default: 2},
			{Currency: "XAF", Carriers: []string{CarrierMCP}, Modes: mobileMoney, Default: 1},
		}, Wallet: &Wallet{Carrier: CarrierMCP, Words: []string{"mcp", "mycoolpay", "mycoolpaywallet"}, Usernames: true, Emails: true}},
}

// declared is the declarations by name.
var declared = func() map[string][]Pays {
	m := make(map[string][]Pays, len(declarations))
	for _, d := range declarations {
		m[d.Name] = d.Pays
	}
	return m
}()

// Declared returns what provider declares it pays (nil for a provider bulkpay
// does not know).
func Declared(provider string) []Pays {
	return slices.Clone(declared[provider])
}

// Declarations returns every provider's declaration, in order of name.
func Declarations() []Declaration { return slices.Clone(declarations) }

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

// SandboxNames is the name a bulkpay sandbox's name directory goes by as a
// name source: it tells the name behind any number.
const SandboxNames = "sandbox"

// TellsName reports whether provider can tell the name registered behind a
// number of country on carrier: a provider that declares TellsNames, for the
// numbers it pays; the sandbox for any number. No provider tells the names
// behind Orange numbers today (PROVIDERS.md).
func TellsName(provider, country, carrier string) bool {
	if provider == SandboxNames {
		return true
	}
	for _, d := range declarations {
		if d.Name != provider || !d.TellsNames {
			continue
		}
		for _, p := range d.Pays {
			if p.Country != "" && strings.EqualFold(p.Country, country) &&
				slices.ContainsFunc(p.Carriers, func(c string) bool { return strings.EqualFold(c, carrier) }) {
				return true
			}
		}
	}
	return false
}

// NameTellers lists the providers that declare they tell names, in order.
func NameTellers() []string {
	var out []string
	for _, d := range declarations {
		if d.TellsNames {
			out = append(out, d.Name)
		}
	}
	return out
}
