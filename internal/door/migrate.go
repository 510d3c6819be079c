package door

import (
	"context"

	"bulkpay/ledger"
)

// Migrate copies the SQLite ledger from into the empty PostgreSQL ledger to
// and checks the copy (ledger.Copy); it gives where the copy is, as
// messages name it.
func Migrate(ctx context.Context, from, to string) (rep ledger.CopyReport, dst string, err error) {
	src, err := ledger.Open(ctx, from)
	if err != nil {
		return rep, "", err
	}
	defer src.Close()
	d, err := ledger.Open(ctx, to)
	if err != nil {
		return rep, "", err
	}
	defer d.Close()
	rep, err = ledger.Copy(ctx, src, d)
	return rep, d.Path(), err
}
