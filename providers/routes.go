package providers

import (
	"sort"
	"strings"
)

// Route sends payees that match it to providers, in order of preference. Empty
// fields match anything: Country is an ISO region, Carrier an operator (MTN,
// MCP, ...), Mode a payment mode.
type Route struct {
	Country, Carrier, Mode string
	Providers              []string
}

// DefaultRoutes are the routes derived from what each provider declares it pays
// by default (Pays.Default), used when the config gives none:
//   - a wallet (a declaration without a country) is a route for its carrier,
//     whatever the mode, before every country's: a wallet's phone may be of any
//     country;
//   - a declaration of a country is a route per mode, and per carrier unless it
//     takes the WholeCountry;
//   - providers that declare the same route are listed by their rank, and the
//     routes in the order providers declare them, providers in order of name.
func DefaultRoutes() []Route {
	type ranked struct {
		name string
		rank int
	}
	type key struct{ country, carrier, mode string }
	var keys, wallets []key
	by := map[key][]ranked{}
	add := func(k key, name string, rank int) {
		if _, ok := by[k]; !ok {
			if k.country == "" {
				wallets = append(wallets, k)
			} else {
				keys = append(keys, k)
			}
		}
		by[k] = append(by[k], ranked{name, rank})
	}
	for _, d := range declarations {
		for _, p := range d.Pays {
			switch {
			case p.Default == 0:
			case p.Country == "":
				for _, c := range p.Carriers {
					add(key{carrier: c}, d.Name, p.Default)
				}
			case p.WholeCountry || len(p.Carriers) == 0:
				for _, m := range p.Modes {
					add(key{country: p.Country, mode: m}, d.Name, p.Default)
				}
			default:
				for _, c := range p.Carriers {
					for _, m := range p.Modes {
						add(key{p.Country, c, m}, d.Name, p.Default)
					}
				}
			}
		}
	}
	var out []Route
	for _, k := range append(wallets, keys...) {
		ps := by[k]
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].rank < ps[j].rank })
		r := Route{Country: k.country, Carrier: k.carrier, Mode: k.mode}
		for _, p := range ps {
			r.Providers = append(r.Providers, p.name)
		}
		out = append(out, r)
	}
	return out
}

// WalletNamed finds the provider whose wallets a normalised operator or mode
// cell (see Wallet.Words) names.
func WalletNamed(word string) (Declaration, bool) {
	for _, d := range declarations {
		if d.Wallet != nil && hasFold(d.Wallet.Words, word) {
			return d, true
		}
	}
	return Declaration{}, false
}

// WalletAddressed finds the provider whose wallets an address alone names,
// without the row saying which wallet: an e-mail address, when one provider
// takes e-mail wallets.
func WalletAddressed(id string) (Declaration, bool) {
	var found []Declaration
	for _, d := range declarations {
		if d.Wallet != nil && d.Wallet.Emails && strings.Contains(id, "@") && d.Wallet.Accepts(id) {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		return Declaration{}, false
	}
	return found[0], true
}

// Accepts reports whether id (not a phone number) addresses one of these
// wallets: an e-mail address or a username (a letter, then letters, digits,
// '.', '_' or '-', 3 to 32 in all), as the wallet allows.
func (w Wallet) Accepts(id string) bool {
	if strings.Contains(id, "@") {
		return w.Emails && IsEmail(id)
	}
	if !w.Usernames || len(id) < 3 || len(id) > 32 || !(id[0] >= 'a' && id[0] <= 'z' || id[0] >= 'A' && id[0] <= 'Z') {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// IsEmail reports whether s is plausibly an e-mail address: name@domain.tld,
// without spaces or list separators.
func IsEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(s, " \t<>,;") && !strings.Contains(domain, "@")
}

// WalletCarrier finds the provider whose wallets carrier (a row's operator) marks.
func WalletCarrier(carrier string) (Declaration, bool) {
	for _, d := range declarations {
		if d.Wallet != nil && strings.EqualFold(d.Wallet.Carrier, carrier) {
			return d, true
		}
	}
	return Declaration{}, false
}
