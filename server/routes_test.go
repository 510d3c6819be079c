package server

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/identity"
)

// concrete makes a route's pattern a request: its method and a path on the
// batch ref.
func concrete(pattern, ref string) (string, string) {
	method, path, _ := strings.Cut(pattern, " ")
	return method, strings.NewReplacer("{ref}", ref, "{row}", "2", "{id}", "none", "{file}", "app.js", "{lang}", "fr",
		"{phone_number}", "677123456", "{$}", "").Replace(path)
}

// TestEveryRouteChecksTheRole sends every route of the table as every role,
// and as nobody: a role the table does not name is refused with 403 before
// the handler runs; a role it names gets past the check; nobody is sent to
// sign in.
func TestEveryRouteChecksTheRole(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	awa := h.signIn("awa")
	require.Equal(t, http.StatusOK, awa.upload(sample("payroll-2026-11.xlsx"), nil).code)
	clients := map[identity.Role]*client{identity.Initiator: awa}
	for _, role := range identity.Roles {
		if clients[role] == nil {
			clients[role] = h.signIn(roleUsers[role])
		}
	}
	forbidden := catalog["en"]["forbidden"]
	for _, rt := range h.srv.table() {
		if rt.pattern == "POST /logout" {
			continue // ends the session: below
		}
		method, path := concrete(rt.pattern, "payroll-2026-11")
		if isAPI(rt.pattern) {
			t.Run(rt.pattern, func(t *testing.T) { checkAPIRoles(t, h, rt, method, path, clients) })
			continue
		}
		t.Run(rt.pattern, func(t *testing.T) {
			anon := h.browser()
			got := anon.send(method, path, "")
			if rt.roles == nil {
				assert.NotContains(t, got.body, forbidden, "public")
				if !strings.HasPrefix(path, "/callbacks/") { // an unsigned callback is refused with 401: callbacks_test.go
					assert.NotEqual(t, http.StatusUnauthorized, got.code, "public")
				}
				return
			}
			if method == http.MethodGet {
				assert.Equal(t, http.StatusSeeOther, got.code, "nobody signed in")
				assert.Equal(t, "/login", got.header.Get("Location"))
			} else {
				assert.Equal(t, http.StatusUnauthorized, got.code, "nobody signed in")
			}
			for _, role := range identity.Roles {
				got := clients[role].send(method, path, clients[role].csrf)
				if slices.Contains(rt.roles, role) {
					assert.NotContains(t, got.body, forbidden, "%s may", role)
					assert.Less(t, got.code, 500, "%s: %s", role, got.body)
				} else {
					assert.Equal(t, http.StatusForbidden, got.code, "%s may not", role)
					assert.Contains(t, got.body, forbidden, "%s may not", role)
				}
			}
		})
	}
	for _, role := range identity.Roles {
		c := clients[role]
		assert.Equal(t, http.StatusSeeOther, c.post("/logout", nil).code)
		assert.Equal(t, http.StatusSeeOther, c.get("/").code, "%s is signed out", role)
	}
}

// checkAPIRoles sends an API route as nobody, with a browser's session
// (refused: the API reads no cookie), and with HTTP Basic as every role.
func checkAPIRoles(t *testing.T, h *harness, rt route, method, path string, browsers map[identity.Role]*client) {
	anon := h.api("", "")
	got := anon.call(method, path, nil)
	if rt.roles == nil { // no sign-in asked (a link's routes answer 404 or 400 for no link: api_claim_test.go)
		assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, got.code, "public")
		assert.Less(t, got.code, 500, "public: %s", got.body)
		return
	}
	assert.Equal(t, http.StatusUnauthorized, got.code, "nobody")
	assert.JSONEq(t, `{"detail": "authenticate with HTTP Basic: your user name and your password, or your user name and an API key"}`, got.body)
	cookie := browsers[rt.roles[0]]
	got = cookie.send(method, path, cookie.csrf)
	assert.Equal(t, http.StatusUnauthorized, got.code, "a session is not enough")
	forbidden := catalog["en"]["forbidden"]
	for _, role := range identity.Roles {
		got := h.api(roleUsers[role], "password-"+roleUsers[role]).call(method, path, nil)
		if slices.Contains(rt.roles, role) {
			assert.NotEqual(t, http.StatusForbidden, got.code, "%s may: %s", role, got.body)
			assert.NotEqual(t, http.StatusUnauthorized, got.code, "%s may: %s", role, got.body)
			assert.Less(t, got.code, 500, "%s: %s", role, got.body)
		} else {
			assert.Equal(t, http.StatusForbidden, got.code, "%s may not", role)
			assert.JSONEq(t, `{"detail": "`+forbidden+`"}`, got.body, "%s may not", role)
		}
		assert.Equal(t, "application/json", got.header.Get("Content-Type"), "%s", role)
	}
}

// send sends an empty request (a POST with the CSRF token); a progress
// stream is read only up to its headers.
func (c *client) send(method, path, csrf string) answer {
	c.h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader("csrf=" + csrf)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.h.ts.URL+path, body)
	require.NoError(c.h.t, err)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.http.Do(req)
	require.NoError(c.h.t, err)
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") == "text/event-stream" {
		return answer{code: resp.StatusCode, header: resp.Header}
	}
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.h.t, err)
	return answer{code: resp.StatusCode, body: string(b), header: resp.Header}
}
