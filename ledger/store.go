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

	"bulkpay/batch"
)

var _ batch.Store = (*Store)(nil)

// clock is the ledger's time for what it stamps, in UTC without a monotonic
// reading, so that what is read back equals what was written.
func (s *Store) clock() time.Time { return s.now().UTC().Round(0) }

// parseTime reads a stored time; "" or NULL is the zero time. A value that is
// not a time is a *ValueError naming where it is.
func parseTime(table string, id int64, column string, v sql.NullString) (time.Time, error) {
	if !v.Valid || v.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(batch.StampFormat, v.String)
	if err != nil {
		return time.Time{}, &ValueError{Table: table, ID: id, Column: column, Value: v.String, Err: err}
	}
	return t, nil
}

// decodeJSON reads a stored JSON column into v; "" leaves v as it is.
func decodeJSON(table string, id int64, column, value string, v any) error {
	if value == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(value), v); err != nil {
		return &ValueError{Table: table, ID: id, Column: column, Value: value, Err: err}
	}
	return nil
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
	return s.durableCheckpoint(context.WithoutCancel(ctx))
}

func (s *Store) commit(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error that made us roll back is the one to report
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.commits.Add(1)
	return nil
}

// insertEvent is the one statement that appends to the events.
const insertEvent = `INSERT INTO events (batch_id, item_id, at, from_state, to_state, cause, detail, actor)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

func eventArgs(e batch.Event, at string) []any {
	return []any{e.BatchID, nullID(e.ItemID), at, e.From, e.To, e.Cause, e.Detail, e.Actor}
}

// appendEvent appends e, stamped at, to the events inside tx.
func appendEvent(ctx context.Context, tx *sql.Tx, e batch.Event, at string) error {
	if _, err := tx.ExecContext(ctx, insertEvent, eventArgs(e, at)...); err != nil {
		return fmt.Errorf("append event %q: %w", e.Cause, err)
	}
	return nil
}

// batchRef finds a batch's reference inside tx; none is batch.ErrBatchNotFound.
func batchRef(ctx context.Context, tx *sql.Tx, batchID int64) (string, error) {
	var ref string
	err := tx.QueryRowContext(ctx, `SELECT reference FROM batches WHERE id = ?`, batchID).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: id %d", batch.ErrBatchNotFound, batchID)
	}
	return ref, err
}

// itemBatch finds the batch of an item inside tx; none is batch.ErrItemNotFound.
func itemBatch(ctx context.Context, tx *sql.Tx, itemID int64) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT batch_id FROM items WHERE id = ?`, itemID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%w: id %d", batch.ErrItemNotFound, itemID)
	}
	return id, err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateBatch implements batch.PlanStore. The planned batch, with every item's
// reference, is in the main file when it returns. A reference already in the
// ledger (another process planned it first) gives batch.ErrBatchExists.
func (s *Store) CreateBatch(ctx context.Context, b *batch.Batch, items []batch.Item) error {
	b.ItemCount = len(items)
	return s.CreateBatchFrom(ctx, b, func(d batch.BatchDraft) error { return d.Add(ctx, items) })
}

// CreateBatchFrom implements batch.PlanStore: one transaction from the
// batch's row to its last item, in the main file when it returns.
func (s *Store) CreateBatchFrom(ctx context.Context, b *batch.Batch, fill func(d batch.BatchDraft) error) error {
	fees, err := json.Marshal(b.Fees)
	if err != nil {
		return fmt.Errorf("create batch %q: fee configuration: %w", b.Reference, err)
	}
	endpoint, err := endpointJSON(b.Endpoint)
	if err != nil {
		return fmt.Errorf("create batch %q: %w", b.Reference, err)
	}
	created := s.clock()
	at := batch.Stamp(created)
	var own error // the planning's own refusal (not the ledger's), returned as it is
	err = s.durableTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO batches
			(reference, sheet_hash, sheet_name, currency, total_amount, item_count, sandbox, created_at, period, parent_id,
			 charge, profit, fees, created_by, plan_hash, require_approval, four_eyes, endpoint)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.Reference, b.SheetHash, b.SheetName, b.Currency, b.TotalAmount, b.ItemCount, b.Sandbox, at, b.Period, nullID(b.ParentID),
			b.Charge, b.Profit, string(fees), b.CreatedBy, b.PlanHash, b.Policy.RequireApproval, b.Policy.FourEyes, endpoint)
		if isUnique(err) {
			return fmt.Errorf("%w: %q", batch.ErrBatchExists, b.Reference)
		}
		if err != nil {
			return fmt.Errorf("insert batch: %w", err)
		}
		if b.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, batch.BatchPlannedEvent(*b, b.ItemCount), at); err != nil {
			return err
		}
		d := &draft{tx: tx, batchID: b.ID, at: at, created: created}
		if d.ins, err = tx.PrepareContext(ctx, `INSERT INTO items
			(batch_id, row, name, phone, country, operator, email, mode, amount, reference, provider, route, state, updated_at,
			 fingerprint, retry_of, charge, pay_amount)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
			return err
		}
		defer d.ins.Close()
		if d.ev, err = tx.PrepareContext(ctx, insertEvent); err != nil {
			return err
		}
		defer d.ev.Close()
		if err := fill(d); err != nil {
			if d.err == nil {
				own = err
			}
			return err
		}
		if d.count != b.ItemCount {
			return fmt.Errorf("%d item(s) planned but %d added: the sheet changed while it was read", b.ItemCount, d.count)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET plan_hash = ? WHERE id = ?`, b.PlanHash, b.ID); err != nil {
			return fmt.Errorf("record the plan hash: %w", err)
		}
		return nil
	})
	if errors.Is(err, batch.ErrBatchExists) || (err != nil && err == own) {
		return err // says all: the reference is taken, or why planning stopped
	}
	if err != nil {
		return s.fail(fmt.Sprintf("create batch %q", b.Reference), err)
	}
	b.CreatedAt = created
	return nil
}

// draft is a batch being created inside one transaction.
type draft struct {
	tx      *sql.Tx
	batchID int64
	at      string
	created time.Time
	ins, ev *sql.Stmt
	count   int
	err     error // the ledger's own failure, if any
}

// Add implements batch.BatchDraft.
func (d *draft) Add(ctx context.Context, items []batch.Item) error {
	err := d.add(ctx, items)
	if err != nil {
		d.err = err
	}
	return err
}

func (d *draft) add(ctx context.Context, items []batch.Item) error {
	for i := range items {
		it := &items[i]
		res, err := d.ins.ExecContext(ctx, d.batchID, it.Row, it.Name, it.Phone, it.Country, it.Operator, it.Email, it.Mode,
			it.Amount, it.Reference, it.Provider, strings.Join(it.Route, ","), batch.Planned, d.at, it.Fingerprint, nullID(it.RetryOf),
			it.Charge, it.Send())
		if err != nil {
			return fmt.Errorf("insert item row %d: %w", it.Row, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		it.ID, it.BatchID, it.State = id, d.batchID, batch.Planned
		if _, err := d.ev.ExecContext(ctx, eventArgs(batch.ItemPlannedEvent(*it), d.at)...); err != nil {
			return fmt.Errorf("append event of row %d: %w", it.Row, err)
		}
		it.UpdatedAt = d.created
		d.count++
	}
	return nil
}

// Repeats implements batch.BatchDraft.
func (d *draft) Repeats(ctx context.Context, fingerprints []string) (map[string]batch.Repeat, error) {
	out, err := repeatsOf(ctx, d.tx, d.batchID, fingerprints)
	if err != nil {
		d.err = err
	}
	return out, err
}

const batchCols = `id, reference, sheet_hash, sheet_name, currency, total_amount, item_count, sandbox, created_at, period,
	COALESCE(parent_id, 0), charge, profit, fees, created_by, plan_hash, approved_hash, approved_by, approved_at,
	require_approval, four_eyes, endpoint`

func scanBatch(sc interface{ Scan(...any) error }) (batch.Batch, error) {
	var b batch.Batch
	var created, approvedAt sql.NullString
	var fees, endpoint string
	if err := sc.Scan(&b.ID, &b.Reference, &b.SheetHash, &b.SheetName, &b.Currency, &b.TotalAmount, &b.ItemCount, &b.Sandbox, &created,
		&b.Period, &b.ParentID, &b.Charge, &b.Profit, &fees, &b.CreatedBy, &b.PlanHash, &b.Approval.Hash, &b.Approval.By, &approvedAt,
		&b.Policy.RequireApproval, &b.Policy.FourEyes, &endpoint); err != nil {
		return b, err
	}
	var err error
	if b.CreatedAt, err = parseTime("batch", b.ID, "created_at", created); err != nil {
		return b, err
	}
	if b.Approval.At, err = parseTime("batch", b.ID, "approved_at", approvedAt); err != nil {
		return b, err
	}
	if err := decodeJSON("batch", b.ID, "fees", fees, &b.Fees); err != nil {
		return b, err
	}
	return b, decodeJSON("batch", b.ID, "endpoint", endpoint, &b.Endpoint)
}

// Batch implements batch.BatchReader: key is a reference or a numeric id; a
// batch whose reference is key wins over the batch whose id is key.
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
	if err != nil {
		return batch.Batch{}, s.fail(fmt.Sprintf("read batch %q", key), err)
	}
	return b, nil
}

// Batches implements batch.BatchReader.
func (s *Store) Batches(ctx context.Context) ([]batch.Batch, error) {
	out, err := s.batches(ctx)
	return out, s.fail("list batches", err)
}

func (s *Store) batches(ctx context.Context) ([]batch.Batch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+batchCols+` FROM batches ORDER BY id DESC`)
	if err != nil {
		return nil, err
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
	charge, pay_amount, notify_digest`

func scanItems(rows *sql.Rows) ([]batch.Item, error) {
	defer rows.Close()
	var out []batch.Item
	for rows.Next() {
		var it batch.Item
		var updated sql.NullString
		var route string
		if err := rows.Scan(&it.ID, &it.BatchID, &it.Row, &it.Name, &it.Phone, &it.Country, &it.Operator, &it.Email,
			&it.Mode, &it.Amount, &it.Reference, &it.Provider, &route, &it.ProviderReference, &it.ProviderFee, &it.ProviderNet,
			&it.State, &it.Message, &it.Attempts, &updated, &it.Fingerprint, &it.RetryOf, &it.Charge, &it.PayAmount, &it.NotifyDigest); err != nil {
			return nil, err
		}
		if route != "" {
			it.Route = strings.Split(route, ",")
		}
		var err error
		if it.UpdatedAt, err = parseTime("item", it.ID, "updated_at", updated); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Items implements batch.ItemReader.
func (s *Store) Items(ctx context.Context, batchID int64, states ...batch.State) ([]batch.Item, error) {
	q := `SELECT ` + itemCols + ` FROM items WHERE batch_id = ?`
	args := []any{batchID}
	if len(states) > 0 {
		// by state through its index, then sorted: left to itself SQLite walks
		// the whole batch in row order to spare the sort, so that a resumed
		// run's few submitting or unknown items cost as much as the batch
		q = `SELECT ` + itemCols + ` FROM items INDEXED BY items_batch_state WHERE batch_id = ?`
		q += ` AND state IN (?` + strings.Repeat(`, ?`, len(states)-1) + `)`
		for _, st := range states {
			args = append(args, st)
		}
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY row`, args...)
	if err != nil {
		return nil, s.fail("read items", err)
	}
	items, err := scanItems(rows)
	return items, s.fail("read items", err)
}

// ItemsAfter implements batch.ItemReader: one page in sheet order, found
// through the (batch_id, row) index.
func (s *Store) ItemsAfter(ctx context.Context, batchID int64, after, limit int, states ...batch.State) ([]batch.Item, error) {
	q := `SELECT ` + itemCols + ` FROM items WHERE batch_id = ? AND row > ?`
	args := []any{batchID, after}
	if len(states) > 0 {
		q += ` AND state IN (?` + strings.Repeat(`, ?`, len(states)-1) + `)`
		for _, st := range states {
			args = append(args, st)
		}
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY row LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, s.fail("read items", err)
	}
	items, err := scanItems(rows)
	return items, s.fail("read items", err)
}

// Totals implements batch.ItemReader with one aggregate query.
func (s *Store) Totals(ctx context.Context, batchID int64) (map[batch.State]batch.Total, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state, COUNT(*), COALESCE(SUM(amount), 0) FROM items WHERE batch_id = ? GROUP BY state`, batchID)
	if err != nil {
		return nil, s.fail("count items", err)
	}
	defer rows.Close()
	out := map[batch.State]batch.Total{}
	for rows.Next() {
		var st batch.State
		var t batch.Total
		if err := rows.Scan(&st, &t.Items, &t.Amount); err != nil {
			return nil, s.fail("count items", err)
		}
		out[st] = t
	}
	return out, s.fail("count items", rows.Err())
}

// ProviderTotals implements batch.RunReader with one aggregate query.
func (s *Store) ProviderTotals(ctx context.Context, batchID int64) (map[string]map[batch.State]batch.Total, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT provider, state, COUNT(*), COALESCE(SUM(amount), 0) FROM items WHERE batch_id = ? GROUP BY provider, state`, batchID)
	if err != nil {
		return nil, s.fail("count items by provider", err)
	}
	defer rows.Close()
	out := map[string]map[batch.State]batch.Total{}
	for rows.Next() {
		var p string
		var st batch.State
		var t batch.Total
		if err := rows.Scan(&p, &st, &t.Items, &t.Amount); err != nil {
			return nil, s.fail("count items by provider", err)
		}
		if out[p] == nil {
			out[p] = map[batch.State]batch.Total{}
		}
		out[p][st] = t
	}
	return out, s.fail("count items by provider", rows.Err())
}

// Item implements batch.RunReader.
func (s *Store) Item(ctx context.Context, itemID int64) (batch.Item, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+itemCols+` FROM items WHERE id = ?`, itemID)
	if err != nil {
		return batch.Item{}, s.fail("read item", err)
	}
	items, err := scanItems(rows)
	if err != nil {
		return batch.Item{}, s.fail("read item", err)
	}
	if len(items) == 0 {
		return batch.Item{}, fmt.Errorf("read item: %w: id %d", batch.ErrItemNotFound, itemID)
	}
	return items[0], nil
}

// FindItem implements batch.ItemFinder: by our reference through its unique
// index; by the provider's id with one query (that column has no index: a
// callback carries our reference but in rare cases).
func (s *Store) FindItem(ctx context.Context, ours, provider, theirs string) (batch.Item, bool, error) {
	q, args := `SELECT `+itemCols+` FROM items WHERE reference = ?`, []any{ours}
	if ours == "" {
		q, args = `SELECT `+itemCols+` FROM items WHERE provider = ? AND provider_reference = ? AND provider_reference <> '' ORDER BY id LIMIT 1`,
			[]any{provider, theirs}
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return batch.Item{}, false, s.fail("find item", err)
	}
	items, err := scanItems(rows)
	if err != nil {
		return batch.Item{}, false, s.fail("find item", err)
	}
	if len(items) == 0 {
		return batch.Item{}, false, nil
	}
	return items[0], true, nil
}

// OpenByProvider implements batch.RunReader through the state index: the
// items already final are not read.
func (s *Store) OpenByProvider(ctx context.Context, batchID int64) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT provider, COUNT(*) FROM items INDEXED BY items_batch_state
		WHERE batch_id = ? AND state IN (`+openStates+`) GROUP BY provider`, batchID)
	if err != nil {
		return nil, s.fail("count open items by provider", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, s.fail("count open items by provider", err)
		}
		out[p] = n
	}
	return out, s.fail("count open items by provider", rows.Err())
}

// openStates lists, for SQL, the states that are not final.
var openStates = func() string {
	var qs []string
	for _, st := range batch.States {
		if !st.Terminal() {
			qs = append(qs, "'"+string(st)+"'")
		}
	}
	return strings.Join(qs, ", ")
}()

// LaneItemsAfter implements batch.RunReader.
func (s *Store) LaneItemsAfter(ctx context.Context, batchID int64, provider string, state batch.State, afterRow, limit int) ([]batch.Item, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+itemCols+` FROM items WHERE batch_id = ? AND state = ? AND provider = ? AND row > ?
		ORDER BY row LIMIT ?`, batchID, state, provider, afterRow, max(limit, 0))
	if err != nil {
		return nil, s.fail("read items", err)
	}
	items, err := scanItems(rows)
	return items, s.fail("read items", err)
}

// Claim implements batch.RunStore. The claims are in the main file when it
// returns, before any request for them leaves: a copy of the main file alone
// shows every item that may have been sent as at least submitting. Claims made
// at the same time are committed and checkpointed together (group.go).
func (s *Store) Claim(ctx context.Context, batchID int64, provider string, limit int, except ...int64) ([]batch.Claim, error) {
	return s.claim(ctx, false, batchID, provider, limit, batch.Lease{}, except...)
}

// ClaimHeld implements batch.HoldingStore: Claim, its attempts opened held.
func (s *Store) ClaimHeld(ctx context.Context, batchID int64, provider string, limit int, except ...int64) ([]batch.Claim, error) {
	return s.claim(ctx, true, batchID, provider, limit, batch.Lease{}, except...)
}

// Release implements batch.HoldingStore: the attempt's request may leave
// once this is in the main file, as the claim was (a copy of the main file
// alone must not show a request that left as held).
func (s *Store) Release(ctx context.Context, attemptID int64) error {
	res := s.submit(ctx, true, func(ctx context.Context, tx *sql.Tx) error {
		// only while its item is still being sent: a worker whose claim was
		// recovered meanwhile (its lease ran out) must not send
		r, err := tx.ExecContext(ctx, `UPDATE attempts SET outcome = NULL WHERE id = ? AND outcome = ? AND finished_at IS NULL
			AND EXISTS (SELECT 1 FROM items i WHERE i.id = attempts.item_id AND i.state = 'submitting')`,
			attemptID, batch.OutcomeHeld)
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil || n != 1 {
			return errors.Join(fmt.Errorf("%w: attempt %d is not open and held", batch.ErrStale, attemptID), err)
		}
		return nil
	})
	if res.err != nil {
		return s.fail(fmt.Sprintf("release attempt %d", attemptID), res.err)
	}
	if res.checkpoint != nil {
		return fmt.Errorf("release attempt %d: not yet in the ledger's main file, so not sent: %w", attemptID, res.checkpoint)
	}
	return nil
}

// claim is Claim, its attempts opened held when held, under lease (none
// when zero: claimed under the batch's lock). On PostgreSQL the items are
// read FOR UPDATE SKIP LOCKED: an item another worker's claim holds is passed
// over, not waited for.
func (s *Store) claim(ctx context.Context, held bool, batchID int64, provider string, limit int, lease batch.Lease, except ...int64) ([]batch.Claim, error) {
	if limit <= 0 {
		return nil, nil
	}
	var claims []batch.Claim
	res := s.submit(ctx, true, func(ctx context.Context, tx *sql.Tx) error {
		claims = claims[:0]
		// an item paid by link keeps the mode link until its link is claimed
		q := `SELECT ` + itemCols + ` FROM items WHERE batch_id = ` + s.unplanned() + ` AND provider = ` + s.unplanned() +
			` AND state = 'planned' AND mode <> 'link'`
		args := []any{batchID, provider}
		if len(except) > 0 {
			q += ` AND id NOT IN (?` + strings.Repeat(`, ?`, len(except)-1) + `)`
			for _, id := range except {
				args = append(args, id)
			}
		}
		q += ` ORDER BY row LIMIT ` + strconv.Itoa(limit)
		if s.pg {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		items, err := scanItems(rows)
		if err != nil {
			return err
		}
		now := s.clock()
		at := batch.Stamp(now)
		until, err := s.leaseUntil(ctx, tx, lease)
		if err != nil {
			return err
		}
		for _, it := range items {
			res, err := tx.ExecContext(ctx, `UPDATE items SET state = 'submitting', attempts = attempts + 1, updated_at = ?,
				claimed_by = ?, lease_until = ? WHERE id = ? AND state = 'planned'`, at, lease.Worker, until, it.ID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n != 1 {
				continue // another writer claimed it since it was read: not ours to send
			}
			id, err := insertAttempt(ctx, tx, it, batch.KindSend, batch.RequestSummary(it), at)
			if err != nil {
				return err
			}
			if held {
				// an open attempt's outcome is empty, or held until released
				if _, err := tx.ExecContext(ctx, `UPDATE attempts SET outcome = ? WHERE id = ?`, batch.OutcomeHeld, id); err != nil {
					return fmt.Errorf("hold attempt %d: %w", id, err)
				}
			}
			if err := appendEvent(ctx, tx, batch.ClaimedEvent(it, id), at); err != nil {
				return err
			}
			it.State, it.UpdatedAt = batch.Submitting, now
			it.Attempts++
			claims = append(claims, batch.Claim{Item: it, AttemptID: id})
		}
		return nil
	})
	if res.err != nil {
		return nil, s.fail("claim items", res.err)
	}
	if len(claims) == 0 {
		return nil, nil
	}
	if res.checkpoint != nil {
		err := fmt.Errorf("claim items: %d item(s) claimed but not yet in the ledger's main file, so not sent: %w", len(claims), res.checkpoint)
		// nothing left: the claim is undone, so that no item waits in doubt
		// (or for a person) for a request that never went out
		undo := make([]batch.Change, 0, len(claims))
		for _, c := range claims {
			undo = append(undo, batch.Change{ItemID: c.Item.ID, From: batch.Submitting, To: batch.Planned,
				Cause:   "claim undone: it could not reach the ledger's main file, so nothing was sent",
				Attempt: &batch.AttemptEnd{ID: c.AttemptID, Outcome: batch.OutcomeNotProcessed, Response: err.Error()}})
		}
		if uerr := s.Apply(context.WithoutCancel(ctx), undo...); uerr != nil {
			return nil, errors.Join(err, fmt.Errorf("undo claim: %w", uerr))
		}
		return nil, err
	}
	return claims, nil
}

// unplanned is the placeholder of a value the claim's query compares with:
// on SQLite a unary plus before it, and the claim's limit is written into
// the statement, not bound. SQLite (3.54) marks a statement whose plan looked
// at a bound value (here the batch and the provider against the ORDER BY, and
// a bound LIMIT) to be prepared again once its values are cleared, which the
// driver does each time the statement is put back in its cache: every claim
// was prepared anew, about as much work as the rest of it. +? is the same
// value to the query and the same plan (EXPLAIN QUERY PLAN: SEARCH items
// USING INDEX items_batch_state (batch_id=? AND state=? AND provider=?)),
// but one the planner does not look into. PostgreSQL has no unary plus for
// text, and needs none.
func (s *Store) unplanned() string {
	if s.pg {
		return `?`
	}
	return `+?`
}

func insertAttempt(ctx context.Context, tx *sql.Tx, it batch.Item, kind, request, at string) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO attempts (item_id, provider, reference, kind, request, started_at)
		VALUES (?, ?, ?, ?, ?, ?)`, it.ID, it.Provider, it.Reference, kind, request, at)
	if err != nil {
		return 0, fmt.Errorf("insert attempt: %w", err)
	}
	return res.LastInsertId()
}

// StartAttempt implements batch.RunStore.
func (s *Store) StartAttempt(ctx context.Context, itemID int64, kind, request string) (int64, error) {
	return s.startAttempt(ctx, itemID, kind, request, false)
}

// StartHeld implements batch.HoldingStore: StartAttempt, the attempt opened
// held.
func (s *Store) StartHeld(ctx context.Context, itemID int64, kind string) (int64, error) {
	return s.startAttempt(ctx, itemID, kind, "", true)
}

func (s *Store) startAttempt(ctx context.Context, itemID int64, kind, request string, held bool) (int64, error) {
	var id int64
	err := s.submit(ctx, false, func(ctx context.Context, tx *sql.Tx) error {
		var it batch.Item
		err := tx.QueryRowContext(ctx, `SELECT id, provider, reference, phone, amount, state FROM items WHERE id = ?`, itemID).
			Scan(&it.ID, &it.Provider, &it.Reference, &it.Phone, &it.Amount, &it.State)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: id %d", batch.ErrItemNotFound, itemID)
		}
		if err != nil {
			return err
		}
		if it.State.Terminal() {
			// settled meanwhile (another worker): no request for it any more
			return fmt.Errorf("item %d is already %s: %w", itemID, it.State, batch.ErrStale)
		}
		summary := request // this run's own: the function may run twice (group.go)
		if summary == "" {
			summary = batch.RequestSummary(it)
		}
		at := batch.Stamp(s.clock())
		if err := closeOpen(ctx, tx, itemID, at); err != nil {
			return err
		}
		if id, err = insertAttempt(ctx, tx, it, kind, summary, at); err != nil {
			return err
		}
		if held {
			if _, err := tx.ExecContext(ctx, `UPDATE attempts SET outcome = ? WHERE id = ?`, batch.OutcomeHeld, id); err != nil {
				return fmt.Errorf("hold attempt %d: %w", id, err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE items SET attempts = attempts + 1, updated_at = ? WHERE id = ?`, at, itemID)
		return err
	}).err
	if err != nil {
		return 0, s.fail(fmt.Sprintf("start attempt of item %d", itemID), err)
	}
	return id, nil
}

// Apply implements batch.RunStore. Changes applied at the same time by
// several callers are committed together, each all or nothing (group.go).
func (s *Store) Apply(ctx context.Context, changes ...batch.Change) error {
	return s.fail("apply changes", s.submit(ctx, false, func(ctx context.Context, tx *sql.Tx) error {
		at := batch.Stamp(s.clock())
		for _, c := range changes {
			if err := applyOne(ctx, tx, c, at); err != nil {
				return err
			}
		}
		return nil
	}).err)
}

// closeOpen ends attempts a crashed run left open: their answer was never recorded.
func closeOpen(ctx context.Context, tx *sql.Tx, itemID int64, at string) error {
	_, err := tx.ExecContext(ctx, `UPDATE attempts SET finished_at = ?, outcome = ?, response = ?
		WHERE item_id = ? AND finished_at IS NULL`, at, batch.OutcomeUnknown, batch.Interrupted, itemID)
	if err != nil {
		return fmt.Errorf("close open attempts of item %d: %w", itemID, err)
	}
	return nil
}

// applyOne applies c inside tx. A state move reads the item's batch from
// the UPDATE that moves it (RETURNING batch_id): the move and its event cost
// two statements, not three. Only a change that moves nothing looks the batch
// up on its own. An item that is not there is batch.ErrItemNotFound, one no
// longer in c.From (or no longer under c.Lease) batch.ErrStale.
func applyOne(ctx context.Context, tx *sql.Tx, c batch.Change, at string) error {
	var batchID int64
	if c.To == "" {
		var err error
		if batchID, err = itemBatch(ctx, tx, c.ItemID); err != nil {
			return err
		}
	} else if err := batch.CheckMove(c.From, c.To); err != nil {
		return fmt.Errorf("item %d: %w", c.ItemID, err)
	}
	if a := c.Attempt; a != nil {
		q := `UPDATE attempts SET finished_at = ?, outcome = ?, provider_reference = ?, response = ?
			WHERE id = ? AND item_id = ? AND finished_at IS NULL`
		args := []any{at, a.Outcome, a.ProviderReference, a.Response, a.ID, c.ItemID}
		if a.WhileHeld {
			q += ` AND outcome = ?`
			args = append(args, batch.OutcomeHeld)
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("close attempt %d: %w", a.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return missingOr(ctx, tx, c.ItemID, fmt.Errorf("close attempt %d of item %d: %w", a.ID, c.ItemID, errors.Join(batch.ErrStale, err)))
		}
	}
	if c.CloseOpen {
		if err := closeOpen(ctx, tx, c.ItemID, at); err != nil {
			return err
		}
	}
	if c.To == "" && c.Evidence {
		e := c.Event(batchID)
		e.From = ""
		return appendEvent(ctx, tx, e, at)
	}
	if c.To == "" {
		if c.Message == "" {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE items SET message = ? WHERE id = ?`, c.Message, c.ItemID); err != nil {
			return fmt.Errorf("update item %d: %w", c.ItemID, err)
		}
		return nil
	}
	err := tx.QueryRowContext(ctx, `UPDATE items SET state = ?, updated_at = ?,
			message = CASE WHEN ? <> '' THEN ? ELSE message END,
			provider_reference = CASE WHEN ? <> '' THEN ? ELSE provider_reference END,
			provider_fee = CASE WHEN ? <> 0 THEN ? ELSE provider_fee END,
			provider_net = CASE WHEN ? <> 0 THEN ? ELSE provider_net END,
			provider = CASE WHEN ? <> '' THEN ? ELSE provider END,
			notify_digest = CASE WHEN ? <> '' THEN ? ELSE notify_digest END
		WHERE id = ? AND state = ?`+leaseCond(c.Lease)+` RETURNING batch_id`,
		append([]any{c.To, at, c.Message, c.Message, c.ProviderReference, c.ProviderReference, c.ProviderFee, c.ProviderFee,
			c.ProviderNet, c.ProviderNet, c.Provider, c.Provider, c.NotifyDigest, c.NotifyDigest, c.ItemID, c.From}, leaseArgs(c.Lease)...)...).
		Scan(&batchID)
	if errors.Is(err, sql.ErrNoRows) {
		return missingOr(ctx, tx, c.ItemID, fmt.Errorf("item %d is no longer %s: %w", c.ItemID, c.From, batch.ErrStale))
	}
	if err != nil {
		return fmt.Errorf("update item %d: %w", c.ItemID, err)
	}
	return appendEvent(ctx, tx, c.Event(batchID), at)
}

// missingOr is batch.ErrItemNotFound when the item is not in the ledger,
// else stale: for a change that found nothing to change, once it failed.
func missingOr(ctx context.Context, tx *sql.Tx, itemID int64, stale error) error {
	if _, err := itemBatch(ctx, tx, itemID); err != nil {
		return err
	}
	return stale
}

// Attempts implements batch.Trail.
func (s *Store) Attempts(ctx context.Context, itemID int64) ([]batch.Attempt, error) {
	out, err := s.attempts(ctx, itemID)
	return out, s.fail(fmt.Sprintf("read attempts of item %d", itemID), err)
}

func (s *Store) attempts(ctx context.Context, itemID int64) ([]batch.Attempt, error) {
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
		if a.StartedAt, err = parseTime("attempt", a.ID, "started_at", started); err != nil {
			return nil, err
		}
		if a.FinishedAt, err = parseTime("attempt", a.ID, "finished_at", finished); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Events implements batch.Trail.
func (s *Store) Events(ctx context.Context, batchID, itemID int64) ([]batch.Event, error) {
	out, err := s.events(ctx, batchID, itemID)
	return out, s.fail("read events", err)
}

func (s *Store) events(ctx context.Context, batchID, itemID int64) ([]batch.Event, error) {
	q := `SELECT id, batch_id, COALESCE(item_id, 0), at, from_state, to_state, cause, detail, actor FROM events WHERE batch_id = ?`
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
		if err := rows.Scan(&e.ID, &e.BatchID, &e.ItemID, &at, &e.From, &e.To, &e.Cause, &e.Detail, &e.Actor); err != nil {
			return nil, err
		}
		if e.At, err = parseTime("event", e.ID, "at", at); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Note implements batch.Notes.
func (s *Store) Note(ctx context.Context, batchID int64, cause, detail string) error {
	return s.fail("note event", s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := batchRef(ctx, tx, batchID); err != nil {
			return err
		}
		return appendEvent(ctx, tx, batch.Event{BatchID: batchID, Cause: cause, Detail: detail}, batch.Stamp(s.clock()))
	}))
}

// Lock implements batch.SessionStore.
func (s *Store) Lock(ctx context.Context, batchID int64, o batch.Owner) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var ref, start string
		var pid sql.NullInt64
		var host, since sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT reference, lock_pid, lock_host, lock_at, lock_start FROM batches WHERE id = ?`, batchID).
			Scan(&ref, &pid, &host, &since, &start)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: id %d", batch.ErrBatchNotFound, batchID)
		}
		if err != nil {
			return err
		}
		var held batch.Owner
		if pid.Valid && !(int(pid.Int64) == o.PID && host.String == o.Host && start == o.Start) {
			at, err := parseTime("batch", batchID, "lock_at", since)
			if err != nil {
				return err
			}
			if host.String != o.Host || s.alive(int(pid.Int64), start) {
				return &batch.LockedError{Reference: ref, PID: int(pid.Int64), Host: host.String, Since: at}
			}
			held = batch.Owner{PID: int(pid.Int64), Host: host.String, Start: start, At: at}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET lock_pid = ?, lock_host = ?, lock_at = ?, lock_start = ? WHERE id = ?`,
			o.PID, o.Host, batch.Stamp(o.At), o.Start, batchID); err != nil {
			return err
		}
		return appendEvent(ctx, tx, batch.RunStartedEvent(batchID, o, held), batch.Stamp(s.clock()))
	})
	var le *batch.LockedError
	if errors.As(err, &le) {
		return err // says all: the batch and who holds it
	}
	return s.fail("lock batch", err)
}

// Unlock implements batch.SessionStore.
func (s *Store) Unlock(ctx context.Context, batchID int64, o batch.Owner) error {
	return s.fail("unlock batch", s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE batches SET lock_pid = NULL, lock_host = NULL, lock_at = NULL, lock_start = ''
			WHERE id = ? AND lock_pid = ? AND lock_host = ?`, batchID, o.PID, o.Host)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return appendEvent(ctx, tx, batch.RunEndedEvent(batchID, o), batch.Stamp(s.clock()))
	}))
}

// Contacts implements batch.ContactBook.
func (s *Store) Contacts(ctx context.Context, provider string) (map[string]bool, error) {
	out, err := s.contacts(ctx, provider)
	return out, s.fail(fmt.Sprintf("read %s contacts", provider), err)
}

func (s *Store) contacts(ctx context.Context, provider string) (map[string]bool, error) {
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

// RememberContacts implements batch.ContactBook.
func (s *Store) RememberContacts(ctx context.Context, provider string, phones []string) error {
	return s.fail(fmt.Sprintf("remember %s contacts", provider), s.tx(ctx, func(tx *sql.Tx) error {
		at := batch.Stamp(s.clock())
		for _, p := range phones {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO contacts (provider, phone, added_at) VALUES (?, ?, ?)`, provider, p, at); err != nil {
				return err
			}
		}
		return nil
	}))
}

// Repeats implements batch.PlanStore: the items of other batches that carry any
// of the fingerprints.
func (s *Store) Repeats(ctx context.Context, batchID int64, fingerprints []string) (map[string]batch.Repeat, error) {
	out, err := repeatsOf(ctx, s.db, batchID, fingerprints)
	return out, s.fail("find repeated payments", err)
}

// querier is the database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func repeatsOf(ctx context.Context, q querier, batchID int64, fingerprints []string) (map[string]batch.Repeat, error) {
	out := map[string]batch.Repeat{}
	const chunk = 500
	for start := 0; start < len(fingerprints); start += chunk {
		if err := repeats(ctx, q, batchID, fingerprints[start:min(start+chunk, len(fingerprints))], out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func repeats(ctx context.Context, q querier, batchID int64, part []string, out map[string]batch.Repeat) error {
	args := []any{batchID}
	for _, f := range part {
		args = append(args, f)
	}
	rows, err := q.QueryContext(ctx, `SELECT i.fingerprint, b.id, b.reference, i.row, i.state, b.created_at FROM items i
		JOIN batches b ON b.id = i.batch_id
		WHERE i.batch_id <> ? AND i.fingerprint IN (?`+strings.Repeat(`, ?`, len(part)-1)+`) ORDER BY i.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var fp string
		var id int64
		var r batch.Repeat
		var created sql.NullString
		if err := rows.Scan(&fp, &id, &r.OtherBatch, &r.OtherRow, &r.OtherState, &created); err != nil {
			return err
		}
		if r.OtherCreated, err = parseTime("batch", id, "created_at", created); err != nil {
			return err
		}
		if _, seen := out[fp]; !seen {
			out[fp] = r
		}
	}
	return rows.Err()
}

// Approve implements batch.ApprovalStore.
func (s *Store) Approve(ctx context.Context, batchID int64, a batch.Approval, note string) error {
	return s.fail("record approval", s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := batchRef(ctx, tx, batchID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET approved_hash = ?, approved_by = ?, approved_at = ? WHERE id = ?`,
			a.Hash, a.By, batch.Stamp(a.At), batchID); err != nil {
			return err
		}
		return appendEvent(ctx, tx, batch.ApprovedEvent(batchID, a, note), batch.Stamp(s.clock()))
	}))
}

// ProviderReferences implements batch.ReconcileStore.
func (s *Store) ProviderReferences(ctx context.Context) (map[string]map[string]bool, error) {
	out, err := s.providerReferences(ctx)
	return out, s.fail("read provider references", err)
}

func (s *Store) providerReferences(ctx context.Context) (map[string]map[string]bool, error) {
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

// findingUnchecked is the kind of a finding that could not be checked.
const findingUnchecked = "unchecked"

// SaveReconciliation implements batch.Reconciliations.
func (s *Store) SaveReconciliation(ctx context.Context, batchID int64, r batch.Reconciliation) error {
	at := batch.Stamp(r.At)
	return s.fail("save reconciliation", s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := batchRef(ctx, tx, batchID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE batches SET reconciled_at = ? WHERE id = ?`, at, batchID); err != nil {
			return fmt.Errorf("record reconciliation: %w", err)
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
		return appendEvent(ctx, tx, batch.ReconciliationEvent(batchID, r), batch.Stamp(s.clock()))
	}))
}

// Reconciliation implements batch.Reconciliations.
func (s *Store) Reconciliation(ctx context.Context, batchID int64) (batch.Reconciliation, error) {
	r, err := s.reconciliation(ctx, batchID)
	return r, s.fail("read reconciliation", err)
}

func (s *Store) reconciliation(ctx context.Context, batchID int64) (batch.Reconciliation, error) {
	var r batch.Reconciliation
	var at sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT reconciled_at FROM batches WHERE id = ?`, batchID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%w: id %d", batch.ErrBatchNotFound, batchID)
	}
	if err != nil {
		return r, err
	}
	if r.At, err = parseTime("batch", batchID, "reconciled_at", at); err != nil {
		return r, err
	}
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
