package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"bulkpay/batch"
)

// endpointJSON is how an endpoint is stored: "" when none was recorded.
func endpointJSON(e batch.Endpoint) (string, error) {
	if e.IsZero() {
		return "", nil
	}
	b, err := json.Marshal(e)
	if err != nil {
		return "", fmt.Errorf("endpoint: %w", err)
	}
	return string(b), nil
}

// SetEndpoint implements batch.SessionStore.
func (s *Store) SetEndpoint(ctx context.Context, batchID int64, e batch.Endpoint, cause, detail, actor string) error {
	stored, err := endpointJSON(e)
	if err != nil {
		return fmt.Errorf("set endpoint: %w", err)
	}
	return s.fail("set endpoint", s.durableTx(ctx, func(tx *sql.Tx) error {
		if _, err := batchRef(ctx, tx, batchID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET endpoint = ? WHERE id = ?`, stored, batchID); err != nil {
			return err
		}
		return appendEvent(ctx, tx, batch.Event{BatchID: batchID, Cause: cause, Detail: detail, Actor: actor}, batch.Stamp(s.clock()))
	}))
}
