package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Moving a ledger from a SQLite file to PostgreSQL (bulkpay ledger migrate):
// every table copied in id order with its ids, in one transaction on the
// target, then every item compared.

// ErrTargetNotEmpty: a ledger is copied only into an empty one.
var ErrTargetNotEmpty = errors.New("the target ledger is not empty")

// ErrCopyDiffers: the copy does not hold what the source does.
var ErrCopyDiffers = errors.New("the copied ledger differs from its source")

// TableCount is how many rows a table holds in the source and in the copy.
type TableCount struct {
	Table        string
	Source, Copy int64
}

// CopyReport says what Copy copied and what its check found.
type CopyReport struct {
	Tables      []TableCount
	Items       int      // items compared one by one
	Differences []string // what differs, item by item ("" when none)
}

// copyChunk bounds the rows of one INSERT (PostgreSQL takes at most 65535 parameters).
const copyChunk = 200

// Copy copies every table of from (a SQLite ledger) into to (an empty
// PostgreSQL ledger at the same schema version), ids kept and the id
// sequences moved past them, then compares every item (reference, state,
// amounts, attempts and events) and every table's row count. The source is
// held by one write transaction meanwhile, so nothing changes it while it is
// copied. A difference gives ErrCopyDiffers with the report.
func Copy(ctx context.Context, from, to *Store) (CopyReport, error) {
	var rep CopyReport
	if from.pg || !to.pg {
		return rep, errors.New("copy a ledger: from a SQLite file to PostgreSQL only")
	}
	fv, err := from.SchemaVersion(ctx)
	if err != nil {
		return rep, err
	}
	tv, err := to.SchemaVersion(ctx)
	if err != nil {
		return rep, err
	}
	if fv != tv {
		return rep, fmt.Errorf("copy a ledger: the source is at schema version %d, the target at %d: open both with this bulkpay first", fv, tv)
	}
	src, err := from.db.BeginTx(ctx, nil) // immediate: no other process writes the source meanwhile
	if err != nil {
		return rep, from.fail("copy a ledger: hold the source", err)
	}
	defer src.Rollback() //nolint:errcheck // read only: nothing to keep
	tables, err := sourceTables(ctx, src)
	if err != nil {
		return rep, from.fail("copy a ledger: list the source's tables", err)
	}
	err = to.commit(ctx, func(dst *sql.Tx) error {
		for _, t := range tables {
			var n int64
			if err := dst.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
				return fmt.Errorf("count %s in the target: %w", t, err)
			}
			if n > 0 {
				return fmt.Errorf("%w: %s holds %d row(s) in %s; copy into an empty database or schema (e.g. CREATE SCHEMA bulkpay, then add search_path=bulkpay to the DSN)",
					ErrTargetNotEmpty, to.path, n, t)
			}
		}
		for _, t := range tables {
			// the rows are copied as they are: the triggers that fill the
			// webhook outbox from new events must not fire again
			if _, err := dst.ExecContext(ctx, `ALTER TABLE `+t+` DISABLE TRIGGER USER`); err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
			if err := copyTable(ctx, src, dst, t); err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
			if _, err := dst.ExecContext(ctx, `ALTER TABLE `+t+` ENABLE TRIGGER USER`); err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
		}
		return nil
	})
	if errors.Is(err, ErrTargetNotEmpty) {
		return rep, err
	}
	if err != nil {
		return rep, to.fail("copy a ledger", err)
	}
	if err := compare(ctx, src, to, tables, &rep); err != nil {
		return rep, to.fail("check the copied ledger", err)
	}
	if len(rep.Differences) > 0 {
		return rep, fmt.Errorf("%w: %d difference(s), the first: %s", ErrCopyDiffers, len(rep.Differences), rep.Differences[0])
	}
	return rep, nil
}

// sourceTables lists the SQLite ledger's tables in the order they were made,
// so that a table comes after those its rows refer to.
func sourceTables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// targetColumns lists a PostgreSQL table's columns, and which of them are
// identities (id, or the rowid a table without one has).
func targetColumns(ctx context.Context, tx *sql.Tx, table string) (cols, identities []string, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT column_name, is_identity FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c, ident string
		if err := rows.Scan(&c, &ident); err != nil {
			return nil, nil, err
		}
		cols = append(cols, c)
		if ident == "YES" {
			identities = append(identities, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(cols) == 0 {
		return nil, nil, fmt.Errorf("the target has no table %s", table)
	}
	return cols, identities, nil
}

func copyTable(ctx context.Context, src, dst *sql.Tx, table string) error {
	cols, identities, err := targetColumns(ctx, dst, table)
	if err != nil {
		return err
	}
	order := "rowid"
	for _, c := range cols {
		if c == "id" {
			order = "id"
		}
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table+` ORDER BY `+order)
	if err != nil {
		return err
	}
	defer rows.Close()
	row := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` + row + strings.Repeat(", "+row, n-1)
		_, err := dst.ExecContext(ctx, q, args...)
		args, n = args[:0], 0
		return err
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		args = append(args, vals...)
		if n++; n == copyChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	for _, c := range identities {
		// the next id the database gives is past every id copied
		if _, err := dst.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', '`+c+`'), COALESCE(MAX(`+c+`), 0) + 1, false) FROM `+table); err != nil {
			return fmt.Errorf("move the %s sequence: %w", c, err)
		}
	}
	return nil
}

// itemCheck is what is compared of each item.
const itemCheck = `SELECT i.id, i.batch_id, i.reference, i.state, i.amount, i.pay_amount, i.charge, i.provider, i.provider_reference,
	i.provider_fee, i.provider_net, i.attempts,
	(SELECT COUNT(*) FROM attempts a WHERE a.item_id = i.id), (SELECT COUNT(*) FROM events e WHERE e.item_id = i.id)
	FROM items i ORDER BY i.id`

type itemFacts struct {
	id, batch                               int64
	reference, state, provider, providerRef string
	amount, pay, charge, fee, net           int64
	attempts, attemptRows, events           int64
}

func (f itemFacts) String() string {
	return fmt.Sprintf("reference %s, state %s, amount %d (pays %d, charge %d), provider %s %q fee %d net %d, %d attempt(s) (%d recorded), %d event(s)",
		f.reference, f.state, f.amount, f.pay, f.charge, f.provider, f.providerRef, f.fee, f.net, f.attempts, f.attemptRows, f.events)
}

func scanFacts(rows *sql.Rows) (itemFacts, error) {
	var f itemFacts
	err := rows.Scan(&f.id, &f.batch, &f.reference, &f.state, &f.amount, &f.pay, &f.charge, &f.provider, &f.providerRef,
		&f.fee, &f.net, &f.attempts, &f.attemptRows, &f.events)
	return f, err
}

// compare checks the copy against the source: each table's row count, then
// each item.
func compare(ctx context.Context, src *sql.Tx, to *Store, tables []string, rep *CopyReport) error {
	for _, t := range tables {
		c := TableCount{Table: t}
		if err := src.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&c.Source); err != nil {
			return err
		}
		if err := to.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&c.Copy); err != nil {
			return err
		}
		rep.Tables = append(rep.Tables, c)
		if c.Source != c.Copy {
			rep.Differences = append(rep.Differences, fmt.Sprintf("table %s: %d row(s) in the source, %d in the copy", t, c.Source, c.Copy))
		}
	}
	a, err := src.QueryContext(ctx, itemCheck)
	if err != nil {
		return err
	}
	defer a.Close()
	b, err := to.db.QueryContext(ctx, itemCheck)
	if err != nil {
		return err
	}
	defer b.Close()
	for {
		moreA, moreB := a.Next(), b.Next()
		if !moreA || !moreB {
			if moreA || moreB {
				rep.Differences = append(rep.Differences, "the copy and the source do not hold the same number of items")
			}
			break
		}
		fa, err := scanFacts(a)
		if err != nil {
			return err
		}
		fb, err := scanFacts(b)
		if err != nil {
			return err
		}
		rep.Items++
		if fa != fb {
			rep.Differences = append(rep.Differences, fmt.Sprintf("item %d of batch %d: the source has %s; the copy has %s", fa.id, fa.batch, fa, fb))
		}
	}
	return errors.Join(a.Err(), b.Err())
}
