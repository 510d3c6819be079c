package server

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
