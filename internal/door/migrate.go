package door

import (
	"context"

	"bulkpay/internal/render"
	"bulkpay/ledger"
)

// Migrated is what Migrate copied and what its check found.
type Migrated struct {
	Tables      []render.CopiedTable
	Items       int      // items compared one by one
	Differences []string // what differs, item by item
	To          string   // where the copy is, as messages name it
}

// Migrate copies the SQLite ledger from into the empty PostgreSQL ledger to
// and checks the copy (ledger.Copy).
func Migrate(ctx context.Context, from, to string) (Migrated, error) {
	src, err := ledger.Open(ctx, from)
	if err != nil {
		return Migrated{}, err
	}
	defer src.Close()
	d, err := ledger.Open(ctx, to)
	if err != nil {
		return Migrated{}, err
	}
	defer d.Close()
	rep, err := ledger.Copy(ctx, src, d)
	m := Migrated{Items: rep.Items, Differences: rep.Differences, To: d.Path()}
	for _, t := range rep.Tables {
		m.Tables = append(m.Tables, render.CopiedTable{Table: t.Table, Source: t.Source, Copy: t.Copy})
	}
	return m, err
}
