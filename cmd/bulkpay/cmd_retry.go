package main

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"bulkpay/batch"
)

func newRetryCmd(a *app) *cobra.Command {
	var failed, asJSON bool
	var sandboxURL string
	cmd := &cobra.Command{
		Use:   "retry BATCH --failed",
		Short: "Pay a batch's failed items again, on purpose: a new batch of new references, each linked to the item it retries",
		Long: `Failed items stay failed: their history is kept as it was. retry --failed plans a new
batch REF-retry-N with one new item per failed item (a new reference, linked to the old
item), records the decision in both batches' events, and pays it like run does.
Items already retried by an earlier retry batch are not paid again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if !failed {
				return fmt.Errorf("%w: say what to retry: --failed", errInvalid)
			}
			l, err := a.loadBatch(ctx, args[0])
			if err != nil {
				return err
			}
			defer l.st.Close()
			all, err := l.st.Batches(ctx)
			if err != nil {
				return err
			}
			retried := map[int64]bool{}
			n := 1
			for _, other := range all {
				if other.ParentID != l.b.ID {
					continue
				}
				n++
				items, err := l.st.Items(ctx, other.ID)
				if err != nil {
					return err
				}
				for _, it := range items {
					retried[it.RetryOf] = true
				}
			}
			rb := batch.Batch{Reference: fmt.Sprintf("%s-retry-%d", l.b.Reference, n), SheetName: l.b.SheetName,
				Currency: l.b.Currency, Sandbox: l.b.Sandbox, Period: l.b.Period, ParentID: l.b.ID}
			var items []batch.Item
			for _, it := range l.items {
				if it.State != batch.Failed || retried[it.ID] {
					continue
				}
				again := it
				again.ID, again.State, again.Attempts, again.Message = 0, batch.Planned, 0, ""
				again.ProviderReference, again.ProviderFee, again.ProviderNet = "", 0, 0
				again.Reference, again.RetryOf = uuid.NewString(), it.ID
				items = append(items, again)
				rb.TotalAmount += it.Amount
			}
			if len(items) == 0 {
				fmt.Fprintf(a.stdout, "batch %s has no failed item that is not retried already\n", l.b.Reference)
				return nil
			}
			rb.SheetHash = "retry:" + l.b.SheetHash
			if err := l.st.CreateBatch(ctx, &rb, items); err != nil {
				return fmt.Errorf("create retry batch: %w", err)
			}
			who := whoami()
			detail := fmt.Sprintf("%d failed item(s), %s %s, by %s", len(items), money(rb.TotalAmount), rb.Currency, who)
			if err := l.st.Note(ctx, l.b.ID, "failed items retried in batch "+rb.Reference, detail); err != nil {
				return err
			}
			if err := l.st.Note(ctx, rb.ID, "retry of batch "+l.b.Reference, detail); err != nil {
				return err
			}
			a.say("planned batch %s: %s", rb.Reference, detail)
			return a.pay(ctx, l.st, rb, sandboxURL, asJSON)
		},
	}
	cmd.Flags().BoolVar(&failed, "failed", false, "pay the failed items again")
	cmd.Flags().StringVar(&sandboxURL, "sandbox", "", "pay through the sandbox at this URL")
	a.registerChangeEndpoint(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the retry batch's status as JSON at the end")
	return cmd
}
