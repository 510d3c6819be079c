package render

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"bulkpay/batch"
)

// StatusJSON is `status --json`, and what run, resume and retry print with --json.
type StatusJSON struct {
	BatchID         int64          `json:"batch_id"`
	Reference       string         `json:"reference"`
	Items           int            `json:"items"`
	Counts          map[string]int `json:"counts"`
	TotalAmount     int64          `json:"total_amount"`
	SucceededAmount int64          `json:"succeeded_amount"`
	// Reconciliation is what the latest `bulkpay reconcile` found; absent when
	// the batch was never reconciled.
	Reconciliation *ReconciliationJSON `json:"reconciliation,omitempty"`
	// Links are the batch's links by status and the messages sent about
	// them; absent when it pays nobody by link.
	Links *LinksJSON `json:"links,omitempty"`
}

// LinksJSON is a batch's links in `status --json`.
type LinksJSON struct {
	Counts         map[string]int   `json:"counts"`  // by status: sent, claimed, processed, expired
	Amounts        map[string]int64 `json:"amounts"` // by status
	MessagesSent   int              `json:"messages_sent"`
	MessagesFailed int              `json:"messages_failed"`
	MessagesCost   int64            `json:"messages_cost"`
	MessagesCharge int64            `json:"messages_charge"`
	BatchCharge    int64            `json:"batch_charge"` // the payouts' fees and the messages' charge
}

// ReconciliationJSON is the latest reconciliation in `status --json`.
type ReconciliationJSON struct {
	At         time.Time         `json:"at"`
	Mismatches []batch.Mismatch  `json:"mismatches"`
	Unchecked  []batch.Unchecked `json:"unchecked"`
}

// Status writes a batch's standing as JSON, with its latest reconciliation.
func Status(w io.Writer, sum batch.Summary, rec batch.Reconciliation) error {
	return StatusWithLinks(w, sum, rec, batch.LinkTotals{})
}

// StatusWithLinks is Status with the batch's links, when it has any.
func StatusWithLinks(w io.Writer, sum batch.Summary, rec batch.Reconciliation, links batch.LinkTotals) error {
	counts := map[string]int{}
	for _, s := range batch.States {
		counts[string(s)] = sum.Counts[s]
	}
	out := StatusJSON{BatchID: sum.Batch.ID, Reference: sum.Batch.Reference, Items: sum.Items,
		Counts: counts, TotalAmount: sum.TotalAmount, SucceededAmount: sum.SucceededAmount}
	if !rec.At.IsZero() {
		out.Reconciliation = &ReconciliationJSON{At: rec.At, Mismatches: rec.Mismatches, Unchecked: rec.Unchecked}
		if out.Reconciliation.Mismatches == nil {
			out.Reconciliation.Mismatches = []batch.Mismatch{}
		}
		if out.Reconciliation.Unchecked == nil {
			out.Reconciliation.Unchecked = []batch.Unchecked{}
		}
	}
	if len(links.Links) > 0 {
		l := &LinksJSON{Counts: map[string]int{}, Amounts: map[string]int64{}, MessagesSent: links.Messages,
			MessagesFailed: links.Failed, MessagesCost: links.Cost, MessagesCharge: links.Charge,
			BatchCharge: sum.Batch.Charge + links.Charge}
		for _, st := range batch.LinkStatuses {
			l.Counts[string(st)] = links.Links[st].Items
			l.Amounts[string(st)] = links.Links[st].Amount
		}
		out.Links = l
	}
	return JSON(w, out)
}

// JSON writes v as one line of JSON, with <, > and & as they are.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Reconciliation shows what the batch's latest reconciliation found.
func Reconciliation(w io.Writer, rec batch.Reconciliation) {
	if rec.At.IsZero() {
		fmt.Fprintln(w, "Not reconciled yet: `bulkpay reconcile BATCH` compares it with the providers' own records.")
		return
	}
	at := rec.At.Local().Format("2006-01-02 15:04")
	if len(rec.Mismatches) == 0 && len(rec.Unchecked) == 0 {
		fmt.Fprintf(w, "Reconciled %s: the providers' records agree with the ledger.\n", at)
		return
	}
	fmt.Fprintf(w, "Reconciled %s: %d mismatch(es), %d item(s) could not be checked.\n", at, len(rec.Mismatches), len(rec.Unchecked))
	Findings(w, rec.Mismatches, rec.Unchecked)
}

// Findings lists mismatches, then the records that could not be checked.
func Findings(w io.Writer, mism []batch.Mismatch, unchecked []batch.Unchecked) {
	for _, m := range mism {
		fmt.Fprintln(w, "MISMATCH "+m.String())
	}
	for _, u := range unchecked {
		fmt.Fprintln(w, "COULD NOT CHECK "+u.String())
	}
}

// Reconciled says how a reconciliation ended, after its findings: err is its
// outcome (batch.ReconcileOutcome), again the command that reconciles again.
func Reconciled(w io.Writer, b batch.Batch, rec batch.Reconciliation, err error, again string) {
	switch {
	case len(rec.Mismatches) == 0 && len(rec.Unchecked) > 0:
		fmt.Fprintf(w, "batch %s is not reconciled: %d record(s) could not be checked; no mismatch was found in the others. Run `%s` again later.\n",
			b.Reference, len(rec.Unchecked), again)
	case err == nil:
		fmt.Fprintf(w, "batch %s: the providers' records agree with the ledger\n", b.Reference)
	}
}
