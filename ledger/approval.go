package ledger

import (
	"context"
	"database/sql"
	"fmt"

	"bulkpay/batch"
)

// Causes of the batch events that record who planned a batch.
const (
	causePlanned      = "batch planned"
	causePlannedAgain = "planned again"
)

// mergePolicy makes the batch's stored approval rules at least as strict as
// pol, inside tx, and says whether they changed.
func mergePolicy(ctx context.Context, tx *sql.Tx, batchID int64, pol batch.Policy) (batch.Policy, bool, error) {
	var old batch.Policy
	if err := tx.QueryRowContext(ctx, `SELECT require_approval, four_eyes FROM batches WHERE id = ?`, batchID).
		Scan(&old.RequireApproval, &old.FourEyes); err != nil {
		return old, false, fmt.Errorf("batch %d: %w", batchID, err)
	}
	merged := old.Or(pol)
	if merged == old {
		return old, false, nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE batches SET require_approval = ?, four_eyes = ? WHERE id = ?`,
		merged.RequireApproval, merged.FourEyes, batchID)
	return merged, true, err
}

// RecordPlan records that by planned the batch (again), with the plan hash,
// and makes its approval rules at least as strict as pol, in one transaction.
func (s *Store) RecordPlan(ctx context.Context, batchID int64, by, planHash, detail string, pol batch.Policy) error {
	return s.durableTx(ctx, func(tx *sql.Tx) error {
		merged, _, err := mergePolicy(ctx, tx, batchID, pol)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO events (batch_id, at, cause, detail, actor) VALUES (?, ?, ?, ?, ?)`,
			batchID, now(), causePlannedAgain, fmt.Sprintf("by %s; plan hash %s; approval rules: %s; %s", by, planHash, merged, detail), by)
		return err
	})
}

// RecordPolicy makes the batch's approval rules at least as strict as pol; a
// change is recorded in the events with who made it.
func (s *Store) RecordPolicy(ctx context.Context, batchID int64, pol batch.Policy, actor string) error {
	return s.durableTx(ctx, func(tx *sql.Tx) error {
		merged, changed, err := mergePolicy(ctx, tx, batchID, pol)
		if err != nil || !changed {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO events (batch_id, at, cause, detail, actor) VALUES (?, ?, ?, ?, ?)`,
			batchID, now(), "approval rules made stricter", "now "+merged.String(), actor)
		return err
	})
}

// Planners lists who planned the batch, from its plan events, oldest first
// (a name may appear more than once).
func (s *Store) Planners(ctx context.Context, batchID int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT actor FROM events
		WHERE batch_id = ? AND item_id IS NULL AND cause IN (?, ?) AND actor <> '' ORDER BY id`,
		batchID, causePlanned, causePlannedAgain)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
