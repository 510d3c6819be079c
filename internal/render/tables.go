package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"bulkpay/batch"
	"bulkpay/identity"
	"bulkpay/providers"
)

// BalanceLine is one provider account's balance, as `balance --json` writes it.
type BalanceLine struct {
	Provider string `json:"provider"`
	Account  string `json:"account,omitempty"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency,omitempty"`
	// CurrencyAssumed: the provider's answer names no currency (CinetPay's
	// balance); Currency is then the config's currency.
	CurrencyAssumed bool   `json:"currency_assumed,omitempty"`
	Error           string `json:"error,omitempty"`
}

// Balances shows the balances for people; currency is the config's, shown
// where a provider does not say its own.
func Balances(w io.Writer, lines []BalanceLine, currency string) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "provider\taccount\tbalance\tcurrency\t")
	var assumed []string
	for _, l := range lines {
		if l.Error != "" {
			fmt.Fprintf(tw, "%s\t\t%s\t\t\n", l.Provider, "error: "+l.Error)
			continue
		}
		cur := l.Currency
		if l.CurrencyAssumed {
			cur += "*"
			assumed = append(assumed, l.Provider)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", l.Provider, l.Account, batch.Money(l.Amount), cur)
	}
	tw.Flush()
	if len(assumed) > 0 {
		fmt.Fprintf(w, "* %s does not say its balance's currency: shown is the config's currency (%s)\n", strings.Join(assumed, " and "), currency)
	}
}

// ListLine is one batch in `list --json`.
type ListLine struct {
	ID              int64          `json:"batch_id"`
	Reference       string         `json:"reference"`
	Created         time.Time      `json:"created_at"`
	Period          string         `json:"period"`
	Sandbox         bool           `json:"sandbox"`
	Items           int            `json:"items"`
	Counts          map[string]int `json:"counts"`
	TotalAmount     int64          `json:"total_amount"`
	SucceededAmount int64          `json:"succeeded_amount"`
	Charge          int64          `json:"charge"`
}

// NewList is every batch's line, from their summaries.
func NewList(sums []batch.Summary) []ListLine {
	lines := []ListLine{}
	for _, sum := range sums {
		b := sum.Batch
		counts := map[string]int{}
		for _, s := range batch.States {
			if n := sum.Counts[s]; n > 0 {
				counts[string(s)] = n
			}
		}
		lines = append(lines, ListLine{ID: b.ID, Reference: b.Reference, Created: b.CreatedAt, Period: b.Period, Sandbox: b.Sandbox,
			Items: sum.Items, Counts: counts, TotalAmount: sum.TotalAmount, SucceededAmount: sum.SucceededAmount, Charge: b.Charge})
	}
	return lines
}

// List shows the batches for people.
func List(w io.Writer, lines []ListLine) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "id\treference\tcreated\tperiod\titems\tstates\ttotal\tpaid\t")
	for _, l := range lines {
		var parts []string
		for _, s := range batch.States {
			if n := l.Counts[string(s)]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, s))
			}
		}
		ref := l.Reference
		if l.Sandbox {
			ref += " (sandbox)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t\n", l.ID, ref, l.Created.Format("2006-01-02 15:04"), l.Period, l.Items,
			strings.Join(parts, ", "), batch.Money(l.TotalAmount), batch.Money(l.SucceededAmount))
	}
	return tw.Flush()
}

// Review shows the items that need a person, each with its evidence and the
// command that records a decision.
func Review(w io.Writer, b batch.Batch, evidence []batch.Evidence) {
	for _, e := range evidence {
		it := e.Item
		fmt.Fprintf(w, "row %d  %s  %s  %s %s  via %s  reference %s\n", it.Row, it.Name, Phone(it.Phone),
			batch.Money(it.Amount), b.Currency, it.Provider, it.Reference)
		if it.ProviderReference != "" {
			fmt.Fprintf(w, "  provider reference %s\n", it.ProviderReference)
		}
		fmt.Fprintf(w, "  why: %s\n", it.Message)
		for _, at := range e.Attempts {
			fmt.Fprintf(w, "  attempt %d (%s, %s) %s → %s: %s\n", at.ID, at.Kind, at.Provider,
				at.StartedAt.Format(time.RFC3339), at.FinishedAt.Format(time.RFC3339), providers.Or(at.Outcome, "no answer recorded"))
			if at.Request != "" {
				fmt.Fprintf(w, "    request: %s\n", at.Request)
			}
			if at.Response != "" {
				fmt.Fprintf(w, "    answer:  %s\n", at.Response)
			}
		}
		fmt.Fprintf(w, "  decide: bulkpay resolve %s %d --as succeeded|failed --note \"what the provider's records show\"\n\n", b.Reference, it.Row)
	}
	if len(evidence) == 0 {
		fmt.Fprintf(w, "batch %s: nothing to review\n", b.Reference)
	}
}

// Fees shows the profit configurations in force and who bears them; currency
// is the config's, for a configuration that names none.
func Fees(w io.Writer, f batch.Fees, currency string) {
	if len(f.Configs) == 0 {
		fmt.Fprintln(w, "No fees are configured: no charge is added to any payout. Add profit_configurations to the config to charge them (README: Money).")
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tcharge\tcurrency\t")
	for _, c := range f.Configs {
		charge := batch.Money(c.Fee) + " (fixed)"
		if c.UsePercentage {
			charge = c.Percentage + "% of the amount, rounded half up to the franc"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", c.Name, charge, providers.Or(c.Currency, currency))
	}
	tw.Flush()
	fmt.Fprintf(w, "borne by the %s\n", providers.Or(f.Bearer, batch.BearerSender))
}

// NewBalanceLines are the balances asked as `balance` shows them; currency is
// the config's, shown (and marked assumed) where a provider does not say its own.
func NewBalanceLines(bals []batch.AccountBalance, currency string) []BalanceLine {
	lines := []BalanceLine{}
	for _, b := range bals {
		l := BalanceLine{Provider: b.Provider, Account: b.Account, Amount: b.Amount, Currency: b.Currency}
		switch {
		case b.Err != nil:
			l = BalanceLine{Provider: b.Provider, Error: b.Err.Error()}
		case l.Currency == "":
			l.Currency, l.CurrencyAssumed = currency, true
		}
		lines = append(lines, l)
	}
	return lines
}

// Users lists the users: name, role, active or disabled, created.
func Users(w io.Writer, users []identity.User) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tSTATUS\tCREATED")
	for _, u := range users {
		status := "active"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, status, u.Created.Format(time.RFC3339))
	}
	return tw.Flush()
}

// APIKey shows the new API key of user on out, once, and on errw how to
// keep and use it.
func APIKey(out, errw io.Writer, user, key string) {
	fmt.Fprintln(out, key)
	fmt.Fprintf(errw, "API key of %s: shown this once, keep it secret (HTTP Basic, as the user name or the password)\n", user)
}

// CopiedTable is how many rows a table holds in a copied ledger's source
// and in the copy.
type CopiedTable struct {
	Table        string
	Source, Copy int64
}

// Copied shows what copying a ledger copied, table by table, on out and
// each difference its check found on errw.
func Copied(out, errw io.Writer, tables []CopiedTable, differences []string) {
	if len(tables) == 0 {
		return
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "table\tsource\tcopy\t")
	for _, t := range tables {
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", t.Table, t.Source, t.Copy)
	}
	tw.Flush()
	for _, d := range differences {
		fmt.Fprintln(errw, "difference:", d)
	}
}
