// Package ledger is bulkpay's durable record: a SQLite file (WAL, synchronous=FULL)
// or a PostgreSQL database (Open with a postgres:// DSN), holding batches, items,
// attempts and an append-only event trail. It implements batch.Store (every store
// interface batch consumes) and maps the drivers' errors to its own sentinels
// (ErrDiskFull, ErrReadOnly, ErrBusy, ErrUnreachable, ...). Both backends share
// the statements and one migration history, translated for PostgreSQL
// (dialect.go, postgres.go, migrations/README.md); Copy moves a SQLite ledger
// to PostgreSQL.
package ledger
