// Package ledger is bulkpay's durable record: a SQLite file (WAL, synchronous=FULL)
// holding batches, items, attempts and an append-only event trail. It implements
// batch.Store (every store interface batch consumes) and maps the driver's
// errors to its own sentinels (ErrDiskFull, ErrReadOnly, ErrBusy, ...).
package ledger
