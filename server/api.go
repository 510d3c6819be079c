package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"bulkpay/identity"
)

// The platform API: JSON under /payments/ (and its description at
// /openapi.json), authenticated by HTTP Basic on every request: the user's
// name with the user's password or with one of the user's API keys
// ("bpk_…", from `bulkpay users key`), or the key alone (as the user name
// with no password, or as the password with no user name). No cookie is read or set: a browser's
// session is refused here, so no CSRF token is needed. Every write needs an
// Idempotency-Key header, which a page of another site cannot send without
// the server's leave (CORS, never given): a browser that remembers Basic
// credentials cannot be made to write either; a write marked cross-site by
// the browser (Sec-Fetch-Site) is refused as well. Failed attempts count
// towards the same lockout and per-address rate as the sign-in form.

// isAPI says whether a route's pattern is part of the platform API.
func isAPI(pattern string) bool {
	_, p, _ := strings.Cut(pattern, " ")
	return strings.HasPrefix(p, "/payments/") || p == "/openapi.json"
}

// apiKeyPrefix starts every API key.
const apiKeyPrefix = "bpk_"

// maxIdempotencyKey is the longest Idempotency-Key accepted.
const maxIdempotencyKey = 255

// detail is every error's body.
type detail struct {
	Detail string `json:"detail"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the list links' & as it is; never read as HTML (nosniff, application/json)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"detail": "the answer could not be written"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// apiFail answers {"detail": msg} with status.
func apiFail(w http.ResponseWriter, status int, msg string) {
	if status == http.StatusUnauthorized { // curl and client libraries need no prompt; RFC 9110 wants the header
		w.Header().Set("WWW-Authenticate", `Basic realm="bulkpay", charset="UTF-8"`)
	}
	writeJSON(w, status, detail{msg})
}

// apiInternal answers 500 without the error's text (it may name files): the
// log has it.
func (s *Server) apiInternal(w http.ResponseWriter, rq *request, err error) {
	s.opt.Log.Error("API request failed", "user", rq.User.Name, "err", err)
	apiFail(w, http.StatusInternalServerError, rq.T["internal"])
}

// wrapAPI is wrap for the API: security headers, body bound, a panic
// answered 500, HTTP Basic and the role, the body read, and for a write with
// an Idempotency-Key the answer kept or replayed.
func (s *Server) wrapAPI(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secure(w.Header())
		if s.opt.Secure {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		r.Body = http.MaxBytesReader(w, r.Body, max(rt.maxBody, 0))
		rq := s.newRequest(r)
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				s.opt.Log.Error("API handler panicked", "route", rt.pattern, "user", rq.User.Name, "panic", fmt.Sprint(v))
				if rec.status == 0 { // nothing answered yet
					apiFail(w, http.StatusInternalServerError, rq.T["internal"])
				}
			}
		}()
		if rt.roles != nil {
			if status, msg := s.basicAuth(r, rq); status != 0 {
				apiFail(w, status, msg)
				return
			}
			if !slices.Contains(rt.roles, rq.User.Role) {
				apiFail(w, http.StatusForbidden, rq.T["forbidden"])
				return
			}
		}
		if rt.roles == nil || (r.Method != http.MethodPost && r.Method != http.MethodPut) {
			rt.handle(rec, r, rq) // a public route (the not-found answer) keeps no key: it has no user
			return
		}
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			apiFail(rec, http.StatusForbidden, "a write from another site's page is refused")
			return
		}
		key := r.Header.Get("Idempotency-Key")
		switch {
		case key == "":
			apiFail(rec, http.StatusBadRequest, "every write needs an Idempotency-Key header: a new unique value per request, the same one to send it again")
			return
		case len(key) > maxIdempotencyKey:
			apiFail(rec, http.StatusBadRequest, fmt.Sprintf("the Idempotency-Key is longer than %d characters", maxIdempotencyKey))
			return
		}
		hash, ok := s.readBody(rec, r, rq)
		if !ok {
			return
		}
		rec.keep = true
		s.idempotent(rec, r, rq, key, hash, rt.handle)
	})
}

// basicAuth authenticates a request by HTTP Basic: 0 when it may go on, or
// the status and why not.
func (s *Server) basicAuth(r *http.Request, rq *request) (int, string) {
	ctx, now := r.Context(), s.opt.Now()
	rawName, secret, ok := r.BasicAuth()
	if !ok {
		return http.StatusUnauthorized, "authenticate with HTTP Basic: your user name and your password, or your user name and an API key"
	}
	lim := s.limiter(rq.Addr, now)
	if lim.TokensAt(now) < 1 {
		return http.StatusTooManyRequests, rq.T["too_many_attempts"]
	}
	// an API key alone, as the user name or as the password: no account to
	// lock (a key cannot be guessed), the address's rate only
	if key, alone := keyAlone(rawName, secret); alone {
		u, err := s.opt.Users.UserByAPIKey(ctx, identity.TokenHash(key))
		if err != nil && !errors.Is(err, identity.ErrNotFound) {
			s.opt.Log.Error("read API key", "err", err)
			return http.StatusInternalServerError, rq.T["internal"]
		}
		if err != nil || u.Disabled {
			lim.AllowN(now, 1)
			s.opt.Log.Warn("failed API authentication", "user", "(API key)", "address", rq.Addr)
			return http.StatusUnauthorized, badCredentials
		}
		rq.User = u
		return 0, ""
	}
	name := signInName(rawName)
	n, last, err := s.opt.Users.LoginFailures(ctx, name, now.Add(-LockFor))
	if err != nil {
		s.opt.Log.Error("read sign-in failures", "err", err)
		return http.StatusInternalServerError, rq.T["internal"]
	}
	if n >= LockAfter {
		return http.StatusUnauthorized, rq.T["locked"] + " " + last.Add(LockFor).UTC().Format("15:04 UTC")
	}
	var u identity.User
	if strings.HasPrefix(secret, apiKeyPrefix) {
		u, err = s.opt.Users.UserByAPIKey(ctx, identity.TokenHash(secret))
		ok = err == nil && u.Name == name && !u.Disabled
	} else {
		u, err = s.opt.Users.User(ctx, name)
		hash := u.PasswordHash
		if err != nil || u.Disabled {
			hash = ""
		}
		ok = s.opt.Passwords.Verify(hash, secret)
	}
	if err != nil && !errors.Is(err, identity.ErrNotFound) {
		s.opt.Log.Error("read user", "err", err)
		return http.StatusInternalServerError, rq.T["internal"]
	}
	if !ok {
		lim.AllowN(now, 1)
		if err := s.loginFailed(ctx, name, rq.Addr, now); err != nil {
			s.opt.Log.Error("record sign-in failure", "err", err)
			return http.StatusInternalServerError, rq.T["internal"]
		}
		s.opt.Log.Warn("failed API authentication", "user", logName(name), "address", rq.Addr)
		return http.StatusUnauthorized, badCredentials
	}
	if n > 0 {
		if err := s.opt.Users.ClearLoginFailures(ctx, name); err != nil {
			s.opt.Log.Error("clear sign-in failures", "err", err)
			return http.StatusInternalServerError, rq.T["internal"]
		}
	}
	rq.User = u
	return 0, ""
}

const badCredentials = "wrong user name, password or API key, or the user is disabled"

// keyAsName stands for an API key given as the user name with a password, in
// the log and the failed sign-ins (no user can have this name).
const keyAsName = "(API key)"

// keyAlone is the API key of Basic credentials that are a key alone: as the
// user name with no password, or as the password with no user name.
func keyAlone(name, secret string) (string, bool) {
	switch {
	case secret == "" && strings.HasPrefix(name, apiKeyPrefix):
		return name, true
	case name == "" && strings.HasPrefix(secret, apiKeyPrefix):
		return secret, true
	}
	return "", false
}

// readBody reads a write's body within its route's bound: a multipart form
// into r.MultipartForm, anything else into rq.Body. It returns the request's
// hash (method, path, and the content: the form's fields and files, not the
// multipart boundaries, which differ from one sending to the next).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, rq *request) (string, bool) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", r.Method, r.URL.Path)
	var tooLarge *http.MaxBytesError
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err := r.ParseMultipartForm(1 << 20)
		switch {
		case errors.As(err, &tooLarge):
			apiFail(w, http.StatusRequestEntityTooLarge, rq.T["too_large"])
			return "", false
		case err != nil:
			apiFail(w, http.StatusBadRequest, "the multipart form cannot be read: "+err.Error())
			return "", false
		}
		if err := hashForm(h, r); err != nil {
			s.apiInternal(w, rq, err)
			return "", false
		}
		return hex.EncodeToString(h.Sum(nil)), true
	}
	body, err := io.ReadAll(r.Body)
	switch {
	case errors.As(err, &tooLarge):
		apiFail(w, http.StatusRequestEntityTooLarge, "the request body is larger than this endpoint reads")
		return "", false
	case err != nil:
		apiFail(w, http.StatusBadRequest, "the request body cannot be read")
		return "", false
	}
	rq.Body = body
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)), true
}

// hashForm writes a multipart form's fields and files to h in a fixed order.
func hashForm(h io.Writer, r *http.Request) error {
	f := r.MultipartForm
	keys := make([]string, 0, len(f.Value))
	for k := range f.Value {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "v\x00%s\x00%q\x00", k, f.Value[k])
	}
	keys = keys[:0]
	for k := range f.File {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, fh := range f.File[k] {
			fmt.Fprintf(h, "f\x00%s\x00%s\x00", k, fh.Filename)
			file, err := fh.Open()
			if err != nil {
				return err
			}
			_, err = io.Copy(h, file)
			file.Close()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// recorder notes the status a handler answers and, when keep, its body, to
// be replayed.
type recorder struct {
	http.ResponseWriter
	status int
	keep   bool
	body   bytes.Buffer
}

func (rc *recorder) WriteHeader(status int) {
	if rc.status == 0 {
		rc.status = status
	}
	rc.ResponseWriter.WriteHeader(status)
}

func (rc *recorder) Write(b []byte) (int, error) {
	if rc.status == 0 {
		rc.status = http.StatusOK
	}
	if rc.keep {
		rc.body.Write(b)
	}
	return rc.ResponseWriter.Write(b)
}

// idempotent answers a write with an Idempotency-Key: the first request with
// the key is handled and its answer kept; the same user's same request with
// the key again gets that answer replayed (Idempotent-Replayed: true); a
// different request with the key is refused with 422, and one sent while
// the first is still being answered with 409. An answer of 500 is not kept:
// the request may be sent again.
func (s *Server) idempotent(w *recorder, r *http.Request, rq *request, key, hash string,
	handle func(http.ResponseWriter, *http.Request, *request)) {
	ctx := r.Context()
	kept, found, err := s.opt.Users.ClaimKey(ctx, rq.User.ID, key, hash, s.opt.Now())
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	switch {
	case found && kept.RequestHash != hash:
		apiFail(w, http.StatusUnprocessableEntity, "this Idempotency-Key was already used for a different request: use a new key for a new request")
		return
	case found && kept.Status == 0:
		apiFail(w, http.StatusConflict, identity.ErrKeyInUse.Error()+": wait for its answer, then send the request again")
		return
	case found:
		w.Header().Set("Content-Type", kept.ContentType)
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(kept.Status)
		_, _ = w.Write(kept.Body)
		return
	}
	done := false
	defer func() {
		// a panic or a failure of the server: the key is released, the request may be sent again
		if !done || w.status >= 500 || w.status == 0 {
			if err := s.opt.Users.ReleaseKey(context.WithoutCancel(ctx), rq.User.ID, key); err != nil {
				s.opt.Log.Error("release idempotency key", "err", err)
			}
			return
		}
		rp := identity.Replay{RequestHash: hash, Status: w.status, ContentType: w.Header().Get("Content-Type"), Body: w.body.Bytes()}
		if err := s.opt.Users.SaveReplay(context.WithoutCancel(ctx), rq.User.ID, key, rp); err != nil {
			s.opt.Log.Error("keep idempotent answer", "err", err)
		}
	}()
	handle(w, r, rq)
	done = true
}

// listJSON is a list as the platform answers it: a page of results with the
// count of all and the addresses of the pages around it.
type listJSON struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  any     `json:"results"`
}

// Pages of a list: limit results from offset.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// page reads a list's limit and offset; results is then cut by the caller
// with from and to. A limit or offset that is not a number is 400.
func (s *Server) page(w http.ResponseWriter, r *http.Request, count int) (from, to int, out listJSON, ok bool) {
	q := r.URL.Query()
	limit, offset := defaultLimit, 0
	for name, p := range map[string]*int{"limit": &limit, "offset": &offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || (name == "limit" && n == 0) {
				apiFail(w, http.StatusBadRequest, name+" must be a positive whole number")
				return 0, 0, out, false
			}
			*p = n
		}
	}
	limit = min(limit, maxLimit)
	from, to = min(offset, count), min(offset+limit, count)
	out.Count = count
	link := func(off int) *string {
		u := s.baseURL(r)
		v := url.Values{}
		for k, x := range q {
			v[k] = x
		}
		v.Set("limit", strconv.Itoa(limit))
		v.Set("offset", strconv.Itoa(off))
		s := u + r.URL.Path + "?" + v.Encode()
		return &s
	}
	if to < count {
		out.Next = link(to)
	}
	if from > 0 {
		out.Previous = link(max(from-limit, 0))
	}
	return from, to, out, true
}

// baseURL is where clients reach the server: --public-url, else the
// request's own host.
func (s *Server) baseURL(r *http.Request) string {
	if s.opt.PublicURL != "" {
		return strings.TrimSuffix(s.opt.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || s.opt.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// decodeJSON reads a write's JSON body into v; unknown fields are refused.
func decodeJSON(w http.ResponseWriter, rq *request, v any) bool {
	if len(bytes.TrimSpace(rq.Body)) == 0 {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(rq.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		apiFail(w, http.StatusBadRequest, "the body is not the JSON this endpoint reads: "+err.Error())
		return false
	}
	return true
}
