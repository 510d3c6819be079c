package reports

import (
	"fmt"
	"strconv"
	"strings"

	"bulkpay/batch"
	"bulkpay/providers/registry"
)

// ProviderName is the name people know a provider by (CamPay for campay).
func ProviderName(p string) string {
	if p == "" {
		return "the provider"
	}
	return registry.Title(p)
}

// Money writes an amount with thousands separators and its currency: 150,000 XAF.
func Money(amount int64, currency string) string {
	out := strings.ReplaceAll(batch.Money(amount), " ", ",")
	if currency != "" {
		out += " " + currency
	}
	return out
}

// money writes a recorded amount (a mismatch's ours or theirs) as Money when
// it is a whole number, and as it is otherwise.
func money(s, currency string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return strconv.Quote(s)
	}
	return Money(n, currency)
}

func where(row int) string {
	if row == 0 {
		return "no row"
	}
	return "row " + strconv.Itoa(row)
}

// Finding says a mismatch in words, with its row:
// "row 12: we recorded succeeded, CamPay says failed".
func Finding(m Mismatch, currency string) string {
	p := ProviderName(m.Provider)
	switch m.Kind {
	case "status":
		return fmt.Sprintf("%s: we recorded %s, %s says %s", where(m.Row), m.Ours, p, m.Theirs)
	case "amount":
		return fmt.Sprintf("%s: we sent %s, %s says %s", where(m.Row), money(m.Ours, currency), p, money(m.Theirs, currency))
	case "fee":
		return fmt.Sprintf("%s: we recorded a fee of %s, %s says %s", where(m.Row), money(m.Ours, currency), p, money(m.Theirs, currency))
	case "unknown_payout":
		return fmt.Sprintf("%s: %s made a payout that no batch in the ledger knows (%s, %s reference %s)", where(m.Row), p, m.Theirs, p, m.Reference)
	case "unreadable":
		return UncheckedFinding(Unchecked{Row: m.Row, Provider: m.Provider, Reference: m.Reference, Reason: m.Theirs})
	}
	return fmt.Sprintf("%s: the %s differs: we recorded %q, %s says %q", where(m.Row), m.Kind, m.Ours, p, m.Theirs)
}

// UncheckedFinding says in words what could not be checked and why:
// "row 12: CamPay's record could not be read: timeout".
func UncheckedFinding(u Unchecked) string {
	p := ProviderName(u.Provider)
	if u.Row == 0 && u.Reference == "" {
		return fmt.Sprintf("%s's list of payouts could not be read: %s", p, u.Reason)
	}
	return fmt.Sprintf("%s: %s's record could not be read: %s", where(u.Row), p, u.Reason)
}
