package server

import (
	"bulkpay/providers/registry"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/identity"
	"bulkpay/ledger"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
)

// harness is a server on a fresh ledger with one user per role (awa
// initiator, bob approver, carl auditor, dana admin; each one's password is
// "password-" and its name), paying through a sandbox of its own.
type harness struct {
	t       *testing.T
	srv     *Server
	ts      *httptest.Server
	st      *ledger.Store
	clock   *providerstest.Clock // moved on by its Sleep
	sandbox string               // the sandbox's URL
}

var roleUsers = map[identity.Role]string{identity.Initiator: "awa", identity.Approver: "bob", identity.Auditor: "carl", identity.Admin: "dana"}

// hashes are the users' password hashes, made once for every test.
var hashes = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for _, name := range roleUsers {
		out[name] = lightHash("password-" + name)
	}
	return out
})

// lightHash is pw hashed at lightCost: the server checks it through the same
// Verify, in microseconds instead of tens of milliseconds of a core for every
// sign-in and every API request the tests make. identity's tests hold
// HashPassword to its production cost.
func lightHash(pw string) string {
	h, err := lightCost.Hash(pw)
	if err != nil {
		panic(err) // the tests' passwords are long enough
	}
	return h
}

// lightCost is the servers' password cost in tests: the users they add and
// the unknown users' sign-ins (the rate-limit tests make dozens) spend
// microseconds, not identity.Standard's 40 ms each.
var lightCost = identity.Argon2id{Memory: 8, Time: 1}

func newHarness(t *testing.T, edit func(*Options)) *harness {
	t.Helper()
	return newHarnessFront(t, edit, nil)
}

// newHarnessFront is newHarness with front, when not nil, answering the
// server's requests to the sandbox in the sandbox's stead.
func newHarnessFront(t *testing.T, edit func(*Options), front func(*sandbox.Server) http.Handler) *harness {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := ledger.Open(ctx, filepath.Join(dir, "ledger.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	c := providerstest.NewClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	for role, name := range roleUsers {
		_, err := st.AddUser(ctx, identity.User{Name: name, Role: role, PasswordHash: hashes()[name], Created: c.Now()})
		require.NoError(t, err)
	}
	sb, err := sandbox.New(sandbox.Options{SettleDelay: time.Millisecond})
	require.NoError(t, err)
	var sh http.Handler = sb
	if front != nil {
		sh = front(sb)
	}
	sts := httptest.NewServer(sh)
	t.Cleanup(func() { sts.Close(); sb.Close() })
	cfg := config.Default()
	cfg.PollInterval = 20 * time.Millisecond
	cfg.Providers = map[string]config.ProviderConfig{}
	for _, name := range registry.Names() { // the sandbox's pace would only slow the tests
		cfg.Providers[name] = config.ProviderConfig{Rate: config.Unlimited}
	}
	opt := Options{Store: st, Users: st, Config: cfg, Target: config.Target{SandboxURL: sts.URL, LedgerPath: st.Path()},
		Policy: cfg.Policy().Or(DoorPolicy), Now: c.Now, Owner: batch.Owner{PID: os.Getpid(), Host: "test", Start: "1"},
		Passwords: lightCost}
	if edit != nil {
		edit(&opt)
	}
	srv, err := New(opt)
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return &harness{t: t, srv: srv, ts: ts, st: st, clock: c, sandbox: sts.URL}
}

// client is a browser: cookies kept, redirects not followed.
type client struct {
	h    *harness
	http *http.Client
	csrf string
}

func (h *harness) browser() *client {
	jar, err := cookiejar.New(nil)
	require.NoError(h.t, err)
	return &client{h: h, http: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs a user in and keeps the session's CSRF token.
func (h *harness) signIn(name string) *client {
	c := h.browser()
	resp := c.login(name, "password-"+name)
	require.Equal(h.t, http.StatusSeeOther, resp.code, resp.body)
	home := c.get("/")
	require.Equal(h.t, http.StatusOK, home.code, home.body)
	m := csrfRE.FindStringSubmatch(home.body)
	require.NotNil(h.t, m, home.body)
	c.csrf = m[1]
	return c
}

type answer struct {
	code   int
	body   string
	header http.Header
}

func (c *client) do(req *http.Request) answer {
	c.h.t.Helper()
	resp, err := c.http.Do(req)
	require.NoError(c.h.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(c.h.t, err)
	return answer{code: resp.StatusCode, body: string(body), header: resp.Header}
}

func (c *client) get(path string) answer {
	req, err := http.NewRequest(http.MethodGet, c.h.ts.URL+path, nil)
	require.NoError(c.h.t, err)
	return c.do(req)
}

// post sends a form with the session's CSRF token (unless form sets its own).
func (c *client) post(path string, form url.Values) answer {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, c.h.ts.URL+path, strings.NewReader(form.Encode()))
	require.NoError(c.h.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// login fetches the sign-in form and posts it.
func (c *client) login(name, password string) answer {
	page := c.get("/login")
	m := csrfRE.FindStringSubmatch(page.body)
	require.NotNil(c.h.t, m, page.body)
	return c.post("/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {password}})
}

// upload posts a sheet file to the new batch form.
func (c *client) upload(file string, fields map[string]string) answer {
	c.h.t.Helper()
	body, err := os.ReadFile(file)
	require.NoError(c.h.t, err)
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	require.NoError(c.h.t, mw.WriteField("csrf", c.csrf))
	for k, v := range fields {
		require.NoError(c.h.t, mw.WriteField(k, v))
	}
	fw, err := mw.CreateFormFile("sheet", filepath.Base(file))
	require.NoError(c.h.t, err)
	_, err = fw.Write(body)
	require.NoError(c.h.t, err)
	require.NoError(c.h.t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, c.h.ts.URL+"/batches", strings.NewReader(buf.String()))
	require.NoError(c.h.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// sample is a file of the repository's samples.
func sample(name string) string { return filepath.Join("..", "samples", name) }

func regexpFind(t *testing.T, expr, s string) string {
	t.Helper()
	m := regexp.MustCompile(expr).FindStringSubmatch(s)
	require.NotNil(t, m, "%s in %s", expr, s)
	return m[1]
}

func itoa(n int) string { return strconv.Itoa(n) }
