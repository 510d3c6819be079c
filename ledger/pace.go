package ledger

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"bulkpay/batch"
)

// The providers' pace on PostgreSQL, kept for every worker of the ledger
// together, through the server alone:
//
//   - the rate: a row of provider_pace per provider holds the times of the
//     requests let through lately; a request takes its turn under SELECT ...
//     FOR UPDATE of that row when batch.Admit says the window has room, on
//     the server's clock, else it waits as long as Admit says and asks again;
//   - the concurrency: a call holds one of the provider's n slots, a
//     session-level advisory lock of the ledger's schema, on a connection it
//     keeps until the call returns. A worker that dies drops its connections
//     and the server frees its slots at once: none waits for a lease to run
//     out.
//
// The pace has its own pool of connections, not the ledger's: its
// transactions do not take the ledger's write lock, and the ledger's writes
// do not wait on calls in flight.
type pgPacer struct {
	slots  *sql.DB // a connection per slot held
	turns  *sql.DB // the rate's short transactions
	margin time.Duration
}

// slotPoll is how long a call waits before asking again for a free slot.
const slotPoll = 20 * time.Millisecond

func newPgPacer(cfg *pgx.ConnConfig) *pgPacer {
	slots := stdlib.OpenDB(*cfg)
	slots.SetMaxOpenConns(16)
	slots.SetMaxIdleConns(16) // a poll gives its connection back to be taken again, not closed
	slots.SetConnMaxIdleTime(time.Minute)
	turns := stdlib.OpenDB(*cfg)
	turns.SetMaxOpenConns(4)
	turns.SetMaxIdleConns(4)
	turns.SetConnMaxIdleTime(time.Minute)
	return &pgPacer{slots: slots, turns: turns, margin: batch.PaceMargin}
}

func (p *pgPacer) close() error { return errors.Join(p.slots.Close(), p.turns.Close()) }

// take waits for a free slot of key when concurrency > 0, then for a turn
// under rate when rate > 0, and returns what frees the slot.
func (p *pgPacer) take(ctx context.Context, key string, rate float64, concurrency int) (func(), error) {
	release := func() {}
	if concurrency > 0 {
		var err error
		if release, err = p.hold(ctx, key, concurrency); err != nil {
			return nil, err
		}
	}
	if rate <= 0 {
		return release, nil
	}
	for {
		wait, err := p.turn(ctx, key, rate)
		if err != nil {
			release()
			return nil, err
		}
		if wait <= 0 {
			return release, nil
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			release()
			return nil, ctx.Err()
		}
	}
}

// hold takes one of key's n slots on a connection of its own, kept until
// the returned function frees it. While all are held it asks again every
// slotPoll or so, holding no connection in between.
func (p *pgPacer) hold(ctx context.Context, key string, n int) (func(), error) {
	first := rand.IntN(n) // workers start at different slots
	for {
		conn, err := p.slots.Conn(ctx)
		if err != nil {
			return nil, err
		}
		slot, got, err := trySlot(ctx, conn, key, n, first)
		if err != nil {
			conn.Close()
			return nil, err
		}
		if got {
			return func() { unlock(conn, key, slot) }, nil
		}
		conn.Close()
		select {
		case <-time.After(slotPoll + rand.N(slotPoll)):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// trySlot tries key's n slots on conn, from first on.
func trySlot(ctx context.Context, conn *sql.Conn, key string, n, first int) (int, bool, error) {
	for i := range n {
		s := (first + i) % n
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended('bulkpay pace slot ' || current_schema() || ' ' || $1, $2))`,
			key, s).Scan(&got); err != nil {
			return 0, false, err
		}
		if got {
			return s, true, nil
		}
	}
	return 0, false, nil
}

// unlock frees a slot and gives its connection back; a connection that
// cannot unlock is dropped, and the server frees the slot with it.
func unlock(conn *sql.Conn, key string, slot int) {
	uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var ok bool
	if err := conn.QueryRowContext(uctx, `SELECT pg_advisory_unlock(hashtextextended('bulkpay pace slot ' || current_schema() || ' ' || $1, $2))`,
		key, slot).Scan(&ok); err != nil || !ok {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	conn.Close()
}

// turn asks key's row for a turn under rate, on the server's clock: 0 when
// the request may leave now (recorded), else how long to wait.
func (p *pgPacer) turn(ctx context.Context, key string, rate float64) (time.Duration, error) {
	tx, err := p.turns.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it does nothing
	if _, err := tx.ExecContext(ctx, `INSERT INTO provider_pace (pace_key) VALUES ($1) ON CONFLICT DO NOTHING`, key); err != nil {
		return 0, err
	}
	var text string
	if err := tx.QueryRowContext(ctx, `SELECT grants FROM provider_pace WHERE pace_key = $1 FOR UPDATE`, key).Scan(&text); err != nil {
		return 0, err
	}
	// the time is read once the row is held, not while waiting for it: a
	// turn is never dated before the one that held the row ahead of it
	var nowMicros int64
	if err := tx.QueryRowContext(ctx, `SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint`).Scan(&nowMicros); err != nil {
		return 0, err
	}
	now := time.UnixMicro(nowMicros)
	kept, wait := batch.Admit(parseGrants(text), now, rate, p.margin)
	if wait > 0 {
		return wait, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE provider_pace SET grants = $2 WHERE pace_key = $1`, key, formatGrants(kept)); err != nil {
		return 0, err
	}
	return 0, tx.Commit()
}

func parseGrants(s string) []time.Time {
	var out []time.Time
	for f := range strings.SplitSeq(s, ",") {
		if us, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, time.UnixMicro(us))
		}
	}
	return out
}

func formatGrants(ts []time.Time) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = strconv.FormatInt(t.UnixMicro(), 10)
	}
	return strings.Join(parts, ",")
}
