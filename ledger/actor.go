package ledger

import (
	"context"
	"database/sql"

	"bulkpay/batch"
)

// NoteBy appends a batch-level event with the person who took the step (a
// signed-in user of the web app): Note with an actor.
func (s *Store) NoteBy(ctx context.Context, batchID int64, cause, detail, actor string) error {
	return s.fail("note event", s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := batchRef(ctx, tx, batchID); err != nil {
			return err
		}
		return appendEvent(ctx, tx, batch.Event{BatchID: batchID, Cause: cause, Detail: detail, Actor: actor}, batch.Stamp(s.clock()))
	}))
}
