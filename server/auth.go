package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"bulkpay/identity"
)

// Cookies.
const (
	sessionCookie = "bp_session" // the session's token; only its hash is stored
	loginCookie   = "bp_login"   // the sign-in form's CSRF token, before there is a session
	langCookie    = "bp_lang"
)

// request is what the server knows of a request: who sent it (once
// authenticated), in which language to answer, and from which address.
type request struct {
	User    identity.User
	Session identity.Session
	Lang    string
	T       map[string]string
	Addr    string
	Body    []byte // an API write's body, read by wrapAPI (a multipart form is in r.MultipartForm)
}

func (s *Server) newRequest(r *http.Request) *request {
	lang := language(r)
	return &request{Lang: lang, T: catalog[lang], Addr: s.clientAddr(r)}
}

// clientAddr is the address a request came from: the connection's, or behind
// a proxy the last one the proxy added to X-Forwarded-For.
func (s *Server) clientAddr(r *http.Request) string {
	if s.opt.BehindProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if a := strings.TrimSpace(last); a != "" {
				return a
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authenticate finds the request's session and its user; a disabled user has
// none.
func (s *Server) authenticate(r *http.Request, rq *request) bool {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return false
	}
	se, u, err := s.opt.Users.Session(r.Context(), identity.TokenHash(c.Value), s.opt.Now())
	if err != nil {
		if !errors.Is(err, identity.ErrNotFound) {
			s.opt.Log.Warn("read session", "err", err)
		}
		return false
	}
	if u.Disabled {
		return false
	}
	rq.User, rq.Session = u, se
	return true
}

// checkCSRF says whether a POST carries its session's CSRF token, in the form
// or (from the page's script) in the X-CSRF-Token header.
func (rq *request) checkCSRF(r *http.Request) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return got != "" && identity.Equal(got, rq.Session.CSRF)
}

func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: s.opt.Secure,
		SameSite: http.SameSiteStrictMode}
}

// limiter is the sign-in rate of one address at now.
func (s *Server) limiter(addr string, now time.Time) *rate.Limiter {
	return s.signIns.get(addr, now)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, rq *request) {
	s.showLogin(w, r, rq, http.StatusOK, "")
}

// lockedUntil is the sign-in form's data: its CSRF token, and when a
// message says the account is locked, the lock's end.
type lockedUntil struct {
	Token string
	Until time.Time
}

// showLogin renders the sign-in form with a fresh CSRF token in its cookie.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, rq *request, status int, msg string) {
	s.showLoginUntil(w, r, rq, status, msg, time.Time{})
}

// showLoginUntil is showLogin with a message that ends with a time.
func (s *Server) showLoginUntil(w http.ResponseWriter, r *http.Request, rq *request, status int, msg string, until time.Time) {
	token, _, err := identity.NewToken("")
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	http.SetCookie(w, s.cookie(loginCookie, token, 3600))
	s.render(w, rq, status, "login.html", msg, lockedUntil{token, until})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, rq *request) {
	ctx, now := r.Context(), s.opt.Now()
	if err := r.ParseForm(); err != nil {
		s.fail(w, rq, http.StatusBadRequest, rq.T["bad_form"])
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || !identity.Equal(c.Value, r.PostFormValue("csrf")) {
		s.fail(w, rq, http.StatusForbidden, rq.T["csrf"])
		return
	}
	if !s.limiter(rq.Addr, now).AllowN(now, 1) {
		s.showLogin(w, r, rq, http.StatusTooManyRequests, rq.T["too_many_attempts"])
		return
	}
	name, pw := signInName(r.PostFormValue("name")), r.PostFormValue("password")
	n, last, err := s.opt.Users.LoginFailures(ctx, name, now.Add(-LockFor))
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	if n >= LockAfter {
		s.showLoginUntil(w, r, rq, http.StatusTooManyRequests, rq.T["locked"], last.Add(LockFor))
		return
	}
	u, err := s.opt.Users.User(ctx, name)
	if err != nil && !errors.Is(err, identity.ErrNotFound) {
		s.internal(w, rq, err)
		return
	}
	hash := u.PasswordHash
	if err != nil || u.Disabled {
		hash = ""
	}
	if !s.opt.Passwords.Verify(hash, pw) {
		if err := s.loginFailed(ctx, name, rq.Addr, now); err != nil {
			s.internal(w, rq, err)
			return
		}
		s.opt.Log.Warn("failed sign-in", "user", logName(name), "address", rq.Addr)
		s.showLogin(w, r, rq, http.StatusUnauthorized, rq.T["wrong_password"])
		return
	}
	if err := s.opt.Users.ClearLoginFailures(ctx, name); err != nil {
		s.internal(w, rq, err)
		return
	}
	token, hashed, err := identity.NewToken("")
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	csrf, _, err := identity.NewToken("")
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	se := identity.Session{TokenHash: hashed, UserID: u.ID, CSRF: csrf, Created: now, Expires: now.Add(s.opt.Session)}
	if err := s.opt.Users.CreateSession(ctx, se); err != nil {
		s.internal(w, rq, err)
		return
	}
	s.opt.Log.Info("signed in", "user", name, "address", rq.Addr)
	http.SetCookie(w, s.cookie(sessionCookie, token, int(s.opt.Session/time.Second)))
	http.SetCookie(w, s.cookie(loginCookie, "", -1))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// signInName is the name a sign-in gives, as users are named; an API key
// given where the name goes becomes keyAsName: never logged nor stored.
func signInName(raw string) string {
	name := strings.ToLower(strings.TrimSpace(raw))
	if strings.HasPrefix(name, apiKeyPrefix) {
		return keyAsName
	}
	return name
}

// logName is a failed sign-in's name as the log may show it: one that no
// user could have (a password typed in the wrong field, say) is not shown.
func logName(name string) string {
	if identity.CheckName(name) != nil && name != keyAsName {
		return "(not a user name)"
	}
	return name
}

// loginFailed records a failed sign-in as name from addr; the failure that
// locks the account of an existing user goes into the audit trail (a name
// that is no user's may be a password typed in the wrong field: it is kept
// only as long as failed sign-ins are).
func (s *Server) loginFailed(ctx context.Context, name, addr string, now time.Time) error {
	if err := s.opt.Users.RecordLoginFailure(ctx, name, addr, now); err != nil {
		return err
	}
	n, _, err := s.opt.Users.LoginFailures(ctx, name, now.Add(-LockFor))
	if err != nil || n != LockAfter {
		return err
	}
	if _, err := s.opt.Users.User(ctx, name); errors.Is(err, identity.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	s.opt.Log.Warn("account locked", "user", name, "address", addr)
	return s.opt.Admin.RecordAudit(ctx, identity.AuditEntry{At: now, Action: identity.AuditLocked, Subject: name, Detail: addr})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := s.opt.Users.DeleteSession(r.Context(), rq.Session.TokenHash, s.opt.Now()); err != nil {
		s.internal(w, rq, err)
		return
	}
	http.SetCookie(w, s.cookie(sessionCookie, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
