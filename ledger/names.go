package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"bulkpay/batch"
)

var _ batch.NameStore = (*Store)(nil)

// SaveNameChecks implements batch.NameStore: the checks and the moves in one
// durable transaction.
func (s *Store) SaveNameChecks(ctx context.Context, batchID int64, checks []batch.NameCheck, moves []batch.Change) error {
	return s.fail("record name checks", s.submit(ctx, true, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := batchRef(ctx, tx, batchID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM name_checks WHERE batch_id = ?`, batchID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return batch.ErrNamesChecked
		}
		at := batch.Stamp(s.clock())
		for _, c := range checks {
			if c.ItemID == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO name_checks (item_id, batch_id, row, result, score, provider, reason, given, family, checked_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ItemID, batchID, c.Row, string(c.Result), c.Score, c.Provider, c.Reason,
				c.Given, c.Family, batch.Stamp(c.CheckedAt)); err != nil {
				return fmt.Errorf("name check of row %d: %w", c.Row, err)
			}
		}
		for _, c := range moves {
			if err := applyOne(ctx, tx, c, at); err != nil {
				return err
			}
		}
		return nil
	}).err)
}

// NameChecks implements batch.NameStore.
func (s *Store) NameChecks(ctx context.Context, batchID int64) ([]batch.NameCheck, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT n.item_id, n.row, i.phone, i.name, n.result, n.score, n.provider, n.reason, n.given, n.family,
		n.checked_at, n.confirmed_by, n.note, n.confirmed_at
		FROM name_checks n JOIN items i ON i.id = n.item_id WHERE n.batch_id = ? ORDER BY n.row, n.item_id`, batchID)
	if err != nil {
		return nil, s.fail("read name checks", err)
	}
	defer rows.Close()
	var out []batch.NameCheck
	for rows.Next() {
		var c batch.NameCheck
		var result string
		var checked, confirmed sql.NullString
		if err := rows.Scan(&c.ItemID, &c.Row, &c.Phone, &c.Name, &result, &c.Score, &c.Provider, &c.Reason, &c.Given, &c.Family,
			&checked, &c.ConfirmedBy, &c.Note, &confirmed); err != nil {
			return nil, s.fail("read name checks", err)
		}
		c.Result = batch.NameResult(result)
		if c.CheckedAt, err = parseTime("name_checks", c.ItemID, "checked_at", checked); err != nil {
			return nil, err
		}
		if c.ConfirmedAt, err = parseTime("name_checks", c.ItemID, "confirmed_at", confirmed); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, s.fail("read name checks", rows.Err())
}

// ConfirmName implements batch.NameStore.
func (s *Store) ConfirmName(ctx context.Context, itemID int64, by, note string) error {
	return s.fail("confirm name", s.submit(ctx, true, func(ctx context.Context, tx *sql.Tx) error {
		at := batch.Stamp(s.clock())
		res, err := tx.ExecContext(ctx, `UPDATE name_checks SET confirmed_by = ?, note = ?, confirmed_at = ? WHERE item_id = ?`, by, note, at, itemID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("item %d has no name check: %w", itemID, errors.Join(batch.ErrStale, err))
		}
		return applyOne(ctx, tx, batch.Change{ItemID: itemID, From: batch.ToConfirm, To: batch.Planned, Cause: batch.CauseNameConfirmed,
			Message: batch.ConfirmDetail(by, note), Actor: by}, at)
	}).err)
}

// ForgetNames implements batch.NameStore: the registered names are
// overwritten in the ledger (the results stay).
func (s *Store) ForgetNames(ctx context.Context, batchID int64) (int, error) {
	var n int64
	err := s.submit(ctx, true, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE name_checks SET given = '', family = '' WHERE batch_id = ? AND (given <> '' OR family <> '')`, batchID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	}).err
	return int(n), s.fail("erase registered names", err)
}
