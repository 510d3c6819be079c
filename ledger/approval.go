package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"bulkpay/batch"
)

// mergePolicy makes the batch's stored approval rules at least as strict as
// pol, inside tx, and says whether they changed.
func mergePolicy(ctx context.Context, tx *sql.Tx, batchID int64, pol batch.Policy) (batch.Policy, bool, error) {
	var old batch.Policy
	err := tx.QueryRowContext(ctx, `SELECT require_approval, four_eyes FROM batches WHERE id = ?`, batchID).
		Scan(&old.RequireApproval, &old.FourEyes)
	if errors.Is(err, sql.ErrNoRows) {
		return old, false, fmt.Errorf("%w: id %d", batch.ErrBatchNotFound, batchID)
	}
	if err != nil {
		return old, false, err
	}
	merged := old.Or(pol)
	if merged == old {
		return old, false, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE batches SET require_approval = ?, four_eyes = ? WHERE id = ?`,
		merged.RequireApproval, merged.FourEyes, batchID)
	return merged, true, err
}

// RecordPlan implements batch.PlanStore.
func (s *Store) RecordPlan(ctx context.Context, batchID int64, by, planHash, detail string, pol batch.Policy) error {
	return s.fail("record plan", s.durableTx(ctx, func(tx *sql.Tx) error {
		merged, _, err := mergePolicy(ctx, tx, batchID, pol)
		if err != nil {
			return err
		}
		return appendEvent(ctx, tx, batch.PlannedAgainEvent(batchID, by, planHash, detail, merged), batch.Stamp(s.clock()))
	}))
}

// RecordPolicy implements batch.PlanStore and batch.ApprovalStore.
// Rules the batch already holds write nothing: no transaction, no
// checkpoint. Every run of a batch records the config's rules before it asks
// for the batch's lock, and a run that loses the race for the batch must not
// contend with the holder's writes (a checkpoint waits up to
// checkpointPatience for them).
func (s *Store) RecordPolicy(ctx context.Context, batchID int64, pol batch.Policy, actor string) error {
	var old batch.Policy
	err := s.db.QueryRowContext(ctx, `SELECT require_approval, four_eyes FROM batches WHERE id = ?`, batchID).
		Scan(&old.RequireApproval, &old.FourEyes)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s.fail("record approval rules", fmt.Errorf("%w: id %d", batch.ErrBatchNotFound, batchID))
	case err != nil:
		return s.fail("record approval rules", err)
	case old.Or(pol) == old:
		return nil
	}
	return s.fail("record approval rules", s.durableTx(ctx, func(tx *sql.Tx) error {
		merged, changed, err := mergePolicy(ctx, tx, batchID, pol)
		if err != nil || !changed {
			return err
		}
		return appendEvent(ctx, tx, batch.PolicyEvent(batchID, merged, actor), batch.Stamp(s.clock()))
	}))
}

// Planners implements batch.ApprovalStore: the actors of the batch's plan
// events (batch.IsPlanEvent), oldest first.
func (s *Store) Planners(ctx context.Context, batchID int64) ([]string, error) {
	out, err := s.planners(ctx, batchID)
	return out, s.fail("read planners", err)
}

func (s *Store) planners(ctx context.Context, batchID int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT actor FROM events
		WHERE batch_id = ? AND item_id IS NULL AND cause IN (?, ?) AND actor <> '' ORDER BY id`,
		batchID, batch.CauseBatchPlanned, batch.CausePlannedAgain)
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
