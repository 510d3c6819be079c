package ledger

import (
	"context"
	"database/sql"
	"time"

	"bulkpay/batch"
)

var _ batch.LeaseStore = (*Store)(nil)

// Shared implements batch.LeaseStore: a ledger on PostgreSQL is shared by
// every worker that opens it; a SQLite file is paid from by one process at a
// time, under the batch's lock.
func (s *Store) Shared() bool { return s.pg }

// ClaimLeased implements batch.LeaseStore.
func (s *Store) ClaimLeased(ctx context.Context, batchID int64, provider string, limit int, l batch.Lease, except ...int64) ([]batch.Claim, error) {
	return s.claim(ctx, l.Held, batchID, provider, limit, l, except...)
}

// Renew implements batch.LeaseStore.
func (s *Store) Renew(ctx context.Context, worker string, until time.Time) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE items SET lease_until = ? WHERE claimed_by = ? AND state = 'submitting'`,
			batch.Stamp(until), worker)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), s.fail("renew leases", err)
}

// SubmittingLeases implements batch.LeaseStore.
func (s *Store) SubmittingLeases(ctx context.Context, batchID int64) ([]batch.Leased, error) {
	out, err := s.submittingLeases(ctx, batchID)
	return out, s.fail("read submitting items", err)
}

func (s *Store) submittingLeases(ctx context.Context, batchID int64) ([]batch.Leased, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, claimed_by, lease_until FROM items WHERE batch_id = ? AND state = 'submitting'`, batchID)
	if err != nil {
		return nil, err
	}
	leases := map[int64]batch.Lease{}
	for rows.Next() {
		var id int64
		var l batch.Lease
		var until sql.NullString
		if err := rows.Scan(&id, &l.Worker, &until); err != nil {
			rows.Close()
			return nil, err
		}
		if l.Until, err = parseTime("item", id, "lease_until", until); err != nil {
			rows.Close()
			return nil, err
		}
		leases[id] = l
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(leases) == 0 {
		return nil, nil
	}
	items, err := s.Items(ctx, batchID, batch.Submitting)
	if err != nil {
		return nil, err
	}
	out := make([]batch.Leased, 0, len(items))
	for _, it := range items {
		l, ok := leases[it.ID]
		if !ok {
			continue // claimed since the leases were read: a live claim
		}
		out = append(out, batch.Leased{Item: it, Lease: l})
	}
	return out, nil
}

// leaseCond and leaseArgs make an item's state change wait on the lease it
// was judged under (batch.Change.Lease): nothing when l is nil.
func leaseCond(l *batch.Lease) string {
	if l == nil {
		return ""
	}
	return ` AND COALESCE(claimed_by, '') = ? AND COALESCE(lease_until, '') = ?`
}

func leaseArgs(l *batch.Lease) []any {
	if l == nil {
		return nil
	}
	until := ""
	if !l.Until.IsZero() {
		until = batch.Stamp(l.Until)
	}
	return []any{l.Worker, until}
}

// Take implements batch.Pacer: on PostgreSQL the providers' pace is kept for
// every worker together (pace.go); on a SQLite file, which one process pays
// from, by the process itself.
func (s *Store) Take(ctx context.Context, provider string, rate float64, concurrency int) (func(), error) {
	if s.pacer == nil {
		return s.local.Take(ctx, provider, rate, concurrency)
	}
	release, err := s.pacer.take(ctx, provider, rate, concurrency)
	return release, s.fail("wait for a turn to call "+provider, err)
}
