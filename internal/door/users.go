package door

import (
	"context"
	"fmt"
	"time"

	"bulkpay/batch"
	"bulkpay/identity"
)

// UserAdmin is the users the doors change, each change with its entry in
// the audit trail.
type UserAdmin interface {
	AddUserAudited(ctx context.Context, u identity.User, e identity.AuditEntry) (identity.User, error)
	DisableUserAudited(ctx context.Context, name string, e identity.AuditEntry) error
}

// AddUser adds the user name with role r (identity.CheckUser) and the
// password hash, at, recorded in the audit trail as added by actor.
func AddUser(ctx context.Context, st UserAdmin, actor, name string, r identity.Role, hash string, at time.Time) error {
	e := identity.AuditEntry{At: at, Actor: actor, Action: identity.AuditUserAdded, Subject: name, Detail: string(r)}
	_, err := st.AddUserAudited(ctx, identity.User{Name: name, Role: r, PasswordHash: hash, Created: at}, e)
	return err
}

// NewUser adds the user name with role as people wrote them
// (identity.CheckUser: a bad one is batch.ErrInvalid) and the password hash
// hash gives once they are checked, at, as AddUser does.
func NewUser(ctx context.Context, st UserAdmin, actor, name, role string, hash func() (string, error), at time.Time) (identity.Role, error) {
	r, err := identity.CheckUser(name, role)
	if err != nil {
		return r, fmt.Errorf("%w: %v", batch.ErrInvalid, err)
	}
	h, err := hash()
	if err != nil {
		return r, err
	}
	return r, AddUser(ctx, st, actor, name, r, h, at)
}

// DisableUser disables the user name, at, recorded in the audit trail as
// disabled by actor: no sign-in, no API key, its sessions end.
func DisableUser(ctx context.Context, st UserAdmin, actor, name string, at time.Time) error {
	return st.DisableUserAudited(ctx, name, identity.AuditEntry{At: at, Actor: actor, Action: identity.AuditUserDisabled, Subject: name})
}

// Credentials are a user's password and API keys.
type Credentials interface {
	User(ctx context.Context, name string) (identity.User, error)
	SetPassword(ctx context.Context, name, hash string) error
	AddAPIKey(ctx context.Context, user, hash string, at time.Time) error
}

// SetPassword gives the user name the password hash read gives, once the
// user is found; its sessions end.
func SetPassword(ctx context.Context, st Credentials, name string, read func() (string, error)) error {
	if _, err := st.User(ctx, name); err != nil {
		return err
	}
	hash, err := read()
	if err != nil {
		return err
	}
	return st.SetPassword(ctx, name, hash)
}

// NewAPIKey makes a new API key for the user name, at, and gives it: only
// its hash is kept.
func NewAPIKey(ctx context.Context, st Credentials, name string, at time.Time) (string, error) {
	plain, hash, err := identity.NewToken("bpk_")
	if err != nil {
		return "", err
	}
	if err := st.AddAPIKey(ctx, name, hash, at); err != nil {
		return "", err
	}
	return plain, nil
}
