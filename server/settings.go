package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"bulkpay/identity"
	"bulkpay/internal/door"
)

// UserAdmin is what the admin's settings change, the users `bulkpay users`
// changes, each change with its entry in the audit trail; the trail has the
// accounts locked by failed sign-ins too.
type UserAdmin interface {
	Users(ctx context.Context) ([]identity.User, error)
	AddUserAudited(ctx context.Context, u identity.User, e identity.AuditEntry) (identity.User, error)
	DisableUserAudited(ctx context.Context, name string, e identity.AuditEntry) error
	RecordAudit(ctx context.Context, e identity.AuditEntry) error
	// Audit is the latest limit entries, newest first.
	Audit(ctx context.Context, limit int) ([]identity.AuditEntry, error)
}

// auditShown is how many entries of the audit trail the users page shows.
const auditShown = 50

// errDisableSelf: an admin disabling their own account would lock the
// settings away from the one using them.
var errDisableSelf = errors.New("you cannot disable your own account")

// addUser adds a user with role and password (checked and hashed as
// `bulkpay users add` does), recorded in the audit trail and the server's
// log with the admin who added it.
func (s *Server) addUser(ctx context.Context, admin, name, role, password string) error {
	r, err := identity.CheckUser(name, role)
	if err != nil {
		return err
	}
	hash, err := s.opt.Passwords.Hash(password)
	if err != nil {
		return err
	}
	if err := door.AddUser(ctx, s.opt.Admin, admin, name, r, hash, s.opt.Now()); err != nil {
		return err
	}
	s.opt.Log.Info("user added", "user", name, "role", r, "by", admin)
	return nil
}

// disableUser disables a user as `bulkpay users disable` does: no sign-in,
// no API key, its sessions end; recorded in the audit trail with the admin.
func (s *Server) disableUser(ctx context.Context, admin, name string) error {
	if name == admin {
		return errDisableSelf
	}
	if err := door.DisableUser(ctx, s.opt.Admin, admin, name, s.opt.Now()); err != nil {
		return err
	}
	s.opt.Log.Info("user disabled", "user", name, "by", admin)
	return nil
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, rq *request) {
	s.showUsers(w, r, rq, http.StatusOK, "")
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, rq *request, status int, msg string) {
	users, err := s.opt.Admin.Users(r.Context())
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	audit, err := s.opt.Admin.Audit(r.Context(), auditShown)
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	s.render(w, rq, status, "users.html", msg, struct {
		Users []identity.User
		Roles []identity.Role
		Audit []identity.AuditEntry
	}{users, identity.Roles, audit})
}

// userRefused shows the users page with why a change was refused: 400 for
// the input, 409 for a name taken, 404 for a user not found.
func (s *Server) userRefused(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, identity.ErrExists), errors.Is(err, errDisableSelf):
		status = http.StatusConflict
	case errors.Is(err, identity.ErrNotFound):
		status = http.StatusNotFound
	case !errors.Is(err, identity.ErrInvalid):
		s.internal(w, rq, err)
		return
	}
	s.showUsers(w, r, rq, status, err.Error())
}

func (s *Server) addUserForm(w http.ResponseWriter, r *http.Request, rq *request) {
	err := s.addUser(r.Context(), rq.User.Name, strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("role"),
		r.PostFormValue("password"))
	if err != nil {
		s.userRefused(w, r, rq, err)
		return
	}
	http.Redirect(w, r, "/settings/users", http.StatusSeeOther)
}

func (s *Server) disableUserForm(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := s.disableUser(r.Context(), rq.User.Name, r.PathValue("name")); err != nil {
		s.userRefused(w, r, rq, err)
		return
	}
	http.Redirect(w, r, "/settings/users", http.StatusSeeOther)
}
