package ledger

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"bulkpay/batch"
)

var _ batch.LinkStore = (*Store)(nil)

const linkCols = `l.id, l.batch_id, l.item_id, l.row, l.amount, l.currency, l.name, l.phone, l.country, l.operator, l.email,
	l.expires_at, l.status, l.other_ok, l.invited_at, l.reminders, l.code_hash, l.code_salt, l.code_expires, l.code_sent_at,
	l.code_requests, l.code_window, l.attempts, l.locked_until, l.locks, l.review, l.claimed_at, l.claim_mode, l.claim_phone,
	l.version, l.created_at, l.updated_at, i.state`

func scanLinks(rows *sql.Rows) ([]batch.Link, error) {
	defer rows.Close()
	var out []batch.Link
	for rows.Next() {
		var l batch.Link
		var times [9]sql.NullString
		if err := rows.Scan(&l.ID, &l.BatchID, &l.ItemID, &l.Row, &l.Amount, &l.Currency, &l.Name, &l.Phone, &l.Country,
			&l.Operator, &l.Email, &times[0], &l.Status, &l.OtherOK, &times[1], &l.Reminders, &l.CodeHash, &l.CodeSalt,
			&times[2], &times[3], &l.CodeRequests, &times[4], &l.Attempts, &times[5], &l.Locks, &l.Review, &times[6],
			&l.ClaimMode, &l.ClaimPhone, &l.Version, &times[7], &times[8], &l.ItemState); err != nil {
			return nil, err
		}
		dst := []*time.Time{&l.ExpiresAt, &l.InvitedAt, &l.CodeExpires, &l.CodeSentAt, &l.CodeWindow, &l.LockedUntil,
			&l.ClaimedAt, &l.CreatedAt, &l.UpdatedAt}
		cols := []string{"expires_at", "invited_at", "code_expires", "code_sent_at", "code_window", "locked_until",
			"claimed_at", "created_at", "updated_at"}
		for i, d := range dst {
			t, err := parseTime("link", l.BatchID, cols[i], times[i])
			if err != nil {
				return nil, err
			}
			*d = t
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// AddLinks implements batch.LinkStore, in one transaction whose statements
// are prepared once for all the links.
func (s *Store) AddLinks(ctx context.Context, links []batch.Link, actor string) (int, error) {
	n := 0
	err := s.durableTx(ctx, func(tx *sql.Tx) error {
		n = 0
		at := batch.Stamp(s.clock())
		owner, err := tx.PrepareContext(ctx, `SELECT batch_id FROM items WHERE id = ?`)
		if err != nil {
			return err
		}
		defer owner.Close()
		insert, err := tx.PrepareContext(ctx, `INSERT INTO links (id, batch_id, item_id, row, amount, currency, name, phone,
				country, operator, email, expires_at, status, other_ok, created_at, updated_at)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?
			WHERE NOT EXISTS (SELECT 1 FROM links WHERE item_id = ?)`)
		if err != nil {
			return err
		}
		defer insert.Close()
		event, err := tx.PrepareContext(ctx, insertEvent)
		if err != nil {
			return err
		}
		defer event.Close()
		for _, l := range links {
			var b int64
			if err := owner.QueryRowContext(ctx, l.ItemID).Scan(&b); errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: id %d", batch.ErrItemNotFound, l.ItemID)
			} else if err != nil {
				return err
			}
			if b != l.BatchID {
				return fmt.Errorf("link of item %d: not an item of batch %d", l.ItemID, l.BatchID)
			}
			res, err := insert.ExecContext(ctx, l.ID, l.BatchID, l.ItemID, l.Row, l.Amount, l.Currency, l.Name, l.Phone,
				l.Country, l.Operator, l.Email, batch.Stamp(l.ExpiresAt), l.OtherOK, at, at, l.ItemID)
			if err != nil {
				return fmt.Errorf("add link of item %d: %w", l.ItemID, err)
			}
			if k, err := res.RowsAffected(); err != nil || k == 0 {
				continue
			}
			n++
			e := batch.Event{BatchID: l.BatchID, ItemID: l.ItemID, Cause: batch.CauseLinkIssued,
				Detail: "expires " + batch.Stamp(l.ExpiresAt), Actor: actor}
			if _, err := event.ExecContext(ctx, eventArgs(e, at)...); err != nil {
				return fmt.Errorf("append event %q: %w", e.Cause, err)
			}
		}
		return nil
	})
	return n, s.fail("add links", err)
}

// Link implements batch.LinkStore.
func (s *Store) Link(ctx context.Context, id string) (batch.Link, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+linkCols+` FROM links l JOIN items i ON i.id = l.item_id WHERE l.id = ?`, id)
	if err != nil {
		return batch.Link{}, s.fail("read link", err)
	}
	links, err := scanLinks(rows)
	if err != nil {
		return batch.Link{}, s.fail("read link", err)
	}
	if len(links) == 0 {
		return batch.Link{}, fmt.Errorf("read link: %w", batch.ErrLinkNotFound)
	}
	return links[0], nil
}

// Links implements batch.LinkStore.
func (s *Store) Links(ctx context.Context, batchID int64, statuses ...batch.LinkStatus) ([]batch.Link, error) {
	q := `SELECT ` + linkCols + ` FROM links l JOIN items i ON i.id = l.item_id WHERE (? = 0 OR l.batch_id = ?)`
	args := []any{batchID, batchID}
	if len(statuses) > 0 {
		q += ` AND l.status IN (?` + strings.Repeat(`, ?`, len(statuses)-1) + `)`
		for _, st := range statuses {
			args = append(args, string(st))
		}
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY l.batch_id, l.row`, args...)
	if err != nil {
		return nil, s.fail("read links", err)
	}
	out, err := scanLinks(rows)
	return out, s.fail("read links", err)
}

// updateLink stores what a change may change of l, if it is still sent at
// its version, and bumps the version.
func updateLink(ctx context.Context, tx *sql.Tx, l batch.Link, status batch.LinkStatus, at string) error {
	res, err := tx.ExecContext(ctx, `UPDATE links SET status = ?, invited_at = ?, reminders = ?, code_hash = ?, code_salt = ?,
			code_expires = ?, code_sent_at = ?, code_requests = ?, code_window = ?, attempts = ?, locked_until = ?, locks = ?,
			review = ?, claimed_at = ?, claim_mode = ?, claim_phone = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ? AND status = 'sent'`,
		status, stamp(l.InvitedAt), l.Reminders, l.CodeHash, l.CodeSalt, stamp(l.CodeExpires), stamp(l.CodeSentAt),
		l.CodeRequests, stamp(l.CodeWindow), l.Attempts, stamp(l.LockedUntil), l.Locks, l.Review, stamp(l.ClaimedAt),
		l.ClaimMode, l.ClaimPhone, at, l.ID, l.Version)
	if err != nil {
		return fmt.Errorf("update link of row %d: %w", l.Row, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		var one int
		if qerr := tx.QueryRowContext(ctx, `SELECT 1 FROM links WHERE id = ?`, l.ID).Scan(&one); errors.Is(qerr, sql.ErrNoRows) {
			return batch.ErrLinkNotFound
		}
		return fmt.Errorf("link of row %d changed since it was read: %w", l.Row, errors.Join(batch.ErrStale, err))
	}
	return nil
}

func insertMessages(ctx context.Context, tx *sql.Tx, msgs []batch.Message) error {
	for _, m := range msgs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO link_messages (link_id, batch_id, kind, channel, recipient, at, cost,
			charge, error, reference) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.LinkID, m.BatchID, m.Kind, m.Channel, m.To,
			batch.Stamp(m.At), m.Cost, m.Charge, m.Error, m.Reference); err != nil {
			return fmt.Errorf("record message: %w", err)
		}
	}
	return nil
}

// UpdateLink implements batch.LinkStore.
func (s *Store) UpdateLink(ctx context.Context, l batch.Link, cause, detail, actor string, msgs ...batch.Message) error {
	return s.fail("update link", s.tx(ctx, func(tx *sql.Tx) error {
		at := batch.Stamp(s.clock())
		if err := updateLink(ctx, tx, l, batch.LinkSent, at); err != nil {
			return err
		}
		if err := insertMessages(ctx, tx, msgs); err != nil {
			return err
		}
		return appendEvent(ctx, tx, batch.Event{BatchID: l.BatchID, ItemID: l.ItemID, Cause: cause, Detail: detail, Actor: actor}, at)
	}))
}

// ClaimLink implements batch.LinkStore; it is in the ledger's main file
// before it returns.
func (s *Store) ClaimLink(ctx context.Context, l batch.Link, it batch.Item, actor string) error {
	return s.fail("claim link", s.durableTx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		at := batch.Stamp(now)
		// the expiry as it stands when the claim commits, not when it began
		var exp sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT expires_at FROM links WHERE id = ?`, l.ID).Scan(&exp); errors.Is(err, sql.ErrNoRows) {
			return batch.ErrLinkNotFound
		} else if err != nil {
			return fmt.Errorf("read link of row %d: %w", l.Row, err)
		}
		expires, err := parseTime("link", l.ItemID, "expires_at", exp)
		if err != nil {
			return err
		}
		if !now.Before(expires) {
			return fmt.Errorf("link of row %d: %w", l.Row, batch.ErrLinkExpired)
		}
		if err := updateLink(ctx, tx, l, batch.LinkClaimed, at); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE items SET mode = ?, phone = ?, country = ?, operator = ?, provider = ?,
				route = ?, updated_at = ?
			WHERE id = ? AND state = 'planned'`, it.Mode, it.Phone, it.Country, it.Operator, it.Provider,
			strings.Join(it.Route, ","), at, l.ItemID)
		if err != nil {
			return fmt.Errorf("update item %d: %w", l.ItemID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("item %d is no longer planned: %w", l.ItemID, errors.Join(batch.ErrStale, err))
		}
		e := batch.Event{BatchID: l.BatchID, ItemID: l.ItemID, Cause: batch.CauseLinkClaimed, Detail: batch.ClaimDetail(l, it), Actor: actor}
		return linkOutbox(ctx, tx, e, "link.claimed", l.ID, at)
	}))
}

// linkOutbox appends e and the webhooks outbox row of type typ that tells
// of it: the link as it now stands, named by its item's reference (never
// its id, which opens the claim page, nor anything of its code).
func linkOutbox(ctx context.Context, tx *sql.Tx, e batch.Event, typ, linkID, at string) error {
	r, err := tx.ExecContext(ctx, insertEvent, eventArgs(e, at)...)
	if err != nil {
		return fmt.Errorf("append event %q: %w", e.Cause, err)
	}
	source, err := r.LastInsertId()
	if err != nil {
		return err
	}
	var obj linkObject
	var batchID, itemID int64
	err = tx.QueryRowContext(ctx, `SELECT l.batch_id, l.item_id, b.reference, i.reference, l.row, l.amount, l.currency, l.status,
		l.expires_at, l.claim_mode FROM links l JOIN items i ON i.id = l.item_id JOIN batches b ON b.id = l.batch_id WHERE l.id = ?`,
		linkID).Scan(&batchID, &itemID, &obj.Batch, &obj.Reference, &obj.Row, &obj.Amount, &obj.Currency, &obj.Status,
		&obj.ExpiresAt, &obj.Mode)
	if err != nil {
		return fmt.Errorf("outbox %s: read link: %w", typ, err)
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("outbox %s: %w", typ, err)
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return fmt.Errorf("outbox %s: event id: %w", typ, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO webhook_outbox (event_id, type, batch_id, item_id, source, created_at, window_from, object)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, "evt_"+hex.EncodeToString(id), typ, batchID, itemID, source, at, at, string(body))
	if err != nil {
		return fmt.Errorf("outbox %s: %w", typ, err)
	}
	return nil
}

// linkObject is a link as a webhook tells of it, in this order (the same on
// every ledger backend).
type linkObject struct {
	Batch     string `json:"batch"`
	Reference string `json:"reference"`
	Row       int    `json:"row"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	Status    string `json:"status"`
	ExpiresAt string `json:"expires_at"`
	Mode      string `json:"mode"`
}

// ExpireLink implements batch.LinkStore. The outbox row link.expired is
// written in the same transaction as the event it tells of (as link.claimed
// by ClaimLink).
func (s *Store) ExpireLink(ctx context.Context, l batch.Link, actor string) error {
	return s.fail("expire link", s.tx(ctx, func(tx *sql.Tx) error {
		at := batch.Stamp(s.clock())
		gone := l
		gone.CodeHash, gone.CodeSalt, gone.CodeExpires = "", "", time.Time{}
		if err := updateLink(ctx, tx, gone, batch.LinkExpired, at); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE items SET state = 'cancelled', message = ?, updated_at = ?
			WHERE id = ? AND state = 'planned'`, batch.CauseLinkExpired, at, l.ItemID)
		if err != nil {
			return fmt.Errorf("cancel item %d: %w", l.ItemID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("item %d is no longer planned: %w", l.ItemID, errors.Join(batch.ErrStale, err))
		}
		// the link's event and its outbox row first, then the item's
		// cancellation (which may complete the batch)
		e := batch.Event{BatchID: l.BatchID, ItemID: l.ItemID, Cause: batch.CauseLinkExpired,
			Detail: "not claimed by " + batch.Stamp(l.ExpiresAt) + "; no money moved", Actor: actor}
		if err := linkOutbox(ctx, tx, e, "link.expired", l.ID, at); err != nil {
			return err
		}
		return appendEvent(ctx, tx, batch.ExpiredItemEvent(l, actor), at)
	}))
}

// RecordMessages implements batch.LinkStore.
func (s *Store) RecordMessages(ctx context.Context, msgs ...batch.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	return s.fail("record messages", s.tx(ctx, func(tx *sql.Tx) error { return insertMessages(ctx, tx, msgs) }))
}

// Messages implements batch.LinkStore.
func (s *Store) Messages(ctx context.Context, batchID int64) ([]batch.Message, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, link_id, batch_id, kind, channel, recipient, at, cost, charge, error,
		reference FROM link_messages WHERE batch_id = ? ORDER BY id`, batchID)
	if err != nil {
		return nil, s.fail("read messages", err)
	}
	defer rows.Close()
	var out []batch.Message
	for rows.Next() {
		var m batch.Message
		var at sql.NullString
		if err := rows.Scan(&m.ID, &m.LinkID, &m.BatchID, &m.Kind, &m.Channel, &m.To, &at, &m.Cost, &m.Charge, &m.Error,
			&m.Reference); err != nil {
			return nil, s.fail("read messages", err)
		}
		if m.At, err = parseTime("link_messages", m.ID, "at", at); err != nil {
			return nil, s.fail("read messages", err)
		}
		out = append(out, m)
	}
	return out, s.fail("read messages", rows.Err())
}

// ReopenLink implements batch.LinkStore, in the ledger's main file before it
// returns.
func (s *Store) ReopenLink(ctx context.Context, l batch.Link, it batch.Item, actor string) error {
	return s.fail("reopen link", s.durableTx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		at := batch.Stamp(now)
		var oldState batch.State
		var version int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT i.state, l.version, l.status FROM links l JOIN items i ON i.id = l.item_id
			WHERE l.id = ?`, l.ID).Scan(&oldState, &version, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return batch.ErrLinkNotFound
		}
		if err != nil {
			return err
		}
		if version != l.Version || status != string(batch.LinkClaimed) {
			return fmt.Errorf("link of row %d changed since it was read: %w", l.Row, batch.ErrStale)
		}
		if oldState != batch.Failed {
			return fmt.Errorf("the payout of the link of row %d is %s, not failed: %w", l.Row, oldState, batch.ErrStale)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE id = ? AND state = 'planned' AND mode = 'link'
			AND NOT EXISTS (SELECT 1 FROM links WHERE item_id = items.id)`, it.ID).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("item %d is not a planned item paid by link without a link: %w", it.ID, batch.ErrStale)
		}
		if err := appendEvent(ctx, tx, batch.Event{BatchID: l.BatchID, ItemID: l.ItemID, Cause: batch.CauseLinkReopen,
			Detail: fmt.Sprintf("its payout failed: claimed again through item %d", it.ID), Actor: actor}, at); err != nil {
			return err
		}
		expires := now.Add(l.ExpiresAt.Sub(l.CreatedAt))
		res, err := tx.ExecContext(ctx, `UPDATE links SET status = 'sent', batch_id = ?, item_id = ?, row = ?, expires_at = ?,
				invited_at = '', reminders = 0, code_hash = '', code_salt = '', code_expires = '', code_sent_at = '',
				code_requests = 0, code_window = '', attempts = 0, claimed_at = '', claim_mode = '', claim_phone = '',
				version = version + 1, updated_at = ?, created_at = ?
			WHERE id = ? AND version = ? AND status = 'claimed'`, it.BatchID, it.ID, it.Row, batch.Stamp(expires), at, at,
			l.ID, l.Version)
		if err != nil {
			return fmt.Errorf("reopen link of row %d: %w", l.Row, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("link of row %d changed since it was read: %w", l.Row, errors.Join(batch.ErrStale, err))
		}
		return appendEvent(ctx, tx, batch.Event{BatchID: it.BatchID, ItemID: it.ID, Cause: batch.CauseLinkReopen,
			Detail: fmt.Sprintf("reopened after the failure of item %d; expires %s", l.ItemID, batch.Stamp(expires)), Actor: actor}, at)
	}))
}
