package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"bulkpay/batch"
)

func newStatusCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status BATCH",
		Short: "Show a batch's standing: items by state and amounts (BATCH is its id or reference)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := a.loadBatch(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer l.st.Close()
			sum := batch.Summarize(l.b, l.items)
			rec, err := l.st.Reconciliation(cmd.Context(), l.b.ID)
			if err != nil {
				return fmt.Errorf("read reconciliation: %w", err)
			}
			if asJSON {
				return writeStatusJSON(a.stdout, sum, rec)
			}
			printSummary(a.stdout, sum, a.view(cmd.Context(), l.st, l.b, l.items))
			printReconciliation(a.stdout, rec)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
