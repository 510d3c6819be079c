package ledger

import (
	"context"
	"database/sql"
	"encoding/json"

	"bulkpay/batch"
)

func endpointJSON(e batch.Endpoint) string {
	if e.IsZero() {
		return ""
	}
	b, _ := json.Marshal(e)
	return string(b)
}

func parseEndpoint(s string) batch.Endpoint {
	var e batch.Endpoint
	if s != "" {
		json.Unmarshal([]byte(s), &e)
	}
	return e
}

// SetEndpoint records where the batch is paid from now on, with an event
// saying why and who decided.
func (s *Store) SetEndpoint(ctx context.Context, batchID int64, e batch.Endpoint, cause, detail, actor string) error {
	return s.durableTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET endpoint = ? WHERE id = ?`, endpointJSON(e), batchID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO events (batch_id, at, cause, detail, actor) VALUES (?, ?, ?, ?, ?)`,
			batchID, now(), cause, detail, actor)
		return err
	})
}
