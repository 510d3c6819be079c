package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"bulkpay/batch"
	"bulkpay/ledger"
	"bulkpay/providers"
	"bulkpay/providers/camoo"
	"bulkpay/providers/campay"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/mycoolpay"
)

// explainers say each provider's answers in plain words.
var explainers = map[string]func(string) providers.Reason{
	campay.Name: campay.Explain, cinetpay.Name: cinetpay.Explain, mycoolpay.Name: mycoolpay.Explain, camoo.Name: camoo.Explain,
}

// providerTitles are the providers' names as they write them.
var providerTitles = map[string]string{campay.Name: "CamPay", cinetpay.Name: "CinetPay", mycoolpay.Name: "My-CoolPay", camoo.Name: "Camoo"}

func providerTitle(name string) string { return providers.Or(providerTitles[name], name) }

// reasonFor says why an item failed or waits for a person, in plain words, with
// the provider's own code beside it.
func reasonFor(it batch.Item) string {
	msg := strings.TrimPrefix(it.Message, "needs review: ")
	var r providers.Reason
	if explain := explainers[it.Provider]; explain != nil {
		r = explain(msg)
	}
	if r.Plain == "" {
		r, _ = providers.ExplainCommon(msg)
	}
	if r.Plain == "" {
		switch it.State {
		case batch.Failed:
			r.Plain = providerTitle(it.Provider) + " reported that the payout failed"
		case batch.Review:
			r.Plain = "the outcome could not be settled automatically: check " + providerTitle(it.Provider) + "'s records"
		default:
			r.Plain = string(it.State)
		}
		r.Code = providers.Shorten(msg, 100)
	}
	if it.State == batch.Review && !strings.Contains(r.Plain, "person") {
		r.Plain = "needs a person: " + r.Plain
	}
	if r.Code == "" {
		return r.Plain
	}
	return fmt.Sprintf("%s (%s: %s)", r.Plain, providerTitle(it.Provider), r.Code)
}

// retryStep is one later attempt at a failed item, in a retry batch.
type retryStep struct {
	Batch string      // the retry batch's reference
	State batch.State // the retry item's state there
}

// retries are, for each failed item of a batch, the retry batches that paid it
// again, in order (a retry that failed and was retried in its turn comes
// before its own retry).
type retries map[int64][]retryStep

// note says what became of a retried item: "retried in REF-retry-1 (succeeded)".
func (r retries) note(itemID int64) string {
	steps := r[itemID]
	if len(steps) == 0 {
		return ""
	}
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = fmt.Sprintf("%s (%s)", s.Batch, s.State)
	}
	return "retried in " + strings.Join(parts, ", then in ")
}

// failedIn lists the retry batches where a retried item failed again and was
// not retried since, in the order first seen.
func (r retries) failedIn() []string {
	var out []string
	seen := map[string]bool{}
	for _, steps := range r {
		if last := steps[len(steps)-1]; last.State == batch.Failed && !seen[last.Batch] {
			seen[last.Batch] = true
			out = append(out, last.Batch)
		}
	}
	sort.Strings(out)
	return out
}

// retriesOf finds the retry batches descending from b and what became of each
// of b's failed items there.
func retriesOf(ctx context.Context, st *ledger.Store, b batch.Batch) (retries, error) {
	all, err := st.Batches(ctx)
	if err != nil {
		return nil, err
	}
	children := map[int64][]batch.Batch{}
	for _, other := range all {
		if other.ParentID != 0 {
			children[other.ParentID] = append(children[other.ParentID], other)
		}
	}
	out := retries{}
	var follow func(parent int64, origin map[int64]int64) error
	// origin maps an item of the parent batch to the item of b it pays again
	follow = func(parent int64, origin map[int64]int64) error {
		for _, child := range children[parent] {
			items, err := st.Items(ctx, child.ID)
			if err != nil {
				return err
			}
			next := map[int64]int64{}
			for _, it := range items {
				first, ok := origin[it.RetryOf]
				if !ok {
					continue
				}
				out[first] = append(out[first], retryStep{Batch: child.Reference, State: it.State})
				next[it.ID] = first
			}
			if err := follow(child.ID, next); err != nil {
				return err
			}
		}
		return nil
	}
	items, err := st.Items(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	origin := map[int64]int64{}
	for _, it := range items {
		origin[it.ID] = it.ID
	}
	return out, follow(b.ID, origin)
}

// summaryView is what a summary shows beyond the counts.
type summaryView struct {
	items       []batch.Item
	retries     retries
	interrupted bool // the run was interrupted: the caller gives the one resume hint
	// next writes the command that does verb on the batch with the flags in use.
	next func(verb string, extra ...string) string
	// other writes the command that does verb on another batch (a retry batch).
	other func(ref, verb string, extra ...string) string
}

func (v summaryView) nextFor(ref, verb string, extra ...string) string {
	if v.other == nil {
		return strings.Join(append([]string{"bulkpay", verb, shellQuote(ref)}, extra...), " ")
	}
	return v.other(ref, verb, extra...)
}

// listed is how many rows a summary lists per section; the report has them all.
const listed = 20

func printSummary(w io.Writer, sum batch.Summary, v summaryView) {
	b := sum.Batch
	if b.Sandbox {
		fmt.Fprintln(w, "SANDBOX: no real money moves")
	}
	fmt.Fprintf(w, "Batch %s (id %d) from %s: %d items, %s %s\n", b.Reference, b.ID, b.SheetName, sum.Items, money(sum.TotalAmount), b.Currency)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  state\titems\tamount (%s)\t\n", b.Currency)
	for _, s := range batch.States {
		if n := sum.Counts[s]; n > 0 {
			fmt.Fprintf(tw, "  %s\t%d\t%s\t\n", s, n, money(sum.Amounts[s]))
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "Paid: %s of %s %s\n", money(sum.SucceededAmount), money(sum.TotalAmount), b.Currency)
	next := v.next
	if next == nil {
		next = func(verb string, extra ...string) string {
			return strings.Join(append([]string{"bulkpay", verb, shellQuote(b.Reference)}, extra...), " ")
		}
	}

	var failed, review []batch.Item
	toRetry := 0
	for _, it := range v.items {
		switch it.State {
		case batch.Failed:
			failed = append(failed, it)
			if v.retries.note(it.ID) == "" {
				toRetry++
			}
		case batch.Review:
			review = append(review, it)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(w, "Failed: %d item(s), %s %s\n", len(failed), money(sum.Amounts[batch.Failed]), b.Currency)
		printRows(w, failed, b.Currency, func(it batch.Item) string {
			if note := v.retries.note(it.ID); note != "" {
				return "failed, " + note
			}
			return reasonFor(it)
		})
		if toRetry > 0 {
			fmt.Fprintf(w, "  To pay them again, each under a new reference linked to the old one: %s\n", next("retry", "--failed"))
		}
		for _, ref := range v.retries.failedIn() {
			fmt.Fprintf(w, "  Failed again in %s; to pay those again: %s\n", ref, v.nextFor(ref, "retry", "--failed"))
		}
	}
	if len(review) > 0 {
		fmt.Fprintf(w, "Need a person: %d item(s), %s %s: their outcome could not be settled automatically\n", len(review),
			money(sum.Amounts[batch.Review]), b.Currency)
		printRows(w, review, b.Currency, reasonFor)
		fmt.Fprintf(w, "  To see the evidence and record a decision: %s\n", next("review"))
	}
	if open := sum.Counts.Open() - sum.Counts[batch.Review]; open > 0 && !v.interrupted {
		fmt.Fprintf(w, "Not finished: %d item(s) pending or not sent yet: run `%s` later to settle them.\n", open, next("resume"))
	}
}

// printRows lists items, at most listed of them, with why for each.
func printRows(w io.Writer, items []batch.Item, currency string, why func(batch.Item) string) {
	width := 0
	for _, it := range items {
		width = max(width, len(money(it.Amount)))
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for i, it := range items {
		if i == listed {
			break
		}
		fmt.Fprintf(tw, "  row %d\t%s\t%*s %s\t%s\n", it.Row, providers.Shorten(it.Name, 30), width, money(it.Amount), currency, why(it))
	}
	tw.Flush()
	if len(items) > listed {
		fmt.Fprintf(w, "  ... and %d more: the report lists them all (reconciliation.xlsx, reconciliation.csv)\n", len(items)-listed)
	}
}
