package ledger

import (
	"context"
	"database/sql"
	"fmt"
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

// renewLeases renews a worker's leases through the partial index
// items_claimed_by, which holds only the items claimed under a lease, their
// claimed_by not empty (an item claimed under the batch's lock has no worker,
// and no lease to renew): the planners use a partial index only for a query
// that states its condition.
const renewLeases = `UPDATE items SET lease_until = ?
	WHERE claimed_by = ? AND claimed_by <> '' AND state = 'submitting'`

// Renew implements batch.LeaseStore.
func (s *Store) Renew(ctx context.Context, l batch.Lease) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		until, err := s.leaseUntil(ctx, tx, l)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, renewLeases, until, l.Worker)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), s.fail("renew leases", err)
}

var _ batch.LeaseClock = (*Store)(nil)

// LeaseNow implements batch.LeaseClock: on PostgreSQL the server's clock,
// the one every worker shares, so that no host's clock decides whether
// another's lease ran out; a SQLite file, paid from by one process, keeps
// that process's clock.
func (s *Store) LeaseNow(ctx context.Context) (time.Time, error) {
	if !s.pg {
		return s.clock(), nil
	}
	var now time.Time
	if err := s.db.QueryRowContext(ctx, `SELECT clock_timestamp()`).Scan(&now); err != nil {
		return time.Time{}, s.fail("read the server's clock", err)
	}
	return now.UTC(), nil
}

// leaseUntil is the stamp of lease_until that l sets: on PostgreSQL l.For
// after the server's clock, read in the transaction that writes it (l.Until
// when l says no length); on SQLite l.Until as the process gives it; empty
// without a lease.
func (s *Store) leaseUntil(ctx context.Context, tx *sql.Tx, l batch.Lease) (string, error) {
	if s.pg && l.For > 0 {
		var now time.Time
		if err := tx.QueryRowContext(ctx, `SELECT clock_timestamp()`).Scan(&now); err != nil {
			return "", fmt.Errorf("read the server's clock: %w", err)
		}
		return batch.Stamp(now.Add(l.For)), nil
	}
	if l.Until.IsZero() {
		return "", nil
	}
	return batch.Stamp(l.Until), nil
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
