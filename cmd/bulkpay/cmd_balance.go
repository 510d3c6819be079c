package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"bulkpay/batch"
)

type balanceLine struct {
	Provider string `json:"provider"`
	Account  string `json:"account,omitempty"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency,omitempty"`
	// CurrencyAssumed: the provider's answer names no currency (CinetPay's
	// balance); Currency is then the config's currency.
	CurrencyAssumed bool   `json:"currency_assumed,omitempty"`
	Error           string `json:"error,omitempty"`
}

func newBalanceCmd(a *app) *cobra.Command {
	var sandboxURL string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "balance",
		Short: "Show each provider's balance (CamPay per carrier)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			p, err := a.connect(ctx, sandboxURL)
			if err != nil {
				return err
			}
			defer p.close()
			var names []string
			for n := range p.lanes {
				names = append(names, n)
			}
			sort.Strings(names)
			var lines []balanceLine
			var failed error
			for _, n := range names {
				bl, ok := p.lanes[n].Provider.(batch.Balancer)
				if !ok {
					continue
				}
				bs, err := bl.Balances(ctx)
				if err != nil {
					lines = append(lines, balanceLine{Provider: n, Error: err.Error()})
					failed = errors.Join(failed, err)
					continue
				}
				for _, b := range bs {
					l := balanceLine{Provider: n, Account: b.Account, Amount: b.Amount, Currency: b.Currency}
					if l.Currency == "" {
						l.Currency, l.CurrencyAssumed = a.cfg.Currency, true
					}
					lines = append(lines, l)
				}
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(lines); err != nil {
					return err
				}
			} else {
				if p.sandbox {
					fmt.Fprintf(a.stdout, "SANDBOX: no real money moves (%s)\n", p.where)
				}
				tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
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
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", l.Provider, l.Account, money(l.Amount), cur)
				}
				tw.Flush()
				if len(assumed) > 0 {
					fmt.Fprintf(a.stdout, "* %s does not say its balance's currency: shown is the config's currency (%s)\n",
						strings.Join(assumed, " and "), a.cfg.Currency)
				}
			}
			return failed
		},
	}
	cmd.Flags().StringVar(&sandboxURL, "sandbox", "", "ask the sandbox at this `URL`")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
