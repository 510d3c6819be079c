package ledger

import (
	"context"
	"database/sql"

	"bulkpay/identity"
)

// The audit trail of the server's people (migration 0012_audit.sql).

func insertAudit(ctx context.Context, tx *sql.Tx, e identity.AuditEntry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)`,
		ms(e.At), e.Actor, e.Action, e.Subject, e.Detail)
	return err
}

// RecordAudit appends an entry to the audit trail.
func (s *Store) RecordAudit(ctx context.Context, e identity.AuditEntry) error {
	return s.fail("record audit entry", s.tx(ctx, func(tx *sql.Tx) error { return insertAudit(ctx, tx, e) }))
}

// AddUserAudited adds a user as AddUser does, with the entry that says who
// added it, in one transaction.
func (s *Store) AddUserAudited(ctx context.Context, u identity.User, e identity.AuditEntry) (identity.User, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = addUser(ctx, tx, u); err != nil {
			return err
		}
		return insertAudit(ctx, tx, e)
	})
	return u, s.failUser("add user", err)
}

// DisableUserAudited disables a user as DisableUser does, with the entry
// that says who disabled it, in one transaction.
func (s *Store) DisableUserAudited(ctx context.Context, name string, e identity.AuditEntry) error {
	return s.failUser("disable user", s.tx(ctx, func(tx *sql.Tx) error {
		if err := updateUser(ctx, tx, name, "disabled", true); err != nil {
			return err
		}
		return insertAudit(ctx, tx, e)
	}))
}

// Audit is the latest limit entries of the audit trail, newest first.
func (s *Store) Audit(ctx context.Context, limit int) ([]identity.AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, actor, action, subject, detail FROM audit ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, s.fail("read audit trail", err)
	}
	defer rows.Close()
	var out []identity.AuditEntry
	for rows.Next() {
		var e identity.AuditEntry
		var at int64
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Subject, &e.Detail); err != nil {
			return nil, s.fail("read audit trail", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, s.fail("read audit trail", rows.Err())
}
