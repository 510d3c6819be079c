package server

import (
	"context"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/identity"
	"bulkpay/sheet"
)

func TestAccountLocksAfterRepeatedFailuresUntilTheClockMoves(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	c := h.browser()
	for i := range LockAfter {
		got := c.login("awa", "wrong password")
		assert.Equal(t, http.StatusUnauthorized, got.code, "attempt %d", i+1)
		assert.Contains(t, got.body, catalog["en"]["wrong_password"])
	}
	got := c.login("awa", "password-awa")
	assert.Equal(t, http.StatusTooManyRequests, got.code, "locked: even the right password is refused")
	assert.Contains(t, got.body, catalog["en"]["locked"])
	assert.Contains(t, got.body, "09:15 UTC", "locked until 15 minutes after the last failure")
	assert.Equal(t, http.StatusSeeOther, c.get("/").code, "no session")

	require.NoError(t, h.clock.Sleep(context.Background(), LockFor))
	got = c.login("awa", "password-awa")
	assert.Equal(t, http.StatusSeeOther, got.code, got.body)
	assert.Equal(t, http.StatusOK, c.get("/").code, "signed in")

	// a good sign-in forgets the failures: one more failure does not lock
	c2 := h.browser()
	assert.Equal(t, http.StatusUnauthorized, c2.login("awa", "wrong password").code)
	assert.Equal(t, http.StatusSeeOther, c2.login("awa", "password-awa").code)
}

func TestSignInsAreRateLimitedPerAddress(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	c := h.browser()
	for i := range LoginBurst {
		// a different unknown name each time: no account locks
		assert.Equal(t, http.StatusUnauthorized, c.login("nobody"+string(rune('a'+i)), "wrong password").code)
	}
	got := c.login("awa", "password-awa")
	assert.Equal(t, http.StatusTooManyRequests, got.code)
	assert.Contains(t, got.body, catalog["en"]["too_many_attempts"])
	require.NoError(t, h.clock.Sleep(context.Background(), LoginEvery))
	assert.Equal(t, http.StatusSeeOther, c.login("awa", "password-awa").code, "one more attempt once the address waited")
}

func TestUnknownAndDisabledUsersCannotSignIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	c := h.browser()
	assert.Equal(t, http.StatusUnauthorized, c.login("zoe", "password-zoe").code)
	bob := h.signIn("bob")
	require.NoError(t, h.st.DisableUser(context.Background(), "bob"))
	assert.Equal(t, http.StatusSeeOther, bob.get("/").code, "disabling ends the session")
	assert.Equal(t, http.StatusUnauthorized, h.browser().login("bob", "password-bob").code)
}

// flip changes a token's first character: the token, wrong by one character.
func flip(token string) string {
	if token[0] == 'x' {
		return "y" + token[1:]
	}
	return "x" + token[1:]
}

func TestEveryPostNeedsItsCSRFToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	bob := h.signIn("bob")
	msg := catalog["en"]["csrf"]
	for name, form := range map[string]url.Values{"none": {"csrf": {""}}, "wrong": {"csrf": {flip(bob.csrf)}}} {
		got := bob.post("/logout", form)
		assert.Equal(t, http.StatusForbidden, got.code, name)
		assert.Contains(t, got.body, strings.ReplaceAll(msg, "'", "&#39;"), name)
	}
	assert.Equal(t, http.StatusOK, bob.get("/").code, "still signed in: the forged sign-out did nothing")

	// the sign-in form has its own token, in a cookie and in the form
	c := h.browser()
	got := c.post("/login", url.Values{"csrf": {"forged"}, "name": {"bob"}, "password": {"password-bob"}})
	assert.Equal(t, http.StatusForbidden, got.code)
	other := h.signIn("awa")
	got = bob.post("/logout", url.Values{"csrf": {other.csrf}})
	assert.Equal(t, http.StatusForbidden, got.code, "another session's token is refused")
}

func TestSecurityHeadersAndCookies(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) { o.Secure = true })
	c := h.browser()
	for _, path := range []string{"/login", "/", "/static/app.js", "/nowhere"} {
		got := c.get(path)
		csp := got.header.Get("Content-Security-Policy")
		assert.Contains(t, csp, "frame-ancestors 'none'", path)
		assert.Contains(t, csp, "script-src 'self'", path)
		assert.NotContains(t, csp, "unsafe-inline", path)
		assert.Equal(t, "DENY", got.header.Get("X-Frame-Options"), path)
		assert.Equal(t, "nosniff", got.header.Get("X-Content-Type-Options"), path)
		assert.Equal(t, "max-age=31536000", got.header.Get("Strict-Transport-Security"), path)
	}
	page := c.get("/login")
	assert.NotContains(t, page.body, "<script>", "no inline script")
	assert.NotContains(t, page.body, "style=", "no inline style")
	// the login cookie of the form, then the session's
	m := csrfRE.FindStringSubmatch(page.body)
	require.NotNil(t, m)
	req, err := http.NewRequest(http.MethodPost, h.ts.URL+"/login", strings.NewReader(url.Values{"csrf": {m[1]}, "name": {"awa"}, "password": {"password-awa"}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: loginCookie, Value: m[1]})
	resp, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			session = ck
		}
	}
	require.NotNil(t, session)
	assert.True(t, session.HttpOnly)
	assert.True(t, session.Secure)
	assert.Equal(t, http.SameSiteStrictMode, session.SameSite)
	se, _, err := h.st.Session(context.Background(), session.Value, h.clock.Now())
	assert.Error(t, err, "the ledger holds the token's hash, not the token")
	assert.Empty(t, se.TokenHash)
}

func TestBodiesAreBounded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	bob := h.signIn("bob")
	got := bob.post("/batches/x/reject", url.Values{"note": {strings.Repeat("n", maxForm)}})
	assert.Equal(t, http.StatusRequestEntityTooLarge, got.code)
	got = bob.send(http.MethodGet, "/healthz", "")
	assert.Equal(t, http.StatusOK, got.code)
}

func TestLanguageFromTheBrowserAndTheSwitch(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	c := h.browser()
	req, err := http.NewRequest(http.MethodGet, h.ts.URL+"/login", nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Language", "fr-CM,fr;q=0.9,en;q=0.5")
	got := c.do(req)
	assert.Contains(t, got.body, `lang="fr"`)
	assert.Contains(t, got.body, "Se connecter")
	assert.Contains(t, got.body, "aucun argent réel ne circule")
	sw := c.get("/lang/en")
	assert.Equal(t, http.StatusSeeOther, sw.code)
	got = c.do(req)
	assert.Contains(t, got.body, `lang="en"`, "the switch wins over the browser's language")
	assert.Contains(t, got.body, "Sign in")
}

func TestEveryTextIsInBothLanguages(t *testing.T) {
	t.Parallel()
	for key := range catalog["en"] {
		assert.NotEmpty(t, catalog["fr"][key], "fr lacks %s", key)
	}
	for key := range catalog["fr"] {
		assert.NotEmpty(t, catalog["en"][key], "en lacks %s", key)
	}
}

func TestEveryTextUsedIsInTheCatalog(t *testing.T) {
	t.Parallel()
	used := map[string]bool{}
	tmpl := regexp.MustCompile(`\.T\.([a-z_]+)`)
	code := regexp.MustCompile(`T\["([a-z_]+)"\]`)
	pages, err := fs.Glob(templateFS, "templates/*.html")
	require.NoError(t, err)
	for _, p := range pages {
		b, err := templateFS.ReadFile(p)
		require.NoError(t, err)
		for _, m := range tmpl.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range code.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	require.NotEmpty(t, used)
	// the keys pages make from a value
	for _, r := range identity.Roles {
		used["role_"+string(r)] = true
	}
	for _, st := range batch.States {
		used["state_"+string(st)] = true
	}
	used["bearer_"+batch.BearerSender], used["bearer_"+batch.BearerBeneficiary] = true, true
	for key := range used {
		assert.NotEmpty(t, catalog["en"][key], "en lacks %s", key)
	}
}

// TestUploadsAreBoundedByTheSheetReadersLimit: the upload route reads no more
// than the sheet reader would, and a multipart body beyond a route's bound is
// refused with 413 before its handler runs.
func TestUploadsAreBoundedByTheSheetReadersLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	for _, rt := range h.srv.table() {
		if rt.pattern == "POST /batches" {
			assert.Equal(t, sheet.DefaultLimits.MaxFileBytes+1<<20, rt.maxBody)
		}
	}
	ran := false
	small := h.srv.wrap(route{"POST /small", initiator, 1 << 10, func(http.ResponseWriter, *http.Request, *request) { ran = true }})
	awa := h.signIn("awa")
	u, err := url.Parse(h.ts.URL)
	require.NoError(t, err)
	var body strings.Builder
	mw := multipart.NewWriter(&body)
	require.NoError(t, mw.WriteField("csrf", awa.csrf))
	fw, err := mw.CreateFormFile("sheet", "big.csv")
	require.NoError(t, err)
	_, err = fw.Write([]byte(strings.Repeat("a;677000001;1000\n", 200)))
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req := httptest.NewRequest(http.MethodPost, "/small", strings.NewReader(body.String()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for _, c := range awa.http.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	small.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.False(t, ran)
}
