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
	return method, strings.NewReplacer("{ref}", ref, "{row}", "2", "{id}", "none", "{file}", "app.js", "{lang}", "fr", "{$}", "").Replace(path)
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
		t.Run(rt.pattern, func(t *testing.T) {
			anon := h.browser()
			got := anon.send(method, path, "")
			if rt.roles == nil {
				assert.NotContains(t, got.body, forbidden, "public")
				assert.NotEqual(t, http.StatusUnauthorized, got.code, "public")
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
