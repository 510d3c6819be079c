package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/providers"
)

func newResolveCmd(a *app) *cobra.Command {
	var as, note, by string
	cmd := &cobra.Command{
		Use:   "resolve BATCH ITEM --as succeeded|failed --note TEXT",
		Short: "Record a person's decision on an item in review (ITEM is its row or reference)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			to := batch.State(as)
			if to != batch.Succeeded && to != batch.Failed {
				return cli.Usagef("--as must be succeeded or failed: say what the provider's records show")
			}
			if strings.TrimSpace(note) == "" {
				return cli.Usagef("--note is required: say what the provider's records show (e.g. --note \"paid per the CamPay dashboard\")")
			}
			st, b, items, err := a.load(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer st.Close()
			d := batch.Decision{To: to, By: providers.Or(by, whoami()), Note: note}
			it, err := batch.Resolve(cmd.Context(), st, items, args[1], d)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "row %d of batch %s: %s (by %s at %s)\n", it.Row, b.Reference, to, d.By, time.Now().UTC().Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "succeeded or failed")
	cmd.Flags().StringVar(&note, "note", "", "why: what the provider's records show")
	cmd.Flags().StringVar(&by, "by", "", "who decides (default: the login name)")
	return cmd
}
