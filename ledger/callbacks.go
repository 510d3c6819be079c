package ledger

import (
	"context"
	"database/sql"
	"os"

	"bulkpay/batch"
)

// The callback log (migration 0010): every provider callback received.

// RecordCallback implements batch.CallbackLog.
func (s *Store) RecordCallback(ctx context.Context, r batch.CallbackRecord) error {
	if r.At.IsZero() {
		r.At = s.clock()
	}
	return s.fail("record callback", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO callbacks (at, provider, source_addr, method, raw, item_reference,
			provider_reference, batch_id, item_id, verdict, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			batch.Stamp(r.At), r.Provider, r.SourceAddr, r.Method, r.Raw, r.ItemReference, r.ProviderReference,
			r.BatchID, r.ItemID, r.Verdict, r.Detail)
		return err
	}))
}

// Callbacks implements batch.CallbackLog.
func (s *Store) Callbacks(ctx context.Context) ([]batch.CallbackRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, provider, source_addr, method, raw, item_reference,
		provider_reference, batch_id, item_id, verdict, detail FROM callbacks ORDER BY id`)
	if err != nil {
		return nil, s.fail("read callbacks", err)
	}
	defer rows.Close()
	var out []batch.CallbackRecord
	for rows.Next() {
		var r batch.CallbackRecord
		var at sql.NullString
		if err := rows.Scan(&r.ID, &at, &r.Provider, &r.SourceAddr, &r.Method, &r.Raw, &r.ItemReference,
			&r.ProviderReference, &r.BatchID, &r.ItemID, &r.Verdict, &r.Detail); err != nil {
			return nil, s.fail("read callbacks", err)
		}
		if r.At, err = parseTime("callbacks", r.ID, "at", at); err != nil {
			return nil, s.fail("read callbacks", err)
		}
		out = append(out, r)
	}
	return out, s.fail("read callbacks", rows.Err())
}

// Running implements batch.RunChecker: whether a live process holds the
// batch's lock (one on another host counts as live, as Lock counts it).
func (s *Store) Running(ctx context.Context, batchID int64) (bool, error) {
	var pid sql.NullInt64
	var host sql.NullString
	var start string
	err := s.db.QueryRowContext(ctx, `SELECT lock_pid, lock_host, lock_start FROM batches WHERE id = ?`, batchID).Scan(&pid, &host, &start)
	if err != nil {
		return false, s.fail("read the batch's lock", err)
	}
	if !pid.Valid {
		return false, nil
	}
	here, _ := os.Hostname()
	return host.String != here || s.alive(int(pid.Int64), start), nil
}
