package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"bulkpay/identity"
)

// The server's users, API keys, sessions and failed sign-ins (migration
// 0008). Names are checked by identity.CheckName before they get here.

func ms(t time.Time) int64 { return t.UTC().UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

const userColumns = `u.id, u.name, u.role, u.password_hash, u.disabled, u.created_at`

func scanUser(row interface{ Scan(...any) error }) (identity.User, error) {
	var u identity.User
	var role string
	var created int64
	err := row.Scan(&u.ID, &u.Name, &role, &u.PasswordHash, &u.Disabled, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.User{}, identity.ErrNotFound
	}
	u.Role, u.Created = identity.Role(role), fromMS(created)
	return u, err
}

// AddUser stores a new user; a name already taken gives identity.ErrExists.
func (s *Store) AddUser(ctx context.Context, u identity.User) (identity.User, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = addUser(ctx, tx, u)
		return err
	})
	return u, s.failUser("add user", err)
}

func addUser(ctx context.Context, tx *sql.Tx, u identity.User) (identity.User, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO users (name, role, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?)`,
		u.Name, string(u.Role), u.PasswordHash, u.Disabled, ms(u.Created))
	if isUnique(err) {
		return u, fmt.Errorf("%w: %s", identity.ErrExists, u.Name)
	}
	if err != nil {
		return u, err
	}
	u.ID, err = res.LastInsertId()
	return u, err
}

// failUser maps a driver error, leaving identity's own errors as they are.
func (s *Store) failUser(op string, err error) error {
	if errors.Is(err, identity.ErrNotFound) || errors.Is(err, identity.ErrExists) {
		return err
	}
	return s.fail(op, err)
}

// User finds a user by name (identity.ErrNotFound).
func (s *Store) User(ctx context.Context, name string) (identity.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.name = ?`, name))
	return u, s.failUser("read user", err)
}

// Users lists every user by name.
func (s *Store) Users(ctx context.Context) ([]identity.User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.name`)
	if err != nil {
		return nil, s.fail("list users", err)
	}
	defer rows.Close()
	var out []identity.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, s.fail("list users", err)
		}
		out = append(out, u)
	}
	return out, s.fail("list users", rows.Err())
}

// updateUser changes one user and ends its sessions (a new password or a
// disabled account signs every browser out), in one transaction.
func (s *Store) updateUser(ctx context.Context, op, name, set string, arg any) error {
	return s.failUser(op, s.tx(ctx, func(tx *sql.Tx) error { return updateUser(ctx, tx, name, set, arg) }))
}

func updateUser(ctx context.Context, tx *sql.Tx, name, set string, arg any) error {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", identity.ErrNotFound, name)
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET `+set+` = ? WHERE id = ?`, arg, id); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
	return err
}

// DisableUser disables a user: it can no longer sign in or use its API keys,
// and its sessions end.
func (s *Store) DisableUser(ctx context.Context, name string) error {
	return s.updateUser(ctx, "disable user", name, "disabled", true)
}

// SetPassword replaces a user's password hash and ends its sessions.
func (s *Store) SetPassword(ctx context.Context, name, hash string) error {
	return s.updateUser(ctx, "set password", name, "password_hash", hash)
}

// AddAPIKey stores the hash of a new API key of a user.
func (s *Store) AddAPIKey(ctx context.Context, name, keyHash string, at time.Time) error {
	return s.failUser("add API key", s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO api_keys (user_id, key_hash, created_at) SELECT id, ?, ? FROM users WHERE name = ?`,
			keyHash, ms(at), name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("%w: %s", identity.ErrNotFound, name)
		}
		return err
	}))
}

// UserByAPIKey finds the user holding the API key with this hash.
func (s *Store) UserByAPIKey(ctx context.Context, keyHash string) (identity.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u JOIN api_keys k ON k.user_id = u.id WHERE k.key_hash = ?`, keyHash))
	return u, s.failUser("read API key", err)
}

// CreateSession stores a signed-in browser's session, and forgets the
// sessions expired by then.
func (s *Store) CreateSession(ctx context.Context, se identity.Session) error {
	return s.fail("create session", s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, ms(se.Created)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			se.TokenHash, se.UserID, se.CSRF, ms(se.Created), ms(se.Expires))
		return err
	}))
}

// Session finds the session with this token hash and its user, if it has not
// expired at now (identity.ErrNotFound otherwise).
func (s *Store) Session(ctx context.Context, tokenHash string, now time.Time) (identity.Session, identity.User, error) {
	se := identity.Session{TokenHash: tokenHash}
	var created, expires int64
	var role string
	var u identity.User
	var uc int64
	err := s.db.QueryRowContext(ctx, `SELECT s.user_id, s.csrf, s.created_at, s.expires_at, `+userColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, ms(now)).
		Scan(&se.UserID, &se.CSRF, &created, &expires, &u.ID, &u.Name, &role, &u.PasswordHash, &u.Disabled, &uc)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.Session{}, identity.User{}, identity.ErrNotFound
	}
	if err != nil {
		return identity.Session{}, identity.User{}, s.fail("read session", err)
	}
	se.Created, se.Expires = fromMS(created), fromMS(expires)
	u.Role, u.Created = identity.Role(role), fromMS(uc)
	return se, u, nil
}

// DeleteSession ends a session (signing out), and every session expired at now.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string, now time.Time) error {
	return s.fail("delete session", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ? OR expires_at <= ?`, tokenHash, ms(now))
		return err
	}))
}

// KeepLoginFailures is how long a failed sign-in is remembered: failures
// older than this are forgotten as new ones are recorded.
const KeepLoginFailures = 24 * time.Hour

// RecordLoginFailure records a failed sign-in as name from address.
func (s *Store) RecordLoginFailure(ctx context.Context, name, address string, at time.Time) error {
	return s.fail("record failed sign-in", s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < ?`, ms(at.Add(-KeepLoginFailures))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO login_failures (name, address, at) VALUES (?, ?, ?)`, name, address, ms(at))
		return err
	}))
}

// LoginFailures counts the failed sign-ins as name since a time, and gives the
// latest one.
func (s *Store) LoginFailures(ctx context.Context, name string, since time.Time) (int, time.Time, error) {
	var n int
	var last sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), MAX(at) FROM login_failures WHERE name = ? AND at > ?`, name, ms(since)).Scan(&n, &last)
	if err != nil {
		return 0, time.Time{}, s.fail("count failed sign-ins", err)
	}
	var at time.Time
	if last.Valid {
		at = fromMS(last.Int64)
	}
	return n, at, nil
}

// ClearLoginFailures forgets name's failed sign-ins (after a good one).
func (s *Store) ClearLoginFailures(ctx context.Context, name string) error {
	return s.fail("clear failed sign-ins", s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE name = ?`, name)
		return err
	}))
}
