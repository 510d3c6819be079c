package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/registry"
)

// Reason says why an item failed or waits for a person, in plain words, with
// the provider's own code beside it.
func Reason(it batch.Item) string {
	msg := strings.TrimPrefix(it.Message, "needs review: ")
	var r providers.Reason
	if p, ok := registry.Lookup(it.Provider); ok {
		r = p.Explain(msg)
	}
	if r.Plain == "" {
		r, _ = providers.ExplainCommon(msg)
	}
	title := registry.Title(it.Provider)
	if r.Plain == "" {
		switch it.State {
		case batch.Failed:
			r.Plain = title + " reported that the payout failed"
		case batch.Review:
			r.Plain = "the outcome could not be settled automatically: check " + title + "'s records"
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
	return fmt.Sprintf("%s (%s: %s)", r.Plain, title, r.Code)
}

// View is what a summary shows beyond the counts.
type View struct {
	Items       []batch.Item
	Retries     batch.Retries
	Interrupted bool // the run was interrupted: the caller gives the one resume hint
	// Next writes the command that does verb on the batch with the flags in use.
	Next func(verb string, extra ...string) string
	// Other writes the command that does verb on another batch (a retry batch).
	Other func(ref, verb string, extra ...string) string
}

func (v View) next(b batch.Batch, verb string, extra ...string) string {
	if v.Next == nil {
		return strings.Join(append([]string{"bulkpay", verb, Quote(b.Reference)}, extra...), " ")
	}
	return v.Next(verb, extra...)
}

func (v View) other(ref, verb string, extra ...string) string {
	if v.Other == nil {
		return strings.Join(append([]string{"bulkpay", verb, Quote(ref)}, extra...), " ")
	}
	return v.Other(ref, verb, extra...)
}

// listed is how many rows a summary lists per section; the report has them all.
const listed = 20

// Summary shows a batch's standing: counts and amounts by state, what failed
// and why, what needs a person, and the commands that deal with them.
func Summary(w io.Writer, sum batch.Summary, v View) {
	b := sum.Batch
	if b.Sandbox {
		fmt.Fprintln(w, "SANDBOX: no real money moves")
	}
	fmt.Fprintf(w, "Batch %s (id %d) from %s: %d items, %s %s\n", b.Reference, b.ID, b.SheetName, sum.Items, batch.Money(sum.TotalAmount), b.Currency)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  state\titems\tamount (%s)\t\n", b.Currency)
	for _, s := range batch.States {
		if n := sum.Counts[s]; n > 0 {
			fmt.Fprintf(tw, "  %s\t%d\t%s\t\n", s, n, batch.Money(sum.Amounts[s]))
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "Paid: %s of %s %s\n", batch.Money(sum.SucceededAmount), batch.Money(sum.TotalAmount), b.Currency)

	var failed, review []batch.Item
	toRetry := 0
	for _, it := range v.Items {
		switch it.State {
		case batch.Failed:
			failed = append(failed, it)
			if v.Retries.Note(it.ID) == "" {
				toRetry++
			}
		case batch.Review:
			review = append(review, it)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(w, "Failed: %d item(s), %s %s\n", len(failed), batch.Money(sum.Amounts[batch.Failed]), b.Currency)
		Rows(w, failed, b.Currency, func(it batch.Item) string {
			if note := v.Retries.Note(it.ID); note != "" {
				return "failed, " + note
			}
			return Reason(it)
		})
		if toRetry > 0 {
			fmt.Fprintf(w, "  To pay them again, each under a new reference linked to the old one: %s\n", v.next(b, "retry", "--failed"))
		}
		for _, ref := range v.Retries.FailedIn() {
			fmt.Fprintf(w, "  Failed again in %s; to pay those again: %s\n", ref, v.other(ref, "retry", "--failed"))
		}
	}
	if len(review) > 0 {
		fmt.Fprintf(w, "Need a person: %d item(s), %s %s: their outcome could not be settled automatically\n", len(review),
			batch.Money(sum.Amounts[batch.Review]), b.Currency)
		Rows(w, review, b.Currency, Reason)
		fmt.Fprintf(w, "  To see the evidence and record a decision: %s\n", v.next(b, "review"))
	}
	if n := sum.Counts[batch.ToConfirm]; n > 0 {
		fmt.Fprintf(w, "Names to confirm: %d item(s), %s %s, wait for an approver: the name registered behind the number is not the sheet's; `bulkpay plan` lists them, `bulkpay confirm %s --row N --note TEXT` lets one be paid\n",
			n, batch.Money(sum.Amounts[batch.ToConfirm]), b.Currency, b.Reference)
	}
	if open := sum.Counts.Open() - sum.Counts[batch.Review] - sum.Counts[batch.ToConfirm]; open > 0 && !v.Interrupted {
		fmt.Fprintf(w, "Not finished: %d item(s) pending or not sent yet: run `%s` later to settle them.\n", open, v.next(b, "resume"))
	}
}

// Retried lists what became of each failed item of items retried since, and
// how to pay again those that failed once more.
func Retried(w io.Writer, b batch.Batch, items []batch.Item, v View) {
	var failed []batch.Item
	for _, it := range items {
		if it.State == batch.Failed {
			failed = append(failed, it)
		}
	}
	Rows(w, failed, b.Currency, func(it batch.Item) string { return "failed, " + v.Retries.Note(it.ID) })
	for _, ref := range v.Retries.FailedIn() {
		fmt.Fprintf(w, "Failed again in %s; to pay those again: %s\n", ref, v.other(ref, "retry", "--failed"))
	}
}

// Rows lists items, at most listed of them, with why for each.
func Rows(w io.Writer, items []batch.Item, currency string, why func(batch.Item) string) {
	width := 0
	for _, it := range items {
		width = max(width, len(batch.Money(it.Amount)))
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for i, it := range items {
		if i == listed {
			break
		}
		fmt.Fprintf(tw, "  row %d\t%s\t%*s %s\t%s\n", it.Row, providers.Shorten(it.Name, 30), width, batch.Money(it.Amount), currency, why(it))
	}
	tw.Flush()
	if len(items) > listed {
		fmt.Fprintf(w, "  ... and %d more: the report lists them all (reconciliation.xlsx, reconciliation.csv)\n", len(items)-listed)
	}
}
