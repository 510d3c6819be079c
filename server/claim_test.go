package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/internal/door"
	"bulkpay/ledger"
	"bulkpay/providers/sandbox/sandboxtest"
)

// syncBuffer is a log written by the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// linkHarness is a harness whose links pass runs only when the test says
// (linksPass), with the server's log kept.
func linkHarness(t *testing.T, edit func(*Options)) (*harness, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	h := newHarness(t, func(o *Options) {
		o.LinksEvery = -1
		o.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if edit != nil {
			edit(o)
		}
	})
	return h, logs
}

// planLinks plans a batch paying rows (csv lines: name, phone, amount) by
// link, as awa, and has bob approve it.
func (h *harness) planLinks(ref, rows string) batch.Batch {
	t := h.t
	t.Helper()
	path := filepath.Join(t.TempDir(), ref+".csv")
	require.NoError(t, os.WriteFile(path, []byte("Name,Phone,Amount\n"+rows), 0o600))
	cfg := h.srv.opt.Config
	p := door.Plan{Sheet: door.Sheet{Path: path}, Reference: ref, By: "awa", Fees: cfg.Fees(), Policy: h.srv.opt.Policy,
		Now: h.clock.Now(), PayBy: batch.PayByLink}
	out, res, err := door.PlanStream(context.Background(), cfg, h.srv.opt.Target, p,
		func(context.Context) (batch.PlanStore, error) { return h.st, nil }, false, batch.SaveRequest{Planning: true})
	require.NoError(t, err)
	require.Empty(t, res.Errors)
	require.True(t, out.Stored)
	bob := h.signIn("bob")
	got := bob.post("/batches/"+ref+"/approve", url.Values{"plan_hash": {out.Batch.PlanHash}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	return out.Batch
}

var claimPathRE = regexp.MustCompile(`/claim/([A-Za-z0-9_-]+)`)

// awaInvited plans ref's rows paid by link, Awa Ndiaye's (+237677123456)
// among them, and sends the links: the batch and the id of Awa's link.
func (h *harness) awaInvited(ref, rows string) (batch.Batch, string) {
	h.t.Helper()
	b := h.planLinks(ref, rows)
	_, err := h.srv.linksPass(context.Background())
	require.NoError(h.t, err)
	return b, h.invitation("237677123456")
}

// invitation is the id of the link the SMS to phone invites to.
func (h *harness) invitation(phone string) string {
	h.t.Helper()
	for _, m := range sandboxtest.Messages(h.t, h.sandbox, phone) {
		if g := claimPathRE.FindStringSubmatch(m.Text); g != nil {
			return g[1]
		}
	}
	h.t.Fatalf("no invitation to %s", phone)
	return ""
}

var smsCodeRE = regexp.MustCompile(`\b([0-9]{6})\b`)

// lastCode is the code of the latest code SMS to phone.
func (h *harness) lastCode(phone string) string {
	h.t.Helper()
	code := ""
	for _, m := range sandboxtest.Messages(h.t, h.sandbox, phone) {
		if g := smsCodeRE.FindStringSubmatch(m.Text); g != nil && !strings.Contains(m.Text, "/claim/") {
			code = g[1]
		}
	}
	require.NotEmpty(h.t, code, "a code SMS to %s", phone)
	return code
}

func wrongOf(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// payoutsByPhone is the payouts the sandbox received, by phone.
func (h *harness) payoutsByPhone() map[string][]int64 {
	h.t.Helper()
	resp, err := http.Get(h.sandbox + "/_sandbox/payouts")
	require.NoError(h.t, err)
	defer resp.Body.Close()
	var payouts []struct {
		Phone  string `json:"phone"`
		Amount int64  `json:"amount"`
	}
	require.NoError(h.t, json.NewDecoder(resp.Body).Decode(&payouts))
	out := map[string][]int64{}
	for _, p := range payouts {
		out[p.Phone] = append(out[p.Phone], p.Amount)
	}
	return out
}

// TestClaimPageFlow: the approved batch's links go out by SMS; the
// beneficiary opens the page (masked name, no phone in clear), asks for a
// code, enters a wrong one (tries left), then the right one, chooses mobile
// money and submits twice; the runner pays the item once, the status page
// says so, and the code is in no page, no log and no event.
func TestClaimPageFlow(t *testing.T) {
	t.Parallel()
	h, logs := linkHarness(t, nil)
	ctx := context.Background()
	b := h.planLinks("links-2026-11", "Awa Ndiaye,677 12 34 56,25000\nJean Mbarga,699 00 11 22,30000\n")
	pass, err := h.srv.linksPass(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, pass.Sent.Invitations)
	again, err := h.srv.linksPass(ctx)
	require.NoError(t, err)
	assert.Zero(t, again.Sent.Messages, "an invitation goes once")

	id := h.invitation("237677123456")
	ben := h.browser()
	var pages []string
	page := ben.get("/claim/" + id)
	pages = append(pages, page.body)
	require.Equal(t, http.StatusOK, page.code, page.body)
	assert.Contains(t, page.body, "A** N*****")
	assert.NotContains(t, page.body, "Ndiaye")
	assert.NotContains(t, page.body, "677123456")
	assert.Contains(t, page.body, "2376*****456")
	assert.Contains(t, page.body, "25 000 FCFA")
	assert.NotContains(t, page.body, `name="code"`, "no code form before a code is asked")
	token := regexpFind(t, `name="csrf" value="([^"]+)"`, page.body)
	assert.Equal(t, http.StatusForbidden, ben.post("/claim/"+id+"/code", url.Values{"csrf": {"forged"}}).code, "CSRF")

	got := ben.post("/claim/"+id+"/code", url.Values{"csrf": {token}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	page = ben.get(got.header.Get("Location"))
	pages = append(pages, page.body)
	assert.Contains(t, page.body, "A code was sent by SMS to")
	assert.Contains(t, page.body, `name="code"`)
	code := h.lastCode("237677123456")

	got = ben.post("/claim/"+id+"/verify", url.Values{"csrf": {token}, "code": {wrongOf(code)}})
	pages = append(pages, got.body)
	assert.Equal(t, http.StatusBadRequest, got.code)
	assert.Contains(t, got.body, "This code is wrong: 4 more wrong code(s)")
	got = ben.post("/claim/"+id+"/verify", url.Values{"csrf": {token}, "code": {code[:3] + " " + code[3:]}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	page = ben.get("/claim/" + id)
	pages = append(pages, page.body)
	assert.Contains(t, page.body, `value="mobile_money" checked`)
	assert.Contains(t, page.body, "Bank transfer <em>(not available)</em>")
	assert.NotContains(t, page.body, `name="phone"`, "another number is not allowed by this batch")

	got = ben.post("/claim/"+id, url.Values{"csrf": {token}, "mode": {"mobile_money"}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	got = ben.post("/claim/"+id, url.Values{"csrf": {token}, "mode": {"mobile_money"}})
	assert.Equal(t, http.StatusSeeOther, got.code, "a second submit shows the same payout")
	h.srv.runs.wait()

	page = ben.get("/claim/" + id)
	pages = append(pages, page.body)
	assert.Contains(t, page.body, "You have been paid", page.body)
	assert.NotContains(t, page.body, `http-equiv="refresh"`, "a payout that ended is not reloaded")
	assert.Equal(t, map[string][]int64{"237677123456": {25000}}, h.payoutsByPhone(), "paid once; the other link is not claimed")

	ls, _ := h.srv.linkStore()
	l, err := ls.Link(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, batch.LinkProcessed, l.Shown())
	events, err := h.st.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	var actors []string
	for _, e := range events {
		assert.NotContains(t, e.Cause+" "+e.Detail, code, "an event")
		actors = append(actors, e.Actor)
	}
	assert.Contains(t, actors, "cron", "the invitations' actor")
	assert.Contains(t, actors, "system", "the claimed link's run")
	assert.Contains(t, actors, "beneficiary at 127.0.0.1")
	for _, p := range pages {
		assert.NotContains(t, p, code, "a page")
	}
	assert.NotContains(t, logs.String(), code, "the log")
}

// TestClaimLockAndExpiry: five wrong codes lock the link (the page says
// until when, with no code form); a link past its expiry is expired by the
// links pass, shows a page without a form and moves no money.
func TestClaimLockAndExpiry(t *testing.T) {
	t.Parallel()
	h, _ := linkHarness(t, nil)
	ctx := context.Background()
	b, id := h.awaInvited("links-2026-12", "Awa Ndiaye,677 12 34 56,25000\nJean Mbarga,699 00 11 22,30000\n")
	ben := h.browser()
	token := regexpFind(t, `name="csrf" value="([^"]+)"`, ben.get("/claim/"+id).body)
	require.Equal(t, http.StatusSeeOther, ben.post("/claim/"+id+"/code", url.Values{"csrf": {token}}).code)
	wrong := wrongOf(h.lastCode("237677123456"))
	var got answer
	for range batch.CodeTries {
		got = ben.post("/claim/"+id+"/verify", url.Values{"csrf": {token}, "code": {wrong}})
	}
	assert.Equal(t, http.StatusTooManyRequests, got.code)
	assert.Contains(t, got.body, "Too many wrong codes: this link is locked. Try again after")
	assert.Contains(t, got.body, "10:00 UTC", "an hour after the lock")
	assert.NotContains(t, got.body, `name="code"`)
	got = ben.post("/claim/"+id, url.Values{"csrf": {token}, "mode": {"mobile_money"}})
	assert.Equal(t, http.StatusBadRequest, got.code, "no claim without the code proved")

	require.NoError(t, h.clock.Sleep(ctx, 8*24*time.Hour))
	pass, err := h.srv.linksPass(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, pass.Expired)
	page := ben.get("/claim/" + id)
	assert.Equal(t, http.StatusOK, page.code)
	assert.Contains(t, page.body, "This link has expired")
	assert.NotContains(t, page.body, "<form method=\"post\" action=\"/claim/")
	got = ben.post("/claim/"+id+"/code", url.Values{"csrf": {token}})
	assert.Equal(t, http.StatusGone, got.code)
	assert.Empty(t, h.payoutsByPhone(), "an expired link moves no money")
	events, err := h.st.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	expired := 0
	for _, e := range events {
		if strings.Contains(e.Cause, batch.CauseLinkExpired) && e.Actor == "cron" {
			expired++
		}
	}
	assert.Positive(t, expired, "the expiry's events, by cron")
}

// TestClaimPageFrenchAndRates: the page follows Accept-Language; an unknown
// link is a page without a form; requests beyond an address's rate are 429.
func TestClaimPageFrenchAndRates(t *testing.T) {
	t.Parallel()
	h, _ := linkHarness(t, nil)
	h.planLinks("liens-2026-11", "Awa Ndiaye,677 12 34 56,25000\n")
	_, err := h.srv.linksPass(context.Background())
	require.NoError(t, err)
	id := h.invitation("237677123456")
	req, err := http.NewRequest(http.MethodGet, h.ts.URL+"/claim/"+id, nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Language", "fr-CM,fr;q=0.9")
	page := h.browser().do(req)
	assert.Contains(t, page.body, "Un paiement de")
	assert.Contains(t, page.body, "Recevoir un code par SMS")
	missing := h.browser().get("/claim/nope")
	assert.Equal(t, http.StatusNotFound, missing.code)
	assert.Contains(t, missing.body, "This link does not exist")
	assert.NotContains(t, missing.body, "<form method=\"post\" action=\"/claim/")
	codes := map[int]int{}
	for range ClaimAddrBurst + 1 { // the clock stands still: nothing refills
		codes[h.browser().get("/claim/x").code]++
	}
	assert.Positive(t, codes[http.StatusTooManyRequests], "beyond the address's rate")
}

// racingLedger is the ledger with before run once just ahead of the next
// ClaimLink: what another request did between a claim's read and its write.
type racingLedger struct {
	*ledger.Store
	mu     sync.Mutex
	before func()
}

func (r *racingLedger) ClaimLink(ctx context.Context, l batch.Link, it batch.Item, actor string) error {
	r.mu.Lock()
	before := r.before
	r.before = nil
	r.mu.Unlock()
	if before != nil {
		before()
	}
	return r.Store.ClaimLink(ctx, l, it, actor)
}

// TestClaimRacingAReminder: the links pass sends a reminder between the
// claim's read of the link and its write; the claim page answers with the
// payout, paid once, and a batch cancelled meanwhile is said so, not 500.
func TestClaimRacingAReminder(t *testing.T) {
	t.Parallel()
	race := &racingLedger{}
	h, _ := linkHarness(t, func(o *Options) {
		o.Config.LinkReminders = []config.Span{config.Span(24 * time.Hour)}
		race.Store = o.Store.(*ledger.Store)
		o.Store = race
	})
	ctx := context.Background()
	b := h.planLinks("race-2026-11", "Awa Ndiaye,677 12 34 56,25000\nJean Mbarga,699 00 11 22,30000\n")
	_, err := h.srv.linksPass(ctx)
	require.NoError(t, err)
	require.NoError(t, h.clock.Sleep(ctx, 6*24*time.Hour+time.Minute)) // the reminder is due

	proved := func(phone string) (id, token string, ben *client) {
		id = h.invitation(phone)
		ben = h.browser()
		token = regexpFind(t, `name="csrf" value="([^"]+)"`, ben.get("/claim/"+id).body)
		require.Equal(t, http.StatusSeeOther, ben.post("/claim/"+id+"/code", url.Values{"csrf": {token}}).code)
		got := ben.post("/claim/"+id+"/verify", url.Values{"csrf": {token}, "code": {h.lastCode(phone)}})
		require.Equal(t, http.StatusSeeOther, got.code, got.body)
		return id, token, ben
	}
	id, token, ben := proved("237677123456")
	race.mu.Lock()
	race.before = func() {
		pass, err := h.srv.linksPass(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, pass.Sent.Reminders, "the reminders went out meanwhile")
	}
	race.mu.Unlock()
	got := ben.post("/claim/"+id, url.Values{"csrf": {token}, "mode": {"mobile_money"}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	h.srv.runs.wait()
	assert.Contains(t, ben.get("/claim/"+id).body, "You have been paid")
	assert.Equal(t, map[string][]int64{"237677123456": {25000}}, h.payoutsByPhone(), "paid once")

	id, token, ben = proved("237699001122")
	race.mu.Lock()
	race.before = func() {
		_, err := batch.Cancel(ctx, h.st, b, batch.CancelRequest{Actor: "awa", Note: "wrong month", Owner: h.srv.opt.Owner})
		require.NoError(t, err)
	}
	race.mu.Unlock()
	got = ben.post("/claim/"+id, url.Values{"csrf": {token}, "mode": {"mobile_money"}})
	assert.Equal(t, http.StatusGone, got.code, got.body)
	assert.Contains(t, got.body, "The payer cancelled this payment")
}

// TestLinksPassSendsRemindersOnce: the links pass sends a batch's
// invitations only once it is approved, then each reminder when it falls
// due, once.
func TestLinksPassSendsRemindersOnce(t *testing.T) {
	t.Parallel()
	h, _ := linkHarness(t, func(o *Options) { o.Config.LinkReminders = []config.Span{config.Span(24 * time.Hour)} })
	ctx := context.Background()
	h.planLinks("remind-2026-11", "Awa Ndiaye,677 12 34 56,25000\n")
	pass, err := h.srv.linksPass(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, pass.Sent.Invitations)
	require.NoError(t, h.clock.Sleep(ctx, 5*24*time.Hour))
	pass, err = h.srv.linksPass(ctx)
	require.NoError(t, err)
	assert.Zero(t, pass.Sent.Messages, "no reminder before its day")
	require.NoError(t, h.clock.Sleep(ctx, 24*time.Hour+time.Minute))
	for range 2 {
		pass, err = h.srv.linksPass(ctx)
		require.NoError(t, err)
	}
	texts := sandboxtest.Delivered(t, h.sandbox, "237677123456")
	require.Len(t, texts, 2, "the invitation and one reminder")
	assert.True(t, strings.HasPrefix(texts[1], "Reminder"), texts[1])
}

// TestLinksWaitForTheApproval: a batch paying by link sends nothing before
// its approval.
func TestLinksWaitForTheApproval(t *testing.T) {
	t.Parallel()
	h, _ := linkHarness(t, nil)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wait-2026-11.csv")
	require.NoError(t, os.WriteFile(path, []byte("Name,Phone,Amount\nAwa Ndiaye,677 12 34 56,25000\n"), 0o600))
	cfg := h.srv.opt.Config
	_, _, err := door.PlanStream(ctx, cfg, h.srv.opt.Target, door.Plan{Sheet: door.Sheet{Path: path}, Reference: "wait-2026-11", By: "awa",
		Fees: cfg.Fees(), Policy: h.srv.opt.Policy, Now: h.clock.Now(), PayBy: batch.PayByLink},
		func(context.Context) (batch.PlanStore, error) { return h.st, nil }, false, batch.SaveRequest{Planning: true})
	require.NoError(t, err)
	pass, err := h.srv.linksPass(ctx)
	require.NoError(t, err)
	assert.Zero(t, pass.Sent.Messages)
	assert.Empty(t, sandboxtest.Messages(t, h.sandbox, "237677123456"))
}

// postLang posts a claim form as a browser asking for lang.
func (c *client) postLang(path, lang string, form url.Values) answer {
	c.h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.h.ts.URL+path, strings.NewReader(form.Encode()))
	require.NoError(c.h.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", lang)
	return c.do(req)
}

// TestClaimAnotherNumber: when the batch allows it, the beneficiary may give
// another number: one that cannot be paid is refused in the page's language
// with the value typed, one that can is routed and paid instead of the
// number on file.
func TestClaimAnotherNumber(t *testing.T) {
	t.Parallel()
	h, _ := linkHarness(t, func(o *Options) { o.Config.LinkOtherNumber = true })
	_, id := h.awaInvited("other-2026-11", "Awa Ndiaye,677 12 34 56,25000\n")
	ben := h.browser()
	token := regexpFind(t, `name="csrf" value="([^"]+)"`, ben.get("/claim/"+id).body)
	require.Equal(t, http.StatusSeeOther, ben.post("/claim/"+id+"/code", url.Values{"csrf": {token}}).code)
	code := h.lastCode("237677123456")
	require.Equal(t, http.StatusSeeOther, ben.post("/claim/"+id+"/verify", url.Values{"csrf": {token}, "code": {code}}).code)
	assert.Contains(t, ben.get("/claim/"+id).body, `name="phone"`)

	got := ben.postLang("/claim/"+id, "fr", url.Values{"csrf": {token}, "mode": {"mobile_money"}, "phone": {"12345"}})
	assert.Equal(t, http.StatusBadRequest, got.code)
	assert.Contains(t, got.body, "Le numéro &#34;12345&#34; ne peut pas être payé")
	assert.Contains(t, got.body, `value="12345"`, "the number typed is kept")

	got = ben.post("/claim/"+id, url.Values{"csrf": {token}, "mode": {"mobile_money"}, "phone": {"699 00 11 22"}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	h.srv.runs.wait()
	assert.Equal(t, map[string][]int64{"237699001122": {25000}}, h.payoutsByPhone())
	assert.Contains(t, ben.get("/claim/"+id).body, "2376*****122", "the number paid, masked")
}

// TestClaimRatePerLink: requests to one link from ever new addresses are
// bounded by the link's own rate, and the links' API counts towards it.
func TestClaimRatePerLink(t *testing.T) {
	t.Parallel()
	h, _ := linkHarness(t, func(o *Options) { o.BehindProxy = true })
	codes := map[int]int{}
	for i := range ClaimLinkBurst + 1 { // the clock stands still: nothing refills
		req, err := http.NewRequest(http.MethodGet, h.ts.URL+"/payments/check_bulk_payment/some-link", nil)
		require.NoError(t, err)
		req.Header.Set("X-Forwarded-For", "10.0.0."+itoa(i+1))
		codes[h.browser().do(req).code]++
	}
	assert.Equal(t, map[int]int{http.StatusNotFound: ClaimLinkBurst, http.StatusTooManyRequests: 1}, codes)
	req, err := http.NewRequest(http.MethodGet, h.ts.URL+"/claim/some-link", nil)
	require.NoError(t, err)
	req.Header.Set("X-Forwarded-For", "10.0.1.1")
	assert.Equal(t, http.StatusTooManyRequests, h.browser().do(req).code, "the page and the API share the link's rate")
	req, err = http.NewRequest(http.MethodGet, h.ts.URL+"/claim/other-link", nil)
	require.NoError(t, err)
	req.Header.Set("X-Forwarded-For", "10.0.1.1")
	assert.Equal(t, http.StatusNotFound, h.browser().do(req).code, "another link has its own")
}
