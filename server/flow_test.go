package server

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/identity"
)

// event is one server-sent event.
type event struct {
	name string
	data progress
}

// stream reads a batch's progress stream until its end event, within a
// bound.
func (c *client) stream(ref string) []event {
	c.h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.h.ts.URL+"/batches/"+ref+"/progress", nil)
	require.NoError(c.h.t, err)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.http.Do(req)
	require.NoError(c.h.t, err)
	defer resp.Body.Close()
	require.Equal(c.h.t, http.StatusOK, resp.StatusCode)
	var out []event
	var name string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			var p progress
			require.NoError(c.h.t, json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &p))
			out = append(out, event{name, p})
			if name == "end" {
				return out
			}
		}
	}
	require.NoError(c.h.t, sc.Err())
	c.h.t.Fatalf("the progress stream ended without an end event: %v", out)
	return nil
}

// TestUploadPlanApproveRunAndReports is the whole path of a batch in the web
// app, against the sandbox: a sheet with errors (nothing planned), the fixed
// sheet planned, the planner's and a co-planner's approvals refused, a second
// approver's approval, the run in the background watched to its end, every
// payout counted at the sandbox, and the reports.
func TestUploadPlanApproveRunAndReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, nil)
	_, err := h.st.AddUser(ctx, identity.User{Name: "eve", Role: identity.Approver, PasswordHash: lightHash("password-eve"), Created: h.clock.Now()})
	require.NoError(t, err)
	awa := h.signIn("awa")

	// a sheet with errors: the rows to fix, nothing planned
	got := awa.upload(sample("payroll-with-errors.xlsx"), map[string]string{"reference": "payroll-2026-11"})
	require.Equal(t, http.StatusUnprocessableEntity, got.code, got.body)
	assert.Contains(t, got.body, "Rows to fix")
	assert.Contains(t, got.body, "Nothing was planned")
	m := regexpFind(t, `href="/uploads/([0-9a-f]+)/errors.csv"`, got.body)
	bs, err := h.st.Batches(ctx)
	require.NoError(t, err)
	assert.Empty(t, bs, "nothing planned")
	dl := awa.get("/uploads/" + m + "/errors.csv")
	require.Equal(t, http.StatusOK, dl.code)
	assert.Equal(t, "text/csv; charset=utf-8", dl.header.Get("Content-Type"))
	recs, err := csv.NewReader(strings.NewReader(dl.body)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"row", "column", "value", "what to do"}, recs[0])
	assert.Greater(t, len(recs), 1)
	for _, r := range recs[1:] {
		assert.Contains(t, html.UnescapeString(got.body), "<td>"+r[3]+"</td>", "every row error of the csv is on the page")
	}

	// a control total that the sheet does not add up to
	got = awa.upload(sample("payroll-2026-11.xlsx"), map[string]string{"expect_total": "1 000"})
	assert.Equal(t, http.StatusUnprocessableEntity, got.code)

	// the fixed sheet: the plan, stored for approval
	got = awa.upload(sample("payroll-2026-11.xlsx"), map[string]string{"reference": "payroll-2026-11"})
	require.Equal(t, http.StatusOK, got.code, got.body)
	b, items, err := batch.Load(ctx, h.st, "payroll-2026-11")
	require.NoError(t, err)
	assert.Contains(t, got.body, b.PlanHash)
	assert.Contains(t, got.body, money(b.TotalAmount, "XAF"))
	assert.Contains(t, got.body, "FCFA")
	assert.Equal(t, "awa", b.CreatedBy)
	assert.Equal(t, DoorPolicy, b.Policy)

	// the initiator cannot start it before an approval, nor approve it
	page := awa.get("/batches/payroll-2026-11")
	assert.Contains(t, page.body, catalog["en"]["awaiting_approval"])
	assert.NotContains(t, page.body, "/start", "no start button before the approval")
	assert.Equal(t, http.StatusForbidden, awa.post("/batches/payroll-2026-11/start", nil).code)
	assert.Equal(t, http.StatusForbidden, awa.post("/batches/payroll-2026-11/approve", url.Values{"plan_hash": {b.PlanHash}}).code)
	// bob planned it again from the command line: four-eyes refuses him
	require.NoError(t, h.st.RecordPlan(ctx, b.ID, "bob", b.PlanHash, "login bob", b.Policy))
	bob := h.signIn("bob")
	got = bob.post("/batches/payroll-2026-11/approve", url.Values{"plan_hash": {b.PlanHash}})
	assert.Equal(t, http.StatusForbidden, got.code)
	assert.Contains(t, got.body, "four_eyes needs an approver who did not plan it")
	// an approval binds the plan hash the approver saw
	eve := h.signIn("eve")
	assert.Equal(t, http.StatusConflict, eve.post("/batches/payroll-2026-11/approve", url.Values{"plan_hash": {"stale"}}).code)
	got = eve.post("/batches/payroll-2026-11/approve", url.Values{"plan_hash": {b.PlanHash}, "note": {"checked against the payroll"}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	b, err = h.st.Batch(ctx, "payroll-2026-11")
	require.NoError(t, err)
	assert.Equal(t, batch.Approval{Hash: b.PlanHash, By: "eve", At: h.clock.Now()}, batch.Approval{Hash: b.Approval.Hash, By: b.Approval.By, At: b.Approval.At.UTC()})

	// start: paid in the background, watched to the end
	got = awa.post("/batches/payroll-2026-11/start", nil)
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	events := awa.stream("payroll-2026-11")
	last := events[len(events)-1].data
	assert.True(t, last.Complete, "%+v", last)
	assert.False(t, last.Running)
	assert.Empty(t, last.Error)
	assert.Equal(t, len(items), last.Items)
	assert.Equal(t, len(items), last.Done)
	var paid int64
	for _, p := range last.Providers {
		paid += p.Paid
		assert.Equal(t, 100, p.Percent, p.Name)
	}
	assert.Equal(t, b.TotalAmount, paid)

	// every item paid once, as the sandbox saw it
	resp, err := http.Get(h.sandbox + "/_sandbox/payouts")
	require.NoError(t, err)
	var payouts []struct {
		ClientReference string `json:"client_reference"`
		Amount          int64  `json:"amount"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&payouts))
	resp.Body.Close()
	refs := map[string]bool{}
	for _, p := range payouts {
		refs[p.ClientReference] = true
	}
	assert.Len(t, payouts, len(items))
	for _, it := range items {
		assert.True(t, refs[it.Reference], "row %d paid", it.Row)
	}

	// a reloaded page gets the standing at once, and the end
	again := eve.stream("payroll-2026-11")
	require.Len(t, again, 2)
	assert.Equal(t, last, again[0].data)

	// the pages: the batch, its items filtered, an item's trail, the events with their actors
	page = bob.get("/batches/payroll-2026-11")
	require.Equal(t, http.StatusOK, page.code)
	assert.NotContains(t, page.body, catalog["en"]["awaiting_approval"])
	assert.Contains(t, page.body, "approved by eve")
	assert.Contains(t, page.body, "<td>eve</td>", "the approval's actor")
	assert.Contains(t, page.body, "<td>awa</td><td>started in the web app</td>", "the run's actor")
	list := bob.get("/batches/payroll-2026-11/items?state=succeeded&q=" + url.QueryEscape(items[0].Name))
	require.Equal(t, http.StatusOK, list.code)
	assert.Contains(t, list.body, items[0].Name)
	assert.NotContains(t, list.body, items[1].Name)
	item := bob.get("/batches/payroll-2026-11/items/" + itoa(items[0].Row))
	require.Equal(t, http.StatusOK, item.code)
	assert.Contains(t, item.body, items[0].Reference)
	assert.Contains(t, item.body, "accepted")
	home := bob.get("/")
	assert.Contains(t, home.body, "payroll-2026-11")
	assert.Contains(t, home.body, "paid "+itoa(len(items)))

	// nothing is in review: a resolve is refused
	got = bob.post("/batches/payroll-2026-11/items/"+itoa(items[0].Row)+"/resolve", url.Values{"as": {"failed"}, "note": {"x"}})
	assert.Equal(t, http.StatusConflict, got.code)

	// the reports, for the auditor
	carl := h.signIn("carl")
	x := carl.get("/batches/payroll-2026-11/report.xlsx")
	require.Equal(t, http.StatusOK, x.code)
	assert.True(t, strings.HasPrefix(x.body, "PK"), "an xlsx is a zip")
	c := carl.get("/batches/payroll-2026-11/report.csv")
	require.Equal(t, http.StatusOK, c.code)
	rows, err := csv.NewReader(strings.NewReader(c.body)).ReadAll()
	require.NoError(t, err)
	assert.Len(t, rows, len(items)+1)
	j := carl.get("/batches/payroll-2026-11/report.json")
	require.Equal(t, http.StatusOK, j.code)
	var sum map[string]any
	require.NoError(t, json.Unmarshal([]byte(j.body), &sum))
	assert.NotEmpty(t, sum)
}
