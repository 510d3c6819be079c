package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

var (
	timeRE = regexp.MustCompile(`<time datetime="([^"]*)">([^<]*)</time>`)
	codeRE = regexp.MustCompile(`(?s)<code[^>]*>.*?</code>`)
	// a date with a time of day, as a page would write it
	dateTimeRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|\d{1,2}:\d{2} UTC`)
)

// checkTimes checks that every date and time a page shows is a <time>
// element whose datetime is RFC 3339 in UTC, with the same instant written
// in UTC as its text (the page's script writes it in the reader's zone),
// and returns how many there are. What providers answered (in <code>) is
// shown as they wrote it.
func checkTimes(t *testing.T, what, body string) int {
	t.Helper()
	found := timeRE.FindAllStringSubmatch(body, -1)
	for _, m := range found {
		at, err := time.Parse(time.RFC3339, m[1])
		if assert.NoError(t, err, "%s: %s", what, m[0]) {
			assert.Equal(t, time.UTC, at.Location(), "%s: %s is in UTC", what, m[1])
			assert.Equal(t, at.Format("2006-01-02 15:04 UTC"), m[2], "%s: the text without script", what)
		}
	}
	rest := codeRE.ReplaceAllString(timeRE.ReplaceAllString(body, ""), "")
	assert.Empty(t, dateTimeRE.FindAllString(rest, -1), "%s: a time outside a <time> element", what)
	return len(found)
}

// TestPagesWriteTimesForTheReadersZone goes through the pages that show
// times (a batch paid, approved, an item's attempts and events, the users,
// the profit configurations, a locked sign-in) and checks every time is a
// <time datetime> element the script can rewrite.
func TestPagesWriteTimesForTheReadersZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	awa, b := approvedBatch(t, h)
	require.Equal(t, http.StatusSeeOther, awa.post("/batches/"+b.Reference+"/start", nil).code)
	awa.stream(b.Reference)
	_, items, err := batch.Load(context.Background(), h.st, b.Reference)
	require.NoError(t, err)
	dana := h.signIn("dana")
	require.Equal(t, http.StatusSeeOther, dana.post("/settings/profits/"+batch.FeeMobileMoney, url.Values{"fee": {"50"}}).code)

	for path, least := range map[string]int{
		"/":                       2, // planned and approved
		"/batches/" + b.Reference: 3, // planned, approved, events
		"/batches/" + b.Reference + "/items/" + itoa(items[0].Row): 2, // an attempt, events
		"/settings/users":   4,
		"/settings/profits": 1,
	} {
		c := awa
		if path == "/settings/users" || path == "/settings/profits" {
			c = dana
		}
		page := c.get(path)
		require.Equal(t, http.StatusOK, page.code, "%s: %s", path, page.body)
		assert.GreaterOrEqual(t, checkTimes(t, path, page.body), least, path)
	}

	anon := h.browser()
	for range LockAfter {
		require.Equal(t, http.StatusUnauthorized, anon.login("carl", "wrong password").code)
	}
	page := anon.login("carl", "password-carl")
	require.Equal(t, http.StatusTooManyRequests, page.code)
	require.Equal(t, 1, checkTimes(t, "a locked sign-in", page.body))
	until := h.clock.Now().Add(LockFor).UTC().Format(time.RFC3339)
	assert.Contains(t, page.body, catalog["en"]["locked"]+` <time datetime="`+until+`">`)
}
