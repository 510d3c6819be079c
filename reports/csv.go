package reports

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"time"

	"bulkpay/batch"
)

// table is a report's rows under a header; every value becomes a cell through
// cell, in the csv files and in the workbook alike.
type table struct {
	header []string
	rows   [][]any
}

// itemsCSV is reconciliation.csv: one line per item, in sheet order.
func itemsCSV(b batch.Batch, items []batch.Item) table {
	t := table{header: []string{"row", "name", "phone", "amount", "charge", "sent", "currency", "provider", "reference",
		"provider_reference", "state", "message", "attempts", "updated_at", "environment"}}
	for _, it := range items {
		t.rows = append(t.rows, []any{it.Row, it.Name, it.Phone, it.Amount, it.Charge, it.Send(), b.Currency, it.Provider,
			it.Reference, it.ProviderReference, it.State, it.Message, it.Attempts, it.UpdatedAt.UTC().Format(time.RFC3339), env(b)})
	}
	return t
}

// mismatchesCSV is mismatches.csv: what reconcile found, each also in words.
func mismatchesCSV(s Summary) table {
	t := table{header: []string{"row", "provider", "kind", "ours", "theirs", "provider_reference", "finding"}}
	for _, m := range s.Mismatches {
		t.rows = append(t.rows, []any{m.Row, m.Provider, m.Kind, m.Ours, m.Theirs, m.Reference, Finding(m, s.Currency)})
	}
	return t
}

// uncheckedCSV is could-not-check.csv: the records reconcile could not read.
func uncheckedCSV(s Summary) table {
	t := table{header: []string{"row", "provider", "provider_reference", "reason", "finding"}}
	for _, u := range s.CouldNotCheck {
		t.rows = append(t.rows, []any{u.Row, u.Provider, u.Reference, u.Reason, UncheckedFinding(u)})
	}
	return t
}

// Dir is where a batch's reports go below the reports directory.
func Dir(root string, b batch.Batch) string {
	return filepath.Join(root, safeName(b.Reference))
}

// WriteCSV writes DIR/<reference>/reconciliation.csv and returns its path.
func WriteCSV(root string, b batch.Batch, items []batch.Item) (string, error) {
	path := filepath.Join(Dir(root, b), "reconciliation.csv")
	return path, writeCSV(path, itemsCSV(b, items))
}

// writeCSV writes a table as csv, atomically, every value through csvCell.
func writeCSV(path string, t table) error {
	return writeAtomic(path, func(f *os.File) error {
		w := csv.NewWriter(f)
		if err := w.Write(t.header); err != nil {
			return err
		}
		line := make([]string, len(t.header))
		for _, r := range t.rows {
			for i, v := range r {
				line[i] = csvCell(v)
			}
			if err := w.Write(line[:len(r)]); err != nil {
				return err
			}
		}
		w.Flush()
		return w.Error()
	})
}

// safeName keeps a reference usable as a directory name.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		ok := c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) == 0 || b[0] == '.' {
		return "_" + string(b)
	}
	return string(b)
}
