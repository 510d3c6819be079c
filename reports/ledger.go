package reports

import (
	"context"

	"bulkpay/batch"
)

// FromLedger writes b's reports into root/<reference>/ from what the ledger
// holds of it (see batch.Report), reading its items a page at a time. It
// returns the folder.
func FromLedger(ctx context.Context, st batch.Reader, b batch.Batch, root string) (string, error) {
	d, err := batch.Report(ctx, st, b)
	if err != nil {
		return "", err
	}
	return WriteAll(root, Input{Batch: d.Batch, Items: d.Each, Attempts: d.Attempts,
		Mismatches: d.Reconciliation.Mismatches, Unchecked: d.Reconciliation.Unchecked})
}
