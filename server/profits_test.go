package server

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/testsupport"
)

// TestAdminChangesAProfitConfigurationInSettings: the settings page lists
// the configurations in force; a change through its form is checked as the
// API's is, kept with its author in the same history the API shows, and
// logged with its actor; the API's changes show on the page.
func TestAdminChangesAProfitConfigurationInSettings(t *testing.T) {
	t.Parallel()
	logs := &testsupport.Buffer{}
	h := newHarness(t, func(o *Options) {
		o.Config.ProfitConfigurations = []batch.ProfitConfig{{Name: batch.FeeMobileMoney, Fee: 100, Currency: "XAF"}}
		o.Log = slog.New(slog.NewTextHandler(logs, nil))
	})
	dana := h.signIn("dana")
	page := dana.get("/settings/profits")
	require.Equal(t, http.StatusOK, page.code, page.body)
	assert.Contains(t, page.body, `<strong class="in-force">100 FCFA</strong> (as in the config file)`)
	assert.Contains(t, page.body, `action="/settings/profits/`+batch.FeeMobileMoney+`"`)
	assert.Contains(t, dana.get("/").body, `href="/settings/profits"`, "in the admin's menu")

	const path = "/settings/profits/" + batch.FeeMobileMoney
	for _, bad := range []struct {
		form url.Values
		says string
	}{
		{url.Values{"fee": {"ten"}}, catalog["en"]["fee_not_number"]},
		{url.Values{"fee": {"0"}, "percentage": {"150"}, "use_percentage": {"1"}}, "not between 0 and 100"},
		{url.Values{"fee": {"-5"}}, "negative"},
		{url.Values{"fee": {"5"}, "currency": {"EUR"}}, catalog["en"]["bad_form"]},
	} {
		got := dana.post(path, bad.form)
		assert.Equal(t, http.StatusBadRequest, got.code, "%v", bad.form)
		assert.Contains(t, got.body, html.EscapeString(bad.says), "%v", bad.form)
	}
	assert.Equal(t, http.StatusBadRequest, dana.post("/settings/profits/no_such_fee", url.Values{"fee": {"5"}}).code)
	got := dana.post(path, url.Values{"fee": {"5"}, "csrf": {"forged"}})
	assert.Equal(t, http.StatusForbidden, got.code, "CSRF")

	got = dana.post(path, url.Values{"fee": {"0"}, "percentage": {"1.5"}, "use_percentage": {"1"}, "currency": {"XAF"}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	assert.Equal(t, "/settings/profits", got.header.Get("Location"))
	assert.Contains(t, logs.String(), `msg="profit configuration changed" name=`+batch.FeeMobileMoney+` user=dana`)

	// the API sees the page's change, and the page the API's
	pc := decode[profitConfigJSON](t, h.api("carl", "password-carl").call(http.MethodGet, "/payments/profit_configuration/"+batch.FeeMobileMoney+"/", nil))
	assert.Equal(t, "api", pc.Source)
	assert.True(t, pc.UsePercentage)
	require.NotNil(t, pc.Percentage)
	assert.Equal(t, "1.5", *pc.Percentage)
	require.NotNil(t, pc.UpdatedBy)
	assert.Equal(t, "dana", *pc.UpdatedBy)
	require.NoError(t, h.clock.Sleep(context.Background(), time.Hour))
	got = h.api("dana", "password-dana").call(http.MethodPut, "/payments/change_profit_configuration/"+batch.FeeMobileMoney+"/",
		map[string]any{"percentage": "2"})
	require.Equal(t, http.StatusOK, got.code, got.body)

	page = dana.get("/settings/profits")
	require.Equal(t, http.StatusOK, page.code)
	assert.Contains(t, page.body, `<strong class="in-force">2 %</strong>`)
	assert.Contains(t, page.body,
		`<tr><td><time datetime="2026-11-24T10:00:00Z">2026-11-24 10:00 UTC</time></td><td>dana</td><td>1.5 % → 2 %</td></tr>`+
			`<tr><td><time datetime="2026-11-24T09:00:00Z">2026-11-24 09:00 UTC</time></td><td>dana</td><td>100 FCFA → 1.5 %</td></tr>`,
		"newest first, each from what it replaced")
	assert.NotContains(t, page.body, "as in the config file")
}
