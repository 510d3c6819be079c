package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/render"
)

func newStatusCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status BATCH",
		Short: "Show a batch's standing: items by state and amounts (BATCH is its id or reference)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, b, items, err := a.load(ctx, args[0])
			if err != nil {
				return err
			}
			defer st.Close()
			sum := batch.Summarize(b, items)
			rec, err := st.Reconciliation(ctx, b.ID)
			if err != nil {
				return fmt.Errorf("read reconciliation: %w", err)
			}
			if asJSON {
				return render.Status(a.stdout, sum, rec)
			}
			retries, err := batch.RetriesOf(ctx, st, b)
			if err != nil {
				a.log.Warn("could not read the retry batches", "batch", b.Reference, "err", err)
			}
			render.Summary(a.stdout, sum, a.view(b, items, retries, ""))
			render.Reconciliation(a.stdout, rec)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
