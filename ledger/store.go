package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"bulkpay/batch"
)

var _ batch.Store = (*Store)(nil)

const timeFormat = time.RFC3339Nano

func now() string { return time.Now().UTC().Format(timeFormat) }

func parseTime(s sql.NullString) time.Time {
	if !s.Valid || s.String == "" {
		return time.Time{}
	}
	t, _ := time.Parse(timeFormat, s.String)
	return t
}

// tx runs fn in one immediate transaction, then checkpoints if the periodic
// pace says so.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := s.commit(ctx, fn); err != nil {
		return err
	}
	s.wrote(ctx)
	return nil
}

// durableTx runs fn in one immediate transaction and checkpoints it into the
// main file before it returns: for what must survive the loss of the -wal.
func (s *Store) durableTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := s.commit(ctx, fn); err != nil {
		return err
	}
	return s.Checkpoint(context.WithoutCancel(ctx))
}

func (s *Store) commit(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// isUnique tells a UNIQUE constraint violation from other driver errors.
func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}

// CreateBatch implements batch.Store. The planned batch, with every item's
// reference, is in the main file when it returns. A reference already in the
// ledger (another process planned it first) gives batch.ErrBatchExists.
func (s *Store) CreateBatch(ctx context.Context, b *batch.Batch, items []batch.Item) error {
	at := now()
	return s.durableTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO batches
			(reference, sheet_hash, sheet_name, currency, total_amount, item_count, sandbox, created_at, period, parent_id,
			 charge, profit, fees, created_by, plan_hash, require_approval, four_eyes, endpoint)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.Reference, b.SheetHash, b.SheetName, b.Currency, b.TotalAmount, len(items), b.Sandbox, at, b.Period, nullID(b.ParentID),
			b.Charge, b.Profit, feesJSON(b.Fees), b.CreatedBy, b.PlanHash, b.Policy.RequireApproval, b.Policy.FourEyes, endpointJSON(b.Endpoint))
		if isUnique(err) {
			return fmt.Errorf("%w: %q", batch.ErrBatchExists, b.Reference)
		}
		if err != nil {
			return fmt.Errorf("insert batch: %w", err)
		}
		if b.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		b.ItemCount = len(items)
		b.CreatedAt, _ = time.Parse(timeFormat, at)
		if _, err := tx.ExecContext(ctx, `INSERT INTO events (batch_id, at, cause, detail, actor) VALUES (?, ?, ?, ?, ?)`,
			b.ID, at, causePlanned, fmt.Sprintf("%d items, total %d %s, sheet %s", len(items), b.TotalAmount, b.Currency, b.SheetName), b.CreatedBy); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO items
			(batch_id, row, name, phone, country, operator, email, mode, amount, reference, provider, route, state, updated_at,
			 fingerprint, retry_of, charge, pay_amount)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		ev, err := tx.PrepareContext(ctx, `INSERT INTO events (batch_id, item_id, at, to_state, cause, detail) VALUES (?, ?, ?, 'planned', 'planned', ?)`)
		if err != nil {
			return err
		}
		defer ev.Close()
		for i := range items {
			it := &items[i]
			it.BatchID, it.State = b.ID, batch.Planned
			res, err := ins.ExecContext(ctx, b.ID, it.Row, it.Name, it.Phone, it.Country, it.Operator, it.Email, it.Mode,
				it.Amount, it.Reference, it.Provider, strings.Join(it.Route, ","), batch.Planned, at, it.Fingerprint, nullID(it.RetryOf),
				it.Charge, it.Send())
			if err != nil {
				return fmt.Errorf("insert item row %d: %w", it.Row, err)
			}
			if it.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			detail := "reference " + it.Reference + " via " + it.Provider
			if it.RetryOf != 0 {
				detail += fmt.Sprintf("; pays again failed item %d", it.RetryOf)
			}
			if _, err := ev.ExecContext(ctx, b.ID, it.ID, at, detail); err != nil {
				return err
			}
		}
		return nil
	})
}

const batchCols = `id, reference, sheet_hash, sheet_name, currency, total_amount, item_count, sandbox, created_at, period,
	COALESCE(parent_id, 0), charge, profit, fees, created_by, plan_hash, approved_hash, approved_by, approved_at,
	require_approval, four_eyes, endpoint`

func feesJSON(f batch.Fees) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func scanBatch(sc interface{ Scan(...any) error }) (batch.Batch, error) {
	var b batch.Batch
	var created, approvedAt sql.NullString
	var fees, endpoint string
	err := sc.Scan(&b.ID, &b.Reference, &b.SheetHash, &b.SheetName, &b.Currency, &b.TotalAmount, &b.ItemCount, &b.Sandbox, &created,
		&b.Period, &b.ParentID, &b.Charge, &b.Profit, &fees, &b.CreatedBy, &b.PlanHash, &b.Approval.Hash, &b.Approval.By, &approvedAt,
		&b.Policy.RequireApproval, &b.Policy.FourEyes, &endpoint)
	b.Endpoint = parseEndpoint(endpoint)
	b.CreatedAt = parseTime(created)
	b.Approval.At = parseTime(approvedAt)
	if fees != "" {
		json.Unmarshal([]byte(fees), &b.Fees)
	}
	return b, err
}

// Batch implements batch.Store: key is a numeric id or a reference.
func (s *Store) Batch(ctx context.Context, key string) (batch.Batch, error) {
	q := `SELECT ` + batchCols + ` FROM batches WHERE reference = ?`
	args := []any{key}
	if id, err := strconv.ParseInt(key, 10, 64); err == nil {
		q += ` OR id = ? ORDER BY reference = ? DESC LIMIT 1`
		args = append(args, id, key)
	}
	b, err := scanBatch(s.db.QueryRowContext(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return batch.Batch{}, fmt.Errorf("%w: %q", batch.ErrBatchNotFound, key)
	}
	return b, s.readErr(err)
}

// Batches implements batch.Store.
func (s *Store) Batches(ctx context.Context) ([]batch.Batch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+batchCols+` FROM batches ORDER BY id DESC`)
	if err != nil {
		return nil, s.readErr(err)
	}
	defer rows.Close()
	var out []batch.Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

const itemCols = `id, batch_id, row, name, phone, country, operator, email, mode, amount, reference, provider, route,
	provider_reference, provider_fee, provider_net, state, message, attempts, updated_at, fingerprint, COALESCE(retry_of, 0),
	charge, pay_amount`

func scanItems(rows *sql.Rows) ([]batch.Item, error) {
	defer rows.Close()
	var out []batch.Item
	for rows.Next() {
		var it batch.Item
		var updated sql.NullString
		var route string
		if err := rows.Scan(&it.ID, &it.BatchID, &it.Row, &it.Name, &it.Phone, &it.Country, &it.Operator, &it.Email,
			&it.Mode, &it.Amount, &it.Reference, &it.Provider, &route, &it.ProviderReference, &it.ProviderFee, &it.ProviderNet,
			&it.State, &it.Message, &it.Attempts, &updated, &it.Fingerprint, &it.RetryOf, &it.Charge, &it.PayAmount); err != nil {
			return nil, err
		}
		if route != "" {
			it.Route = strings.Split(route, ",")
		}
		it.UpdatedAt = parseTime(updated)
		out = append(out, it)
	}
	return out, rows.Err()
}

// Items implements batch.Store.
func (s *Store) Items(ctx context.Context, batchID int64, states ...batch.State) ([]batch.Item, error) {
	q := `SELECT ` + itemCols + ` FROM items WHERE batch_id = ?`
	args := []any{batchID}
	if len(states) > 0 {
		q += ` AND state IN (?` + strings.Repeat(`, ?`, len(states)-1) + `)`
		for _, st := range states {
			args = append(args, st)
		}
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY row`, args...)
	if err != nil {
		return nil, s.readErr(err)
	}
	items, err := scanItems(rows)
	return items, s.readErr(err)
}

// Claim implements batch.Store. The claims are in the main file when it
// returns, before any request for them leaves: a copy of the main file alone
// shows every item that may have been sent as at least submitting.
func (s *Store) Claim(ctx context.Context, batchID int64, provider string, limit int, except ...int64) ([]batch.Claim, error) {
	var claims []batch.Claim
	err := s.commit(ctx, func(tx *sql.Tx) error {
		claims = claims[:0]
		q := `SELECT ` + itemCols + ` FROM items WHERE batch_id = ? AND provider = ? AND state = 'planned'`
		args := []any{batchID, provider}
		if len(except) > 0 {
			q += ` AND id NOT IN (?` + strings.Repeat(`, ?`, len(except)-1) + `)`
			for _, id := range except {
				args = append(args, id)
			}
		}
		rows, err := tx.QueryContext(ctx, q+` ORDER BY row LIMIT ?`, append(args, limit)...)
		if err != nil {
			return err
		}
		items, err := scanItems(rows)
		if err != nil {
			return err
		}
		at := now()
		for _, it := range items {
			if _, err := tx.ExecContext(ctx, `UPDATE items SET state = 'submitting', attempts = attempts + 1, updated_at = ?
				WHERE id = ? AND state = 'planned'`, at, it.ID); err != nil {
				return err
			}
			id, err := insertAttempt(ctx, tx, it, batch.KindSend, requestSummary(it), at)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO events (batch_id, item_id, at, from_state, to_state, cause, detail)
				VALUES (?, ?, ?, 'planned', 'submitting', 'claimed for sending', ?)`, batchID, it.ID, at, fmt.Sprintf("attempt %d", id)); err != nil {
				return err
			}
			it.State = batch.Submitting
			it.Attempts++
			claims = append(claims, batch.Claim{Item: it, AttemptID: id})
		}
		return nil
	})
	if err != nil || len(claims) == 0 {
		return nil, err
	}
	if err := s.Checkpoint(context.WithoutCancel(ctx)); err != nil {
		return nil, fmt.Errorf("%d item(s) claimed but not yet in the ledger's main file, so not sent: %w", len(claims), err)
	}
	return claims, nil
}

// requestSummary is what an attempt asks of the provider, for people reviewing it.
// It holds no secret: those travel in headers and tokens, never here.
func requestSummary(it batch.Item) string {
	return fmt.Sprintf("pay %d to %s via %s under reference %s", it.Amount, it.Phone, it.Provider, it.Reference)
}

func insertAttempt(ctx context.Context, tx *sql.Tx, it batch.Item, kind, request, at string) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO attempts (item_id, provider, reference, kind, request, started_at)
		VALUES (?, ?, ?, ?, ?, ?)`, it.ID, it.Provider, it.Reference, kind, request, at)
	if err != nil {
		return 0, fmt.Errorf("insert attempt: %w", err)
	}
	return res.LastInsertId()
}

// StartAttempt implements batch.Store.
func (s *Store) StartAttempt(ctx context.Context, itemID int64, kind, request string) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var it batch.Item
		if err := tx.QueryRowContext(ctx, `SELECT id, provider, reference, phone, amount FROM items WHERE id = ?`, itemID).
			Scan(&it.ID, &it.Provider, &it.Reference, &it.Phone, &it.Amount); err != nil {
			return fmt.Errorf("item %d: %w", itemID, err)
		}
		if request == "" {
			request = requestSummary(it)
		}
		at := now()
		if err := closeOpen(ctx, tx, itemID, at); err != nil {
			return err
		}
		var err error
		if id, err = insertAttempt(ctx, tx, it, kind, request, at); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE items SET attempts = attempts + 1, updated_at = ? WHERE id = ?`, at, itemID)
		return err
	})
	return id, err
}

// Apply implements batch.Store.
func (s *Store) Apply(ctx context.Context, changes ...batch.Change) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		at := now()
		for _, c := range changes {
			if err := applyOne(ctx, tx, c, at); err != nil {
				return err
			}
		}
		return nil
	})
}

// closeOpen ends attempts a crashed run left open: their answer was never recorded.
func closeOpen(ctx context.Context, tx *sql.Tx, itemID int64, at string) error {
	_, err := tx.ExecContext(ctx, `UPDATE attempts SET finished_at = ?, outcome = 'unknown',
		response = 'interrupted: the run ended before the answer was recorded'
		WHERE item_id = ? AND finished_at IS NULL`, at, itemID)
	return err
}

func applyOne(ctx context.Context, tx *sql.Tx, c batch.Change, at string) error {
	if a := c.Attempt; a != nil {
		res, err := tx.ExecContext(ctx, `UPDATE attempts SET finished_at = ?, outcome = ?, provider_reference = ?, response = ?
			WHERE id = ? AND item_id = ? AND finished_at IS NULL`, at, a.Outcome, a.ProviderReference, a.Response, a.ID, c.ItemID)
		if err != nil {
			return fmt.Errorf("close attempt %d: %w", a.ID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("close attempt %d of item %d: %w", a.ID, c.ItemID, batch.ErrStale)
		}
	}
	if c.CloseOpen {
		if err := closeOpen(ctx, tx, c.ItemID, at); err != nil {
			return err
		}
	}
	if c.To == "" {
		if c.Message != "" {
			_, err := tx.ExecContext(ctx, `UPDATE items SET message = ? WHERE id = ?`, c.Message, c.ItemID)
			return err
		}
		return nil
	}
	if err := batch.CheckMove(c.From, c.To); err != nil {
		return fmt.Errorf("item %d: %w", c.ItemID, err)
	}
	var batchID int64
	if err := tx.QueryRowContext(ctx, `SELECT batch_id FROM items WHERE id = ?`, c.ItemID).Scan(&batchID); err != nil {
		return fmt.Errorf("item %d: %w", c.ItemID, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE items SET state = ?, updated_at = ?,
			message = CASE WHEN ? <> '' THEN ? ELSE message END,
			provider_reference = CASE WHEN ? <> '' THEN ? ELSE provider_reference END,
			provider_fee = CASE WHEN ? <> 0 THEN ? ELSE provider_fee END,
			provider_net = CASE WHEN ? <> 0 THEN ? ELSE provider_net END,
			provider = CASE WHEN ? <> '' THEN ? ELSE provider END
		WHERE id = ? AND state = ?`,
		c.To, at, c.Message, c.Message, c.ProviderReference, c.ProviderReference, c.ProviderFee, c.ProviderFee,
		c.ProviderNet, c.ProviderNet, c.Provider, c.Provider, c.ItemID, c.From)
	if err != nil {
		return fmt.Errorf("update item %d: %w", c.ItemID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("item %d is no longer %s: %w", c.ItemID, c.From, batch.ErrStale)
	}
	detail := c.Message
	if c.Provider != "" {
		detail = strings.TrimSpace("now via " + c.Provider + "; " + detail)
	}
	if c.ProviderReference != "" {
		detail = strings.TrimSpace("provider_reference " + c.ProviderReference + "; " + detail)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO events (batch_id, item_id, at, from_state, to_state, cause, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, batchID, c.ItemID, at, c.From, c.To, c.Cause, detail)
	return err
}

// Attempts implements batch.Store.
func (s *Store) Attempts(ctx context.Context, itemID int64) ([]batch.Attempt, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, item_id, provider, reference, kind, request, started_at, finished_at,
		COALESCE(outcome, ''), provider_reference, response FROM attempts WHERE item_id = ? ORDER BY id`, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []batch.Attempt
	for rows.Next() {
		var a batch.Attempt
		var started, finished sql.NullString
		if err := rows.Scan(&a.ID, &a.ItemID, &a.Provider, &a.Reference, &a.Kind, &a.Request, &started, &finished,
			&a.Outcome, &a.ProviderReference, &a.Response); err != nil {
			return nil, err
		}
		a.StartedAt, a.FinishedAt = parseTime(started), parseTime(finished)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Events implements batch.Store.
func (s *Store) Events(ctx context.Context, batchID, itemID int64) ([]batch.Event, error) {
	q := `SELECT id, batch_id, COALESCE(item_id, 0), at, from_state, to_state, cause, detail FROM events WHERE batch_id = ?`
	args := []any{batchID}
	if itemID != 0 {
		q += ` AND item_id = ?`
		args = append(args, itemID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []batch.Event
	for rows.Next() {
		var e batch.Event
		var at sql.NullString
		if err := rows.Scan(&e.ID, &e.BatchID, &e.ItemID, &at, &e.From, &e.To, &e.Cause, &e.Detail); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Note implements batch.Store.
func (s *Store) Note(ctx context.Context, batchID int64, cause, detail string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO events (batch_id, at, cause, detail) VALUES (?, ?, ?, ?)`, batchID, now(), cause, detail)
	if err == nil {
		s.wrote(ctx)
	}
	return err
}

// Lock implements batch.Store.
func (s *Store) Lock(ctx context.Context, batchID int64, o batch.Owner) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var ref, start string
		var pid sql.NullInt64
		var host, at sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT reference, lock_pid, lock_host, lock_at, lock_start FROM batches WHERE id = ?`, batchID).
			Scan(&ref, &pid, &host, &at, &start); err != nil {
			return fmt.Errorf("batch %d: %w", batchID, err)
		}
		detail := fmt.Sprintf("pid %d on %s", o.PID, o.Host)
		if pid.Valid && !(int(pid.Int64) == o.PID && host.String == o.Host && start == o.Start) {
			if host.String != o.Host || s.alive(int(pid.Int64), start) {
				return &batch.LockedError{Reference: ref, PID: int(pid.Int64), Host: host.String, Since: parseTime(at)}
			}
			detail += fmt.Sprintf(", taken over from pid %d (no longer running) which held it since %s", pid.Int64, at.String)
		}
		stamp := o.At.UTC().Format(timeFormat)
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET lock_pid = ?, lock_host = ?, lock_at = ?, lock_start = ? WHERE id = ?`,
			o.PID, o.Host, stamp, o.Start, batchID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO events (batch_id, at, cause, detail) VALUES (?, ?, 'run started', ?)`, batchID, now(), detail)
		return err
	})
}

// Unlock implements batch.Store.
func (s *Store) Unlock(ctx context.Context, batchID int64, o batch.Owner) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE batches SET lock_pid = NULL, lock_host = NULL, lock_at = NULL, lock_start = ''
			WHERE id = ? AND lock_pid = ? AND lock_host = ?`, batchID, o.PID, o.Host)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO events (batch_id, at, cause, detail) VALUES (?, ?, 'run ended', ?)`,
			batchID, now(), fmt.Sprintf("pid %d on %s", o.PID, o.Host))
		return err
	})
}

// Contacts implements batch.Store.
func (s *Store) Contacts(ctx context.Context, provider string) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT phone FROM contacts WHERE provider = ?`, provider)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out[p] = true
	}
	return out, rows.Err()
}

// RememberContacts implements batch.Store.
func (s *Store) RememberContacts(ctx context.Context, provider string, phones []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		at := now()
		for _, p := range phones {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO contacts (provider, phone, added_at) VALUES (?, ?, ?)`, provider, p, at); err != nil {
				return err
			}
		}
		return nil
	})
}

// Repeats implements batch.Store: the items of other batches that carry any of
// the fingerprints.
func (s *Store) Repeats(ctx context.Context, batchID int64, fingerprints []string) (map[string]batch.Repeat, error) {
	out := map[string]batch.Repeat{}
	const chunk = 500
	for start := 0; start < len(fingerprints); start += chunk {
		part := fingerprints[start:min(start+chunk, len(fingerprints))]
		args := []any{batchID}
		for _, f := range part {
			args = append(args, f)
		}
		rows, err := s.db.QueryContext(ctx, `SELECT i.fingerprint, b.reference, i.row, i.state, b.created_at FROM items i
			JOIN batches b ON b.id = i.batch_id
			WHERE i.batch_id <> ? AND i.fingerprint IN (?`+strings.Repeat(`, ?`, len(part)-1)+`) ORDER BY i.id`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var fp string
			var r batch.Repeat
			var created sql.NullString
			if err := rows.Scan(&fp, &r.OtherBatch, &r.OtherRow, &r.OtherState, &created); err != nil {
				rows.Close()
				return nil, err
			}
			r.OtherCreated = parseTime(created)
			if _, seen := out[fp]; !seen {
				out[fp] = r
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Approve implements batch.Store.
func (s *Store) Approve(ctx context.Context, batchID int64, a batch.Approval, note string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		at := a.At.UTC().Format(timeFormat)
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET approved_hash = ?, approved_by = ?, approved_at = ? WHERE id = ?`,
			a.Hash, a.By, at, batchID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO events (batch_id, at, cause, detail, actor) VALUES (?, ?, ?, ?, ?)`, batchID, now(),
			"approved by "+a.By, strings.TrimSpace("plan hash "+a.Hash+"; "+note), a.By)
		return err
	})
}

// ProviderReferences lists every provider reference the ledger knows, by provider.
func (s *Store) ProviderReferences(ctx context.Context) (map[string]map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT provider, provider_reference FROM attempts WHERE provider_reference <> ''
		UNION SELECT provider, provider_reference FROM items WHERE provider_reference <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]bool{}
	for rows.Next() {
		var p, ref string
		if err := rows.Scan(&p, &ref); err != nil {
			return nil, err
		}
		if out[p] == nil {
			out[p] = map[string]bool{}
		}
		out[p][ref] = true
	}
	return out, rows.Err()
}

var _ batch.Reconciliations = (*Store)(nil)

// findingUnchecked is the kind of a finding that could not be checked.
const findingUnchecked = "unchecked"

// SaveReconciliation implements batch.Reconciliations.
func (s *Store) SaveReconciliation(ctx context.Context, batchID int64, r batch.Reconciliation) error {
	at := r.At.UTC().Format(timeFormat)
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE batches SET reconciled_at = ? WHERE id = ?`, at, batchID)
		if err != nil {
			return fmt.Errorf("record reconciliation: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w: id %d", batch.ErrBatchNotFound, batchID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM findings WHERE batch_id = ?`, batchID); err != nil {
			return fmt.Errorf("replace findings: %w", err)
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO findings (batch_id, at, provider, row, kind, ours, theirs, provider_reference, reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, m := range r.Mismatches {
			if _, err := ins.ExecContext(ctx, batchID, at, m.Provider, m.Row, m.Kind, m.Ours, m.Theirs, m.Reference, ""); err != nil {
				return fmt.Errorf("record finding: %w", err)
			}
		}
		for _, u := range r.Unchecked {
			if _, err := ins.ExecContext(ctx, batchID, at, u.Provider, u.Row, findingUnchecked, "", "", u.Reference, u.Reason); err != nil {
				return fmt.Errorf("record finding: %w", err)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO events (batch_id, at, cause, detail) VALUES (?, ?, 'reconciliation recorded', ?)`,
			batchID, now(), fmt.Sprintf("at %s: %d mismatch(es), %d could not be checked", at, len(r.Mismatches), len(r.Unchecked)))
		return err
	})
}

// Reconciliation implements batch.Reconciliations.
func (s *Store) Reconciliation(ctx context.Context, batchID int64) (batch.Reconciliation, error) {
	var r batch.Reconciliation
	var at string
	if err := s.db.QueryRowContext(ctx, `SELECT reconciled_at FROM batches WHERE id = ?`, batchID).Scan(&at); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, fmt.Errorf("%w: id %d", batch.ErrBatchNotFound, batchID)
		}
		return r, err
	}
	r.At = parseTime(sql.NullString{String: at, Valid: true})
	rows, err := s.db.QueryContext(ctx, `SELECT provider, row, kind, ours, theirs, provider_reference, reason
		FROM findings WHERE batch_id = ? ORDER BY id`, batchID)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var m batch.Mismatch
		var reason string
		if err := rows.Scan(&m.Provider, &m.Row, &m.Kind, &m.Ours, &m.Theirs, &m.Reference, &reason); err != nil {
			return r, err
		}
		if m.Kind == findingUnchecked {
			r.Unchecked = append(r.Unchecked, batch.Unchecked{Row: m.Row, Provider: m.Provider, Reference: m.Reference, Reason: reason})
			continue
		}
		r.Mismatches = append(r.Mismatches, m)
	}
	return r, rows.Err()
}
