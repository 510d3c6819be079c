package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/sheet"
)

type planLine struct {
	Name     string `json:"name"`
	Operator string `json:"operator,omitempty"`
	Items    int    `json:"items"`
	Amount   int64  `json:"amount"`
	Fees     int64  `json:"fees"`
}

type planJSON struct {
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
	Providers   []planLine       `json:"providers"`
	Operators   []planLine       `json:"operators"`
	Balances    []need           `json:"balances"`
	BalanceOK   bool             `json:"balance_ok"`
	Errors      []batch.RowError `json:"errors"`
}

func newPlanCmd(a *app) *cobra.Command {
	var pf planFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plan SHEET",
		Short: "Show what a run would do and what it costs, and store the plan for approval; moves no money",
		Long: `Validate SHEET and print what run would do: per provider and operator the count,
amount and fees; totals; rejected rows; whether the provider balances cover it; and the
plan hash (over the rows, their routes and their charges). The planned batch is stored
in the ledger (nothing is sent) so that it can be approved: bulkpay approve REF --by NAME.
Exit 0 when the plan could run, 2 when the input is invalid.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			path := args[0]
			p, err := a.planSheet(ctx, &pf, path)
			var he *sheet.HeaderError
			if err != nil && !errors.As(err, &he) {
				return err
			}
			out := planJSON{Reference: pf.reference, Rows: p.sc.Rows, Valid: p.sc.Valid, Invalid: p.sc.Invalid,
				TotalAmount: p.sc.TotalAmount, FeesTotal: p.b.Charge, Bearer: providers.Or(p.b.Fees.Bearer, batch.BearerSender),
				Period: p.b.Period, PlanHash: p.b.PlanHash, Errors: p.sc.Errors, BalanceOK: true}
			if out.Errors == nil {
				out.Errors = []batch.RowError{}
			}
			fees := a.cfg.fees()
			provs, ops := map[string]*planLine{}, map[string]*planLine{}
			for _, it := range p.items {
				out.Cost += fees.Cost(it.Amount, it.Charge)
				tally(provs, it.Provider, planLine{Name: it.Provider}, it)
				tally(ops, it.Provider+"/"+it.Operator, planLine{Name: it.Provider, Operator: it.Operator}, it)
			}
			out.Providers, out.Operators = sorted(provs), sorted(ops)
			invalid := err != nil || len(p.sc.Errors) > 0
			if !invalid && len(p.items) > 0 {
				st, err := a.openLedger(ctx)
				if err != nil {
					return err
				}
				defer st.Close()
				b, _, err := a.store(ctx, st, p, path, pf.allowRepeat, true)
				if err != nil {
					return err
				}
				items, err := st.Items(ctx, b.ID)
				if err != nil {
					return err
				}
				pay, err := a.connect(ctx, pf.sandboxURL)
				if err != nil {
					return err
				}
				defer pay.close()
				a.sandboxFees = pay.sandbox
				if out.Balances, err = a.checkBalances(ctx, pay.lanes, items); err != nil {
					return err
				}
				out.BalanceOK = !short(out.Balances)
			}
			if out.Balances == nil {
				out.Balances = []need{}
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(out); err != nil {
					return err
				}
			} else {
				printPlan(a.stdout, path, out, a.cfg.Currency)
			}
			if invalid {
				return errInvalid
			}
			return nil
		},
	}
	pf.register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	return cmd
}

func tally(m map[string]*planLine, key string, zero planLine, it batch.Item) {
	l := m[key]
	if l == nil {
		l = &zero
		m[key] = l
	}
	l.Items++
	l.Amount += it.Amount
	l.Fees += it.Charge
}

func sorted(m map[string]*planLine) []planLine {
	out := make([]planLine, 0, len(m))
	for _, l := range m {
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Operator < out[j].Operator
	})
	return out
}

func printPlan(w io.Writer, path string, p planJSON, currency string) {
	fmt.Fprintf(w, "Plan for batch %s (period %s): %d row(s), %d valid, %d invalid\n", p.Reference, p.Period, p.Rows, p.Valid, p.Invalid)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  provider\toperator\titems\tamount\tfees\t\n")
	for _, l := range p.Operators {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t\n", l.Name, l.Operator, l.Items, money(l.Amount), money(l.Fees))
	}
	tw.Flush()
	fmt.Fprintf(w, "Total %s %s, fees %s (borne by the %s), cost to the organisation %s\n", money(p.TotalAmount), currency,
		money(p.FeesTotal), p.Bearer, money(p.Cost))
	if len(p.Balances) > 0 {
		fmt.Fprintln(w, "Balances:")
		printNeeds(w, p.Balances, currency)
		if !p.BalanceOK {
			fmt.Fprintln(w, "  SHORT: run would refuse unless the accounts are funded (or --allow-partial)")
		}
	}
	for _, e := range p.Errors {
		fmt.Fprintln(w, "  "+e.Error())
	}
	fmt.Fprintf(w, "Plan hash %s\n", p.PlanHash)
}

func newApproveCmd(a *app) *cobra.Command {
	var by, note string
	cmd := &cobra.Command{
		Use:   "approve BATCH --by NAME [--note TEXT]",
		Short: "Approve a planned batch's exact plan hash (needed by run when require_approval is set)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if by == "" {
				return usagef("--by NAME is required: an approval names its approver")
			}
			ctx := cmd.Context()
			l, err := a.loadBatch(ctx, args[0])
			if err != nil {
				return err
			}
			defer l.st.Close()
			// the batch's stored rules, made stricter by the config given now
			pol := l.b.Policy.Or(a.cfg.policy())
			recorded, err := l.st.Planners(ctx, l.b.ID)
			if err != nil {
				return fmt.Errorf("read who planned batch %s: %w", l.b.Reference, err)
			}
			if err := batch.CheckApprove(l.b, l.items, pol, batch.Planners(l.b, recorded), by); err != nil {
				a.note(ctx, l.st, l.b.ID, "approval refused", by+": "+err.Error())
				return err
			}
			if pol != l.b.Policy {
				if err := l.st.RecordPolicy(ctx, l.b.ID, pol, by); err != nil {
					return err
				}
			}
			if login := whoami(); login != by {
				note = strings.TrimSpace(note + " (login " + login + ")")
			}
			ap := batch.Approval{Hash: l.b.PlanHash, By: by, At: timeNow()}
			if err := l.st.Approve(ctx, l.b.ID, ap, note); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "batch %s approved by %s: plan hash %s, %d items, %s %s, fees %s\n", l.b.Reference, by, ap.Hash,
				len(l.items), money(l.b.TotalAmount), l.b.Currency, money(l.b.Charge))
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "by", "", "who approves")
	cmd.Flags().StringVar(&note, "note", "", "why, or against what (e.g. the signed payroll summary)")
	return cmd
}

func newFeesCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "fees",
		Short: "List the profit configurations in force and who bears them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := a.cfg.fees()
			if f.Bearer == "" {
				f.Bearer = batch.BearerSender
			}
			if asJSON {
				if f.Configs == nil {
					f.Configs = []batch.ProfitConfig{}
				}
				return json.NewEncoder(a.stdout).Encode(f)
			}
			if len(f.Configs) == 0 {
				fmt.Fprintln(a.stdout, "No fees are configured: no charge is added to any payout. Add profit_configurations to the config to charge them (README: Money).")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "name\tcharge\tcurrency\t")
			for _, c := range f.Configs {
				charge := money(c.Fee) + " (fixed)"
				if c.UsePercentage {
					charge = c.Percentage + "% of the amount, rounded half up to the franc"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t\n", c.Name, charge, providers.Or(c.Currency, a.cfg.Currency))
			}
			tw.Flush()
			fmt.Fprintf(a.stdout, "borne by the %s\n", f.Bearer)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
