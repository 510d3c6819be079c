package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"bulkpay/batch"
	"bulkpay/webhooks"
)

// The webhook outbox is filled by triggers on the events (migration
// 0011_outbox.sql), in the transaction of the change that causes each event;
// the methods below are what the webhooks package reads and records.

var _ webhooks.Journal = (*Store)(nil)

const outboxCols = `id, event_id, type, batch_id, COALESCE(item_id, 0), created_at, window_from, object`

func scanOutbox(rows *sql.Rows) ([]webhooks.Event, error) {
	defer rows.Close()
	var out []webhooks.Event
	for rows.Next() {
		var e webhooks.Event
		var created, from sql.NullString
		var object string
		if err := rows.Scan(&e.Seq, &e.ID, &e.Type, &e.BatchID, &e.ItemID, &created, &from, &object); err != nil {
			return nil, err
		}
		var err error
		if e.CreatedAt, err = parseTime("webhook_outbox", e.Seq, "created_at", created); err != nil {
			return nil, err
		}
		if e.WindowFrom, err = parseTime("webhook_outbox", e.Seq, "window_from", from); err != nil {
			return nil, err
		}
		e.Object = []byte(object)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Open implements webhooks.Store.
func (s *Store) Open(ctx context.Context, after int64, limit int) ([]webhooks.Event, error) {
	out, err := s.outbox(ctx, `SELECT `+outboxCols+` FROM webhook_outbox WHERE done = 0 AND id > ? ORDER BY id LIMIT ?`, after, limit)
	return out, s.fail("read the webhook outbox", err)
}

// List implements webhooks.Journal.
func (s *Store) List(ctx context.Context, limit int) ([]webhooks.Event, error) {
	out, err := s.outbox(ctx, `SELECT `+outboxCols+` FROM webhook_outbox ORDER BY id DESC LIMIT ?`, limit)
	if err == nil {
		err = s.deliveryLogs(ctx, out)
	}
	return out, s.fail("list webhook events", err)
}

// outbox reads events with q and fills in their deliveries.
func (s *Store) outbox(ctx context.Context, q string, args ...any) ([]webhooks.Event, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	events, err := scanOutbox(rows)
	if err != nil || len(events) == 0 {
		return events, err
	}
	index := map[string]int{}
	ids := make([]any, len(events))
	for i, e := range events {
		index[e.ID], ids[i] = i, e.ID
	}
	rows, err = s.db.QueryContext(ctx, `SELECT event_id, endpoint, state, attempts, next_at, last_status, last_error, delivered_at
		FROM webhook_deliveries WHERE event_id IN (?`+strings.Repeat(`, ?`, len(ids)-1)+`) ORDER BY rowid`, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d webhooks.Delivery
		var next, delivered sql.NullString
		if err := rows.Scan(&d.EventID, &d.Endpoint, &d.State, &d.Attempts, &next, &d.LastStatus, &d.LastError, &delivered); err != nil {
			return nil, err
		}
		e := &events[index[d.EventID]]
		if d.NextAt, err = parseTime("webhook_deliveries", e.Seq, "next_at", next); err != nil {
			return nil, err
		}
		if d.DeliveredAt, err = parseTime("webhook_deliveries", e.Seq, "delivered_at", delivered); err != nil {
			return nil, err
		}
		e.Deliveries = append(e.Deliveries, d)
	}
	return events, rows.Err()
}

// deliveryLogs fills in each delivery's attempts.
func (s *Store) deliveryLogs(ctx context.Context, events []webhooks.Event) error {
	for i := range events {
		for j := range events[i].Deliveries {
			d := &events[i].Deliveries[j]
			rows, err := s.db.QueryContext(ctx, `SELECT id, at, status, error FROM webhook_attempts
				WHERE event_id = ? AND endpoint = ? ORDER BY id`, d.EventID, d.Endpoint)
			if err != nil {
				return err
			}
			for rows.Next() {
				a := webhooks.Attempt{EventID: d.EventID, Endpoint: d.Endpoint}
				var id int64
				var at sql.NullString
				if err := rows.Scan(&id, &at, &a.Status, &a.Error); err != nil {
					rows.Close()
					return err
				}
				if a.At, err = parseTime("webhook_attempts", id, "at", at); err != nil {
					rows.Close()
					return err
				}
				d.Log = append(d.Log, a)
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				return err
			}
		}
	}
	return nil
}

// stamp writes t as the ledger keeps times; the zero time is "".
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return batch.Stamp(t)
}

// Record implements webhooks.Store.
func (s *Store) Record(ctx context.Context, d webhooks.Delivery, a *webhooks.Attempt) error {
	return s.fail("record a webhook delivery", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries
			(event_id, endpoint, state, attempts, next_at, last_status, last_error, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (event_id, endpoint) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
				next_at = excluded.next_at, last_status = excluded.last_status, last_error = excluded.last_error,
				delivered_at = excluded.delivered_at`,
			d.EventID, d.Endpoint, d.State, d.Attempts, stamp(d.NextAt), d.LastStatus, d.LastError, stamp(d.DeliveredAt))
		if err != nil {
			return err
		}
		if a == nil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO webhook_attempts (event_id, endpoint, at, status, error) VALUES (?, ?, ?, ?, ?)`,
			a.EventID, a.Endpoint, batch.Stamp(a.At), a.Status, a.Error)
		return err
	}))
}

// Done implements webhooks.Store.
func (s *Store) Done(ctx context.Context, eventID string) error {
	return s.fail("mark a webhook event done", s.tx(ctx, func(tx *sql.Tx) error {
		return outboxUpdate(ctx, tx, eventID, `UPDATE webhook_outbox SET done = 1 WHERE event_id = ?`, eventID)
	}))
}

// Resend implements webhooks.Journal.
func (s *Store) Resend(ctx context.Context, eventID string, at time.Time) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := outboxUpdate(ctx, tx, eventID, `UPDATE webhook_outbox SET done = 0, window_from = ? WHERE event_id = ?`,
			batch.Stamp(at), eventID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_at = '' WHERE event_id = ?`, eventID)
		return err
	})
	if errors.Is(err, webhooks.ErrEventNotFound) {
		return err
	}
	return s.fail("resend a webhook event", err)
}

// outboxUpdate runs q on one outbox row; none is webhooks.ErrEventNotFound.
func outboxUpdate(ctx context.Context, tx *sql.Tx, eventID, q string, args ...any) error {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, fmt.Errorf("%w: %s", webhooks.ErrEventNotFound, eventID))
	}
	return nil
}
