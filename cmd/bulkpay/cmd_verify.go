package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"bulkpay/batch"
)

// errFindings: verify found broken invariants.
var errFindings = errors.New("the ledger breaks its invariants")

func newVerifyCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "verify BATCH",
		Short: "Check the ledger's invariants for a batch (legal state paths, one payout per item, sums); exit 1 with findings",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := a.loadBatch(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer l.st.Close()
			findings, err := batch.Verify(cmd.Context(), l.st, l.b)
			if err != nil {
				return err
			}
			for _, f := range findings {
				fmt.Fprintln(a.stdout, f)
			}
			if len(findings) > 0 {
				return fmt.Errorf("%w: %d finding(s) in batch %s", errFindings, len(findings), l.b.Reference)
			}
			fmt.Fprintf(a.stdout, "batch %s: %d items, ledger consistent\n", l.b.Reference, len(l.items))
			return nil
		},
	}
}
