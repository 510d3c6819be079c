package main

import (
	"context"
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
		PreRunE: func(*cobra.Command, []string) error {
			if to := batch.State(as); to != batch.Succeeded && to != batch.Failed {
				return cli.Usagef("--as must be succeeded or failed: say what the provider's records show")
			}
			if strings.TrimSpace(note) == "" {
				return cli.Usagef("--note is required: say what the provider's records show (e.g. --note \"paid per the CamPay dashboard\")")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.onBatch(func(ctx context.Context, st batch.Store, b batch.Batch, items []batch.Item) error {
				d := batch.Decision{To: batch.State(as), By: providers.Or(by, cli.Login()), Note: note}
				it, err := batch.Resolve(ctx, st, items, args[1], d)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "row %d of batch %s: %s (by %s at %s)\n", it.Row, b.Reference, d.To, d.By, time.Now().UTC().Format(time.RFC3339))
				return nil
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "succeeded or failed")
	cmd.Flags().StringVar(&note, "note", "", "why: what the provider's records show")
	cmd.Flags().StringVar(&by, "by", "", "who decides (default: the login name)")
	return cmd
}
