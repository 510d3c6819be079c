package reports

import (
	"bufio"
	"encoding/csv"
	"os"
	"path/filepath"
	"time"

	"bulkpay/batch"
)

// table is a small report's rows under a header; every value becomes a cell
// through cell, in the csv files and in the workbook alike.
type table struct {
	header []string
	rows   [][]any
}

// each gives the rows one by one to row.
func (t table) each(row func([]any) error) error {
	for _, r := range t.rows {
		if err := row(r); err != nil {
			return err
		}
	}
	return nil
}

// itemsHeader is the header of reconciliation.csv: one line per item, in sheet order.
var itemsHeader = []string{"row", "name", "phone", "amount", "charge", "sent", "currency", "provider", "reference",
	"provider_reference", "state", "message", "attempts", "updated_at", "environment"}

// itemLine is an item's line of reconciliation.csv.
func itemLine(b batch.Batch, it batch.Item) []any {
	return []any{it.Row, it.Name, it.Phone, it.Amount, it.Charge, it.Send(), b.Currency, it.Provider,
		it.Reference, it.ProviderReference, it.State, it.Message, it.Attempts, it.UpdatedAt.UTC().Format(time.RFC3339), env(b)}
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
func WriteCSV(root string, b batch.Batch, items Items) (string, error) {
	path := filepath.Join(Dir(root, b), "reconciliation.csv")
	return path, writeCSV(path, itemsHeader, func(row func([]any) error) error {
		return items(func(it batch.Item) error { return row(itemLine(b, it)) })
	})
}

// writeCSV writes csv atomically: the header, then each row rows gives, every
// value through csvCell, straight to the file.
func writeCSV(path string, header []string, rows func(row func([]any) error) error) error {
	return writeAtomic(path, func(f *os.File) error {
		buf := bufio.NewWriterSize(f, 64<<10)
		w := csv.NewWriter(buf)
		if err := w.Write(header); err != nil {
			return err
		}
		line := make([]string, len(header))
		if err := rows(func(r []any) error {
			for i, v := range r {
				line[i] = csvCell(v)
			}
			return w.Write(line[:len(r)])
		}); err != nil {
			return err
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		return buf.Flush()
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
