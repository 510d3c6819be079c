package ledger

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"bulkpay/batch"
	"bulkpay/identity"
)

// Idempotency keys of the API's writes (migration 0009).

// ClaimKey takes a user's idempotency key for a request whose hash is
// requestHash. The first request with the key gets found false and must
// answer with SaveReplay (or ReleaseKey when it could not answer); a later
// one gets the replay kept for the key (its RequestHash says whether it was
// the same request; Status 0 while the first is still being answered).
func (s *Store) ClaimKey(ctx context.Context, userID int64, key, requestHash string, at time.Time) (identity.Replay, bool, error) {
	var r identity.Replay
	var found bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE user_id = ? AND key = ?`,
			userID, key).Scan(&r.RequestHash, &r.Status, &r.ContentType, &r.Body)
		if err == nil {
			found = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES (?, ?, ?, ?)`,
			userID, key, requestHash, ms(at))
		return err
	})
	return r, found, s.fail("claim idempotency key", err)
}

// SaveReplay keeps the answer to the request that claimed the key.
func (s *Store) SaveReplay(ctx context.Context, userID int64, key string, r identity.Replay) error {
	return s.fail("save idempotent answer", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE user_id = ? AND key = ? AND status = 0`,
			r.Status, r.ContentType, r.Body, userID, key)
		return err
	}))
}

// ReleaseKey forgets a key whose request got no answer worth replaying (a
// failure of the server): the same request may then be sent again.
func (s *Store) ReleaseKey(ctx context.Context, userID int64, key string) error {
	return s.fail("release idempotency key", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND status = 0`, userID, key)
		return err
	}))
}

// ProfitVersion is one version of a profit configuration changed through
// the API.
type ProfitVersion struct {
	ID        int64
	Config    batch.ProfitConfig
	UpdatedBy string
	At        time.Time
}

// SetProfitConfig stores a new version of the profit configuration named
// c.Name; earlier versions are kept.
func (s *Store) SetProfitConfig(ctx context.Context, c batch.ProfitConfig, by string, at time.Time) (ProfitVersion, error) {
	v := ProfitVersion{Config: c, UpdatedBy: by, At: at.UTC().Truncate(time.Millisecond)}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO profit_configurations (name, fee, percentage, use_percentage, currency, updated_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, c.Name, c.Fee, c.Percentage, c.UsePercentage, c.Currency, by, ms(at))
		if err != nil {
			return err
		}
		v.ID, err = res.LastInsertId()
		return err
	})
	return v, s.fail("store profit configuration", err)
}

// ProfitHistory is every version of every profit configuration changed
// through the API, oldest first.
func (s *Store) ProfitHistory(ctx context.Context) ([]ProfitVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, fee, percentage, use_percentage, currency, updated_by, created_at
		FROM profit_configurations ORDER BY id`)
	if err != nil {
		return nil, s.fail("read profit configurations", err)
	}
	defer rows.Close()
	var out []ProfitVersion
	for rows.Next() {
		var v ProfitVersion
		var at int64
		if err := rows.Scan(&v.ID, &v.Config.Name, &v.Config.Fee, &v.Config.Percentage, &v.Config.UsePercentage, &v.Config.Currency,
			&v.UpdatedBy, &at); err != nil {
			return nil, s.fail("read profit configurations", err)
		}
		v.At = fromMS(at)
		out = append(out, v)
	}
	return out, s.fail("read profit configurations", rows.Err())
}
