package render

import (
	"fmt"
	"io"
	"text/tabwriter"

	"bulkpay/batch"
	"bulkpay/providers"
)

// PlanLine is one provider's, or one provider and carrier's, share of a plan.
type PlanLine struct {
	Name     string `json:"name"`
	Operator string `json:"operator,omitempty"`
	Items    int    `json:"items"`
	Amount   int64  `json:"amount"`
	Fees     int64  `json:"fees"`
}

// PlanJSON is `plan --json`: what a run would do and cost.
type PlanJSON struct {
	Reference   string           `json:"reference"`
	Rows        int              `json:"rows"`
	Valid       int              `json:"valid"`
	Invalid     int              `json:"invalid"`
	TotalAmount int64            `json:"total_amount"`
	FeesTotal   int64            `json:"fees_total"`
	Cost        int64            `json:"cost"`
	Bearer      string           `json:"bearer"`
	Period      string           `json:"period"`
	PlanHash    string           `json:"plan_hash"`
	Providers   []PlanLine       `json:"providers"`
	Operators   []PlanLine       `json:"operators"`
	Balances    []batch.Need     `json:"balances"`
	BalanceOK   bool             `json:"balance_ok"`
	Errors      []batch.RowError `json:"errors"`
	Names       *NamesJSON       `json:"names,omitempty"` // the name check, when the policy is not off
	ByLink      int              `json:"by_link"`         // items paid by link: reserved until claimed
}

// NewPlanJSON sums a planned sheet per provider and per carrier, with what it
// costs the organisation under fees and the balances checked (nil: none).
func NewPlanJSON(p batch.PlannedSheet, fees batch.Fees, needs []batch.Need) PlanJSON {
	out := PlanJSON{Reference: p.Batch.Reference, Rows: p.Tally.Rows, Valid: p.Tally.Valid, Invalid: p.Tally.Invalid,
		TotalAmount: p.Tally.TotalAmount, FeesTotal: p.Batch.Charge, Bearer: providers.Or(p.Batch.Fees.Bearer, batch.BearerSender),
		Period: p.Batch.Period, PlanHash: p.Batch.PlanHash, Errors: p.Tally.Errors, Balances: needs, BalanceOK: !batch.Short(needs)}
	if out.Errors == nil {
		out.Errors = []batch.RowError{}
	}
	if out.Balances == nil {
		out.Balances = []batch.Need{}
	}
	out.Cost, out.ByLink = p.Cost, p.Links
	out.Providers, out.Operators = []PlanLine{}, make([]PlanLine, 0, len(p.Lines))
	for _, l := range p.Lines { // by provider, then carrier
		out.Operators = append(out.Operators, PlanLine{Name: l.Provider, Operator: l.Operator, Items: l.Items, Amount: l.Amount, Fees: l.Charge})
		if n := len(out.Providers); n == 0 || out.Providers[n-1].Name != l.Provider {
			out.Providers = append(out.Providers, PlanLine{Name: l.Provider})
		}
		t := &out.Providers[len(out.Providers)-1]
		t.Items, t.Amount, t.Fees = t.Items+l.Items, t.Amount+l.Amount, t.Fees+l.Charge
	}
	return out
}

// Plan shows a plan for people.
func Plan(w io.Writer, p PlanJSON, currency string) {
	fmt.Fprintf(w, "Plan for batch %s (period %s): %d row(s), %d valid, %d invalid\n", p.Reference, p.Period, p.Rows, p.Valid, p.Invalid)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  provider\toperator\titems\tamount\tfees\t\n")
	for _, l := range p.Operators {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t\n", l.Name, l.Operator, l.Items, batch.Money(l.Amount), batch.Money(l.Fees))
	}
	tw.Flush()
	fmt.Fprintf(w, "Total %s %s, fees %s (borne by the %s), cost to the organisation %s\n", batch.Money(p.TotalAmount), currency,
		batch.Money(p.FeesTotal), p.Bearer, batch.Money(p.Cost))
	if p.ByLink > 0 {
		fmt.Fprintf(w, "%d item(s) paid by link: the money is reserved, and each is paid once its beneficiary claims it (bulkpay links)\n", p.ByLink)
	}
	if len(p.Balances) > 0 {
		fmt.Fprintln(w, "Balances:")
		Needs(w, p.Balances, currency)
		if !p.BalanceOK {
			fmt.Fprintln(w, "  SHORT: run would refuse unless the accounts are funded (or --allow-partial)")
		}
	}
	for _, e := range p.Errors {
		fmt.Fprintln(w, "  "+e.Error())
	}
	Names(w, p.Names)
	fmt.Fprintf(w, "Plan hash %s\n", p.PlanHash)
}

// Needs shows what each provider account must pay against what it holds.
func Needs(w io.Writer, needs []batch.Need, currency string) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  provider\taccount\titems\tneeded\tavailable\tshortfall\t\n")
	for _, n := range needs {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\t\n", n.Provider, n.Account, n.Items, batch.Money(n.Needed), batch.Money(n.Available), batch.Money(n.Shortfall))
	}
	tw.Flush()
	fmt.Fprintf(w, "  (amounts in %s)\n", currency)
}
