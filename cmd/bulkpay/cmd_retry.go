package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

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
				return usagef("say what to retry: bulkpay retry %s --failed", args[0])
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
			retried := map[int64]string{} // item → the retry batch that pays it again
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
					retried[it.RetryOf] = other.Reference
				}
			}
			rb := batch.Batch{Reference: fmt.Sprintf("%s-retry-%d", l.b.Reference, n), SheetName: l.b.SheetName,
				Currency: l.b.Currency, Sandbox: l.b.Sandbox, Period: l.b.Period, ParentID: l.b.ID}
			var items []batch.Item
			already := map[string]int{} // retry batch → failed items of this batch it pays again
			for _, it := range l.items {
				if it.State != batch.Failed {
					continue
				}
				if ref, ok := retried[it.ID]; ok {
					already[ref]++
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
				if len(already) == 0 {
					fmt.Fprintf(a.stdout, "batch %s has no failed item: nothing to retry\n", l.b.Reference)
					return nil
				}
				fmt.Fprintf(a.stdout, "batch %s: every failed item was already retried (%s); nothing is paid twice.\n",
					l.b.Reference, alreadyIn(already))
				printRetried(a.stdout, l, a.view(ctx, l.st, l.b, l.items))
				return nil
			}
			if len(already) > 0 {
				a.say("%s; the other failed items are paid again in %s", alreadyIn(already), rb.Reference)
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
			err = a.pay(ctx, l.st, rb, sandboxURL, asJSON)
			// the original batch's report says where its failed items went
			if _, rerr := a.writeReports(context.WithoutCancel(ctx), l.st, l.b, l.items, a.cfg.ReportsDir); rerr != nil {
				a.log.Warn("could not rewrite the original batch's report", "batch", l.b.Reference, "err", rerr)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&failed, "failed", false, "pay the failed items again")
	cmd.Flags().StringVar(&sandboxURL, "sandbox", "", "pay through the sandbox at this `URL`")
	a.registerChangeEndpoint(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the retry batch's status as JSON at the end")
	return cmd
}

// alreadyIn says which retry batches already pay failed items again:
// "2 in paie-retry-1, 1 in paie-retry-2".
func alreadyIn(already map[string]int) string {
	refs := make([]string, 0, len(already))
	for ref := range already {
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	parts := make([]string, len(refs))
	for i, ref := range refs {
		parts[i] = fmt.Sprintf("%d in %s", already[ref], ref)
	}
	return strings.Join(parts, ", ")
}

// printRetried lists what became of each failed item retried, and how to pay
// again those that failed once more.
func printRetried(w io.Writer, l *loaded, v summaryView) {
	var failed []batch.Item
	for _, it := range l.items {
		if it.State == batch.Failed {
			failed = append(failed, it)
		}
	}
	printRows(w, failed, l.b.Currency, func(it batch.Item) string { return "failed, " + v.retries.note(it.ID) })
	for _, ref := range v.retries.failedIn() {
		fmt.Fprintf(w, "Failed again in %s; to pay those again: %s\n", ref, v.nextFor(ref, "retry", "--failed"))
	}
}
