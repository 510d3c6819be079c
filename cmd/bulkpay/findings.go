package main

import (
	"fmt"
	"io"
	"time"

	"bulkpay/batch"
)

// reconciliationJSON is the latest reconciliation in `status --json`.
type reconciliationJSON struct {
	At         time.Time         `json:"at"`
	Mismatches []batch.Mismatch  `json:"mismatches"`
	Unchecked  []batch.Unchecked `json:"unchecked"`
}

func toReconciliationJSON(rec batch.Reconciliation) *reconciliationJSON {
	if rec.At.IsZero() {
		return nil
	}
	out := &reconciliationJSON{At: rec.At, Mismatches: rec.Mismatches, Unchecked: rec.Unchecked}
	if out.Mismatches == nil {
		out.Mismatches = []batch.Mismatch{}
	}
	if out.Unchecked == nil {
		out.Unchecked = []batch.Unchecked{}
	}
	return out
}

// printReconciliation shows what the batch's latest reconciliation found.
func printReconciliation(w io.Writer, rec batch.Reconciliation) {
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
	for _, m := range rec.Mismatches {
		fmt.Fprintln(w, "MISMATCH "+m.String())
	}
	printUnchecked(w, rec.Unchecked)
}
