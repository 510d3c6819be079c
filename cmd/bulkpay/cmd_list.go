package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
)

type listLine struct {
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

func newListCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the batches in the ledger: reference, created, state counts, amounts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, err := a.openLedger(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			bs, err := st.Batches(ctx)
			if err != nil {
				return err
			}
			var lines []listLine
			for _, b := range bs {
				items, err := st.Items(ctx, b.ID)
				if err != nil {
					return err
				}
				sum := batch.Summarize(b, items)
				counts := map[string]int{}
				for _, s := range batch.States {
					if n := sum.Counts[s]; n > 0 {
						counts[string(s)] = n
					}
				}
				lines = append(lines, listLine{ID: b.ID, Reference: b.Reference, Created: b.CreatedAt, Period: b.Period, Sandbox: b.Sandbox,
					Items: sum.Items, Counts: counts, TotalAmount: sum.TotalAmount, SucceededAmount: sum.SucceededAmount, Charge: b.Charge})
			}
			if asJSON {
				if lines == nil {
					lines = []listLine{}
				}
				return json.NewEncoder(a.stdout).Encode(lines)
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
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
					strings.Join(parts, ", "), money(l.TotalAmount), money(l.SucceededAmount))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
