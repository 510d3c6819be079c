package reports

import (
	"context"

	"bulkpay/batch"
)

// FromLedger writes b's reports into root/<reference>/ from what the ledger
// holds of it (see batch.Report), reading its items a page at a time, with
// its links when it has any (links.csv, and their totals in summary.json).
// It returns the folder.
func FromLedger(ctx context.Context, st batch.Reader, b batch.Batch, root string) (string, error) {
	d, err := batch.Report(ctx, st, b)
	if err != nil {
		return "", err
	}
	in := Input{Batch: d.Batch, Items: d.Each, Attempts: d.Attempts,
		Mismatches: d.Reconciliation.Mismatches, Unchecked: d.Reconciliation.Unchecked}
	if ns, ok := st.(batch.NameStore); ok {
		if in.Names, err = ns.NameChecks(ctx, b.ID); err != nil {
			return "", err
		}
	}
	if ls, ok := st.(batch.LinkStore); ok {
		if in.Links, err = ls.Links(ctx, b.ID); err != nil {
			return "", err
		}
		if len(in.Links) > 0 {
			if in.Messages, err = ls.Messages(ctx, b.ID); err != nil {
				return "", err
			}
		}
	}
	return WriteAll(root, in)
}
