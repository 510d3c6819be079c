package server

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/identity"
)

func TestAdminListsAddsAndDisablesUsers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	dana := h.signIn("dana")
	page := dana.get("/settings/users")
	require.Equal(t, http.StatusOK, page.code, page.body)
	for _, name := range roleUsers {
		assert.Contains(t, page.body, "<td>"+name+"</td>")
	}
	assert.NotContains(t, page.body, `action="/settings/users/dana/disable"`, "no button to disable oneself")

	for _, bad := range []struct {
		form url.Values
		code int
	}{
		{url.Values{"name": {"eve"}, "role": {"approver"}, "password": {"short"}}, http.StatusBadRequest},
		{url.Values{"name": {"eve"}, "role": {"owner"}, "password": {"password-eve"}}, http.StatusBadRequest},
		{url.Values{"name": {"bob"}, "role": {"approver"}, "password": {"password-bob2"}}, http.StatusConflict},
	} {
		got := dana.post("/settings/users", bad.form)
		assert.Equal(t, bad.code, got.code, "%v: %s", bad.form, got.body)
	}
	got := dana.post("/settings/users", url.Values{"name": {"eve"}, "role": {"approver"}, "password": {"password-eve"}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	eve := h.signIn("eve")
	assert.Equal(t, http.StatusOK, eve.get("/").code)
	assert.Contains(t, dana.get("/settings/users").body, "<td>eve</td><td>approver</td><td>active</td>")

	got = dana.post("/settings/users/eve/disable", nil)
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	assert.Equal(t, http.StatusSeeOther, eve.get("/").code, "eve's session ended")
	assert.Equal(t, http.StatusSeeOther, eve.get("/").code)
	assert.Equal(t, "/login", eve.get("/").header.Get("Location"))
	assert.NotEqual(t, http.StatusSeeOther, h.browser().login("eve", "password-eve").code, "a disabled user cannot sign in")
	assert.Contains(t, dana.get("/settings/users").body, "<td>eve</td><td>approver</td><td>disabled</td>")

	assert.Equal(t, http.StatusConflict, dana.post("/settings/users/dana/disable", nil).code)
	assert.Equal(t, http.StatusNotFound, dana.post("/settings/users/nobody/disable", nil).code)
	assert.Equal(t, http.StatusOK, dana.get("/").code, "dana is still signed in")
}

// TestUserChangesAndLockoutsAreInTheAuditTrail: users added and disabled in
// the settings are kept in the ledger's audit trail with the admin who did
// it; an account locked by failed sign-ins (in the form or the API) with
// the address they came from; a name that is no user's is not kept. The
// users page shows the trail, newest first.
func TestUserChangesAndLockoutsAreInTheAuditTrail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, nil)
	t0 := h.clock.Now().UTC()
	dana := h.signIn("dana")
	assert.Contains(t, dana.get("/settings/users").body, catalog["en"]["audit_none"])
	require.Equal(t, http.StatusSeeOther,
		dana.post("/settings/users", url.Values{"name": {"eve"}, "role": {"approver"}, "password": {"password-eve"}}).code)
	require.Equal(t, http.StatusConflict,
		dana.post("/settings/users", url.Values{"name": {"eve"}, "role": {"admin"}, "password": {"password-eve"}}).code)
	require.NoError(t, h.clock.Sleep(ctx, time.Minute))
	require.Equal(t, http.StatusSeeOther, dana.post("/settings/users/eve/disable", nil).code)
	require.Equal(t, http.StatusNotFound, dana.post("/settings/users/nobody/disable", nil).code)

	require.NoError(t, h.clock.Sleep(ctx, time.Minute))
	// the clock moves on between attempts: the address's rate is not what stops them
	anon, api := h.browser(), h.api("bob", "wrong password")
	var webLock, apiLock time.Time
	for i := range LockAfter + 1 {
		require.NoError(t, h.clock.Sleep(ctx, 2*LoginEvery))
		assert.NotEqual(t, http.StatusSeeOther, anon.login("nobody", "wrong password").code)
		got := anon.login("carl", "wrong password")
		if i == LockAfter-1 {
			webLock = h.clock.Now().UTC()
		}
		if i < LockAfter {
			assert.Equal(t, http.StatusUnauthorized, got.code, "failure %d", i+1)
		} else {
			assert.Equal(t, http.StatusTooManyRequests, got.code, "locked")
		}
	}
	for i := range LockAfter + 1 {
		require.NoError(t, h.clock.Sleep(ctx, LoginEvery))
		assert.Equal(t, http.StatusUnauthorized, api.call(http.MethodGet, "/payments/bulk_payment/", nil).code)
		if i == LockAfter-1 {
			apiLock = h.clock.Now().UTC()
		}
	}

	trail, err := h.st.Audit(ctx, 10)
	require.NoError(t, err)
	assert.Equal(t, []identity.AuditEntry{
		{At: apiLock, Action: identity.AuditLocked, Subject: "bob", Detail: "127.0.0.1"},
		{At: webLock, Action: identity.AuditLocked, Subject: "carl", Detail: "127.0.0.1"},
		{At: t0.Add(time.Minute), Actor: "dana", Action: identity.AuditUserDisabled, Subject: "eve"},
		{At: t0, Actor: "dana", Action: identity.AuditUserAdded, Subject: "eve", Detail: "approver"},
	}, trail, "once per lockout, newest first; refused changes and unknown names not kept")

	page := dana.get("/settings/users")
	require.Equal(t, http.StatusOK, page.code)
	row := func(at time.Time, rest string) string {
		return `<tr><td><time datetime="` + at.Format(time.RFC3339) + `">` + at.Format("2006-01-02 15:04 UTC") + `</time></td>` + rest + `</tr>`
	}
	assert.Contains(t, page.body, row(apiLock, `<td>bulkpay</td><td>locked out after failed sign-ins (from this address)</td><td>bob</td><td>127.0.0.1</td>`)+
		row(webLock, `<td>bulkpay</td><td>locked out after failed sign-ins (from this address)</td><td>carl</td><td>127.0.0.1</td>`)+
		row(t0.Add(time.Minute), `<td>dana</td><td>disabled</td><td>eve</td><td></td>`)+
		row(t0, `<td>dana</td><td>added</td><td>eve</td><td>approver</td>`))
	assert.NotContains(t, page.body, "nobody")
}
