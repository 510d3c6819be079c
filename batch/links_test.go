package batch_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"bulkpay/notify/linktext"
	"bulkpay/providers/providerstest"
)

// fakeMessenger keeps every message; failSMS makes every SMS fail.
type fakeMessenger struct {
	mu      sync.Mutex
	sms     []sentSMS
	emails  []sentSMS
	failSMS error
}

type sentSMS struct{ To, Text, Ref string }

func (f *fakeMessenger) SendSMS(ctx context.Context, to, text, ref string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failSMS != nil {
		return 0, f.failSMS
	}
	f.sms = append(f.sms, sentSMS{to, text, ref})
	return 15, nil
}

func (f *fakeMessenger) SendEmail(ctx context.Context, to, subject, text, ref string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.emails = append(f.emails, sentSMS{to, subject + "\n" + text, ref})
	return nil
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// lastCode reads the code of the last SMS, as the beneficiary does.
func (f *fakeMessenger) lastCode(t *testing.T) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NotEmpty(t, f.sms)
	code := codeRE.FindString(f.sms[len(f.sms)-1].Text)
	require.NotEmpty(t, code)
	return code
}

type linkFixture struct {
	st    *batchtest.Memory
	msg   *fakeMessenger
	clk   *providerstest.Clock
	svc   batch.LinkService
	b     batch.Batch
	items []batch.Item
	links []batch.Link
}

var linkFees = batch.Fees{Configs: []batch.ProfitConfig{{Name: "sms_fee", Fee: 25}}}

// newLinkFixture stores a batch of three rows, the first two paid by link
// (the second with an e-mail), and issues their links, expiring in 7 days.
func newLinkFixture(t *testing.T, otherOK bool) *linkFixture {
	t.Helper()
	ctx := context.Background()
	clk := providerstest.NewClock(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	st := batchtest.NewMemory(batchtest.WithClock(clk.Now))
	b, items, err := batchtest.Seed(ctx, st, batch.Batch{Reference: "links-2026-03", Currency: "XAF", SheetName: "s.csv"},
		batch.Item{Name: "Awa Ndiaye", Phone: "237677000001", Country: "CM", Operator: "MTN", Mode: batch.ModeLink, Provider: "campay", Amount: 5000},
		batch.Item{Name: "Paul Biya", Phone: "237699000002", Country: "CM", Operator: "Orange", Email: "paul@example.com", Mode: batch.ModeLink, Provider: "campay", Amount: 7000},
		batch.Item{Name: "Direct Payee", Phone: "237677000003", Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Provider: "campay", Amount: 1000},
	)
	require.NoError(t, err)
	n, err := batch.IssueLinks(ctx, st, st, b, clk.Now(), 7*24*time.Hour, otherOK, "awa")
	require.NoError(t, err)
	require.Equal(t, 2, n)
	n, err = batch.IssueLinks(ctx, st, st, b, clk.Now(), 7*24*time.Hour, otherOK, "awa")
	require.NoError(t, err)
	require.Zero(t, n, "issued again: each item keeps its link")
	links, err := st.Links(ctx, b.ID)
	require.NoError(t, err)
	require.Len(t, links, 2)
	msg := &fakeMessenger{}
	return &linkFixture{st: st, msg: msg, clk: clk, b: b, items: items, links: links,
		svc: batch.LinkService{Store: st, Items: st, Messenger: msg, Now: clk.Now}}
}

// claimThenFail claims the first link, then pays the batch: the payout the
// claim made is refused (a definite failure), the others succeed. It returns
// the link's id, the item the claim made and the batch's items after.
// askCode asks a code for link id, as its beneficiary does, and gives the
// one the SMS carried.
func (f *linkFixture) askCode(t *testing.T, id string) string {
	t.Helper()
	require.NoError(t, f.svc.RequestCode(context.Background(), batch.CodeRequest{LinkID: id}))
	return f.msg.lastCode(t)
}

func (f *linkFixture) claimThenFail(t *testing.T) (string, batch.Item, []batch.Item) {
	t.Helper()
	ctx := context.Background()
	id := f.links[0].ID
	first, err := f.svc.Claim(ctx, batch.ClaimRequest{LinkID: id, Code: f.askCode(t, id), Router: cashlessRouter{}})
	require.NoError(t, err)
	claims, err := f.st.Claim(ctx, f.b.ID, "campay", 10)
	require.NoError(t, err)
	for _, c := range claims {
		to := batch.Succeeded
		if c.Item.ID == first.ID {
			to = batch.Failed // the provider refused it: a definite failure
		}
		require.NoError(t, f.st.Apply(ctx, batch.Change{ItemID: c.Item.ID, From: batch.Submitting, To: to, Cause: "answer",
			Attempt: &batch.AttemptEnd{ID: c.AttemptID, Outcome: batch.OutcomeRefused}}))
	}
	items, err := f.st.Items(ctx, f.b.ID)
	require.NoError(t, err)
	return id, first, items
}

func (f *linkFixture) send(t *testing.T) batch.SendReport {
	t.Helper()
	rep, err := f.svc.SendLinks(context.Background(), batch.SendRequest{Batch: f.b, Org: "Acme", Language: "fr",
		BaseURL: "https://pay.example", Reminders: []time.Duration{24 * time.Hour, 72 * time.Hour}, Fees: linkFees, Actor: "cron"})
	require.NoError(t, err)
	return rep
}

func TestLinkIDs(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false)
	seen := map[string]bool{}
	for _, l := range f.links {
		assert.Regexp(t, `^[A-Za-z0-9_-]{24}$`, l.ID, "144 bits, URL-safe")
		assert.False(t, seen[l.ID])
		seen[l.ID] = true
		assert.Equal(t, batch.LinkSent, l.Status)
		assert.Equal(t, f.clk.Now().Add(7*24*time.Hour), l.ExpiresAt)
	}
	assert.Equal(t, "A** N*****", batch.MaskedName("Awa Ndiaye"))
}

func TestSendLinksAndReminders(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false)
	steps := []struct {
		after       time.Duration
		invitations int
		reminders   int
		messages    int
	}{
		{0, 2, 0, 3},                  // two SMS and one e-mail
		{time.Hour, 0, 0, 0},          // nothing due
		{4 * 24 * time.Hour, 0, 2, 3}, // 3 days before expiry
		{time.Hour, 0, 0, 0},          // sent once
		{2 * 24 * time.Hour, 0, 2, 3}, // 1 day before expiry
		{25 * time.Hour, 0, 0, 0},     // expired: nothing more
	}
	for i, s := range steps {
		f.clk.Add(s.after)
		rep := f.send(t)
		assert.Equal(t, s.invitations, rep.Invitations, "step %d", i)
		assert.Equal(t, s.reminders, rep.Reminders, "step %d", i)
		assert.Equal(t, s.messages, rep.Messages, "step %d", i)
		assert.Equal(t, int64(25*(s.messages-s.invitations/2-s.reminders/2)), rep.Charge, "step %d: only SMS are charged", i)
	}
	require.Len(t, f.msg.sms, 6)
	assert.Equal(t, "+237677000001", f.msg.sms[0].To)
	assert.Equal(t, "Acme vous envoie 5 000 FCFA. Réclamez-le: https://pay.example/claim/"+f.links[0].ID+" (expire le 09/03/2026)",
		f.msg.sms[0].Text, "linktext's invitation")
	assert.Equal(t, "Rappel: Acme vous a envoyé 5 000 FCFA. Réclamez-le avant le 09/03/2026: https://pay.example/claim/"+f.links[0].ID,
		f.msg.sms[2].Text, "linktext's reminder")
	require.Len(t, f.msg.emails, 3)
	assert.Equal(t, "paul@example.com", f.msg.emails[0].To)
	subject, body := linktext.LinkEmail("fr", "Acme", 7000, "XAF", "https://pay.example/claim/"+f.links[1].ID, f.links[1].ExpiresAt)
	assert.Equal(t, subject+"\n"+body, f.msg.emails[0].Text, "linktext's e-mail")

	tot, err := batch.LinkSummary(context.Background(), f.st, f.b.ID)
	require.NoError(t, err)
	assert.Equal(t, 9, tot.Messages)
	assert.Equal(t, int64(6*25), tot.Charge, "each SMS charged by sms_fee")
	assert.Equal(t, int64(6*15), tot.Cost, "each SMS kept with its cost")
}

// TestLinkMessagesAreOneSMSInBothLanguages sends invitations, reminders and
// codes in French and English for the largest amount and a long organisation
// name with accents GSM lacks: each is one SMS part of the GSM alphabet,
// with the whole link and amount.
func TestLinkMessagesAreOneSMSInBothLanguages(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			f := newLinkFixture(t, false)
			ctx := context.Background()
			req := batch.SendRequest{Batch: f.b, Org: "Crêpes & Fêtes Société Coopérative Agricole du Moungo", Language: lang,
				BaseURL: "https://pay.example-ngo.cm/", Reminders: []time.Duration{24 * time.Hour}, Fees: linkFees, Actor: "cron"}
			_, err := f.svc.SendLinks(ctx, req)
			require.NoError(t, err)
			f.clk.Add(6*24*time.Hour + time.Hour)
			_, err = f.svc.SendLinks(ctx, req)
			require.NoError(t, err)
			require.NoError(t, f.svc.RequestCode(ctx, batch.CodeRequest{LinkID: f.links[0].ID, Language: lang, Actor: "x"}))
			require.Len(t, f.msg.sms, 5, "two invitations, two reminders, one code")
			for i, m := range f.msg.sms {
				n, gsm := linktext.Length(m.Text)
				assert.True(t, gsm, "GSM alphabet: %q", m.Text)
				assert.LessOrEqual(t, n, linktext.MaxGSM, "%q", m.Text)
				assert.Equal(t, 1, linktext.Parts(m.Text), "one SMS part: %q", m.Text)
				if i < 4 {
					assert.Contains(t, m.Text, "https://pay.example-ngo.cm/claim/", "the link whole")
					assert.Regexp(t, ` [0-9 ]*000 FCFA`, m.Text, "the amount whole")
				}
			}
			english := strings.Contains(f.msg.sms[0].Text, "sends you")
			assert.Equal(t, lang == "en", english, f.msg.sms[0].Text)
		})
	}
}

func TestSendLinksFailedSMSIsTriedAgain(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false)
	f.msg.failSMS = errors.New("sms provider down")
	rep := f.send(t)
	assert.Equal(t, 1, rep.Invitations, "the link with an e-mail went by e-mail")
	assert.Equal(t, 2, rep.Failed)
	f.msg.failSMS = nil
	rep = f.send(t)
	assert.Equal(t, 1, rep.Invitations, "the other one is sent now")
	assert.Equal(t, 0, rep.Failed)
}

func TestRequestCodeRateLimited(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false)
	ctx := context.Background()
	req := batch.CodeRequest{LinkID: f.links[0].ID, Language: "en", Fees: linkFees, Actor: "127.0.0.1"}
	require.NoError(t, f.svc.RequestCode(ctx, req))
	code := f.msg.lastCode(t)
	var soon *batch.TooSoonError
	require.ErrorAs(t, f.svc.RequestCode(ctx, req), &soon, "again at once")
	for range batch.CodeRequestsHour - 1 {
		f.clk.Add(batch.CodeResendWait)
		require.NoError(t, f.svc.RequestCode(ctx, req))
	}
	f.clk.Add(batch.CodeResendWait)
	require.ErrorIs(t, f.svc.RequestCode(ctx, req), batch.ErrTooManyCodes, "more than 5 an hour")
	f.clk.Add(time.Hour)
	require.NoError(t, f.svc.RequestCode(ctx, req))
	assert.Len(t, f.msg.sms, batch.CodeRequestsHour+1)
	assert.Equal(t, "+237677000001", f.msg.sms[0].To, "to the number on file")

	// the code is nowhere but in the SMS
	l, err := f.st.Link(ctx, f.links[0].ID)
	require.NoError(t, err)
	assert.NotContains(t, l.CodeHash, code)
	assertNoCode(t, f, code)
	_, err = f.svc.Claim(ctx, batch.ClaimRequest{LinkID: "nope", Code: code})
	require.ErrorIs(t, err, batch.ErrLinkNotFound)
}

// assertNoCode checks that no event nor message record holds code.
func assertNoCode(t *testing.T, f *linkFixture, code string) {
	t.Helper()
	evs, err := f.st.Events(context.Background(), f.b.ID, 0)
	require.NoError(t, err)
	for _, e := range evs {
		assert.NotContains(t, e.Cause+e.Detail+e.Actor, code)
	}
	msgs, err := f.st.Messages(context.Background(), f.b.ID)
	require.NoError(t, err)
	for _, m := range msgs {
		assert.NotContains(t, m.Reference+m.Error+m.To, code)
	}
}

func TestVerifyCodeBruteForceLocksThenReview(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false)
	ctx := context.Background()
	id := f.links[0].ID
	for lock := 1; lock <= batch.LocksToReview; lock++ {
		require.NoError(t, f.svc.RequestCode(ctx, batch.CodeRequest{LinkID: id, Actor: "x"}))
		code := f.msg.lastCode(t)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for try := 1; try < batch.CodeTries; try++ {
			var werr *batch.WrongCodeError
			require.ErrorAs(t, f.svc.VerifyCode(ctx, id, wrong, "x"), &werr)
			assert.Equal(t, batch.CodeTries-try, werr.Left)
		}
		err := f.svc.VerifyCode(ctx, id, wrong, "x")
		if lock < batch.LocksToReview {
			require.ErrorIs(t, err, batch.ErrLinkLocked, "lock %d", lock)
			require.ErrorIs(t, f.svc.VerifyCode(ctx, id, code, "x"), batch.ErrLinkLocked, "even the right code is refused while locked")
			require.ErrorIs(t, f.svc.RequestCode(ctx, batch.CodeRequest{LinkID: id}), batch.ErrLinkLocked)
			f.clk.Add(batch.LinkLockTime)
			require.ErrorIs(t, f.svc.VerifyCode(ctx, id, code, "x"), batch.ErrCodeExpired, "the lock dropped the code")
			continue
		}
		require.ErrorIs(t, err, batch.ErrLinkReview)
		assertNoCode(t, f, code)
	}
	f.clk.Add(24 * time.Hour)
	require.ErrorIs(t, f.svc.RequestCode(ctx, batch.CodeRequest{LinkID: id}), batch.ErrLinkReview, "review lasts until a person acts")
	l, err := f.st.Link(ctx, id)
	require.NoError(t, err)
	assert.True(t, l.Review)
	assert.Equal(t, batch.LocksToReview, l.Locks)
}

func TestCodeExpires(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false)
	ctx := context.Background()
	id := f.links[0].ID
	require.ErrorIs(t, f.svc.VerifyCode(ctx, id, "123456", "x"), batch.ErrCodeExpired, "none asked")
	code := f.askCode(t, id)
	require.NoError(t, f.svc.VerifyCode(ctx, id, code, "x"))
	f.clk.Add(batch.CodeValidity)
	require.ErrorIs(t, f.svc.VerifyCode(ctx, id, code, "x"), batch.ErrCodeExpired)
}

// phones parses numbers as the sheet would, for the test: +237 and 9 digits.
func phones(raw, region string) (string, string, string, error) {
	d := strings.TrimPrefix(strings.ReplaceAll(raw, " ", ""), "+")
	if len(d) != 12 || !strings.HasPrefix(d, "237") {
		return "", "", "", errors.New("not a Cameroonian mobile number")
	}
	op := "MTN"
	if strings.HasPrefix(d, "2376") && d[4] == '9' {
		op = "Orange"
	}
	if strings.HasPrefix(d, "2372") {
		op = "Camtel"
	}
	return d, "CM", op, nil
}

func TestClaim(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		otherOK bool
		mode    string
		phone   string
		wantErr error
		wantTo  string
		wantOp  string
	}{
		{"number on file", false, "", "", nil, "237677000001", "MTN"},
		{"the same number typed", false, batch.ModeMobileMoney, "+237 677 000 001", nil, "237677000001", "MTN"},
		{"another number refused", false, batch.ModeMobileMoney, "+237699111111", batch.ErrOtherNumber, "", ""},
		{"another number allowed, routed", true, batch.ModeMobileMoney, "+237699111111", nil, "237699111111", "Orange"},
		{"another number no provider pays", true, batch.ModeMobileMoney, "+237222111111", nil, "", ""},
		{"another number invalid", true, batch.ModeMobileMoney, "12", nil, "", ""},
		{"cashout unavailable", false, batch.ModeCashout, "", batch.ErrModeUnavailable, "", ""},
		{"unknown mode", false, "crypto", "", batch.ErrModeUnavailable, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newLinkFixture(t, tt.otherOK)
			ctx := context.Background()
			id := f.links[0].ID
			code := f.askCode(t, id)
			req := batch.ClaimRequest{LinkID: id, Code: code, Mode: tt.mode, Phone: tt.phone, Router: cashlessRouter{}, Parse: phones, Actor: "203.0.113.9"}
			it, err := f.svc.Claim(ctx, req)
			if tt.wantTo == "" {
				require.Error(t, err)
				if tt.wantErr != nil {
					require.ErrorIs(t, err, tt.wantErr)
				} else {
					var re *batch.RowError
					require.ErrorAs(t, err, &re, "names the row, column and value")
					assert.Equal(t, "phone", re.Column)
				}
				l, err := f.st.Link(ctx, id)
				require.NoError(t, err)
				assert.Equal(t, batch.LinkSent, l.Status, "nothing claimed")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantTo, it.Phone)
			assert.Equal(t, tt.wantOp, it.Operator)
			assert.Equal(t, batch.ModeMobileMoney, it.Mode)
			assert.Equal(t, batch.Planned, it.State)
			again, err := f.svc.Claim(ctx, req)
			require.NoError(t, err, "a second submit")
			assert.Equal(t, it.ID, again.ID)
			assert.Equal(t, it.Reference, again.Reference, "the same payout")
			assertNoCode(t, f, code)
		})
	}
}

// racingStore runs before once, just ahead of the first call of op
// (ClaimLink or UpdateLink): what another request did between a use case's
// read of the link and its write.
type racingStore struct {
	*batchtest.Memory
	op     string
	once   sync.Once
	before func()
}

func (r *racingStore) ClaimLink(ctx context.Context, l batch.Link, it batch.Item, actor string) error {
	if r.op == "ClaimLink" {
		r.once.Do(r.before)
	}
	return r.Memory.ClaimLink(ctx, l, it, actor)
}

func (r *racingStore) UpdateLink(ctx context.Context, l batch.Link, cause, detail, actor string, msgs ...batch.Message) error {
	if r.op == "UpdateLink" {
		r.once.Do(r.before)
	}
	return r.Memory.UpdateLink(ctx, l, cause, detail, actor, msgs...)
}

// TestClaimRacingAReminder claims a link with the right code while a
// reminder (or a new code, or another submit) changes it: the claim is made
// on the link as it now stands, once, and answers with the payout.
func TestClaimRacingAReminder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		race    func(t *testing.T, f *linkFixture, req batch.ClaimRequest)
		wantErr error
	}{
		{"a reminder", func(t *testing.T, f *linkFixture, _ batch.ClaimRequest) {
			rep := f.send(t)
			require.Equal(t, 2, rep.Reminders, "the reminders went out meanwhile")
		}, nil},
		{"another submit", func(t *testing.T, f *linkFixture, req batch.ClaimRequest) {
			_, err := f.svc.Claim(context.Background(), req)
			require.NoError(t, err)
		}, nil},
		{"a new code", func(t *testing.T, f *linkFixture, req batch.ClaimRequest) {
			f.clk.Add(batch.CodeResendWait)
			require.NoError(t, f.svc.RequestCode(context.Background(), batch.CodeRequest{LinkID: req.LinkID}))
		}, batch.ErrCodeWrong}, // the code proved is no longer the link's
		{"the batch cancelled", func(t *testing.T, f *linkFixture, _ batch.ClaimRequest) {
			_, err := batch.Cancel(context.Background(), f.st, f.b, batch.CancelRequest{Actor: "awa", Note: "wrong month", Owner: batch.Owner{PID: 1, Host: "h"}})
			require.NoError(t, err)
		}, batch.ErrLinkCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newLinkFixture(t, false)
			ctx := context.Background()
			id := f.links[0].ID
			f.send(t)
			f.clk.Add(6*24*time.Hour + time.Hour) // the 1-day reminder is due
			code := f.askCode(t, id)
			req := batch.ClaimRequest{LinkID: id, Code: code, Router: cashlessRouter{}, Parse: phones, Actor: "203.0.113.9"}
			race := &racingStore{Memory: f.st, op: "ClaimLink"}
			race.before = func() { tt.race(t, f, req) }
			svc := f.svc
			svc.Store = race
			it, err := svc.Claim(ctx, req)
			l, lerr := f.st.Link(ctx, id)
			require.NoError(t, lerr)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, batch.LinkSent, l.Status, "nothing claimed")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, batch.LinkClaimed, l.Status)
			assert.Equal(t, l.ItemID, it.ID, "answers with the link's payout")
			assert.Equal(t, batch.ModeMobileMoney, it.Mode)
			assert.Equal(t, "campay", it.Provider)
			evs, err := f.st.Events(ctx, f.b.ID, 0)
			require.NoError(t, err)
			claimed := 0
			for _, e := range evs {
				if e.Cause == batch.CauseLinkClaimed {
					claimed++
				}
			}
			assert.Equal(t, 1, claimed, "claimed once")
		})
	}
}

// TestCodeRequestRacingAReminder: a code asked while a reminder goes out is
// stored on the link as it now stands and sent; one asked while another
// code was sent is refused as too soon, and only one code goes out.
func TestCodeRequestRacingAReminder(t *testing.T) {
	t.Parallel()
	for _, reminder := range []bool{true, false} {
		t.Run(fmt.Sprintf("reminder %v", reminder), func(t *testing.T) {
			t.Parallel()
			f := newLinkFixture(t, false)
			ctx := context.Background()
			id := f.links[0].ID
			f.send(t)
			f.clk.Add(6*24*time.Hour + time.Hour)
			race := &racingStore{Memory: f.st, op: "UpdateLink"}
			race.before = func() {
				if reminder {
					require.Equal(t, 2, f.send(t).Reminders)
				} else {
					require.NoError(t, f.svc.RequestCode(ctx, batch.CodeRequest{LinkID: id}))
				}
			}
			svc := f.svc
			svc.Store = race
			before := len(f.msg.sms)
			err := svc.RequestCode(ctx, batch.CodeRequest{LinkID: id, Actor: "203.0.113.9"})
			if !reminder {
				var soon *batch.TooSoonError
				require.ErrorAs(t, err, &soon)
				assert.Len(t, f.msg.sms, before+1, "one code")
				return
			}
			require.NoError(t, err)
			require.Len(t, f.msg.sms, before+3, "two reminders and the code")
			code := f.msg.lastCode(t)
			it, err := f.svc.Claim(ctx, batch.ClaimRequest{LinkID: id, Code: code, Router: cashlessRouter{}, Parse: phones})
			require.NoError(t, err, "the code sent is the one stored")
			assert.Equal(t, f.links[0].ItemID, it.ID)
		})
	}
}

// cashlessRouter pays mobile money except Camtel numbers, and no cashout.
type cashlessRouter struct{}

func (cashlessRouter) Route(r batch.Row) ([]string, error) {
	if r.Mode != batch.ModeMobileMoney {
		return nil, &batch.RouteError{Column: "mode", Value: r.Mode, Reason: "no configured provider pays " + r.Mode}
	}
	return routeAll{}.Route(r)
}

func TestClaimAfterExpiryAndExpireSweep(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false)
	ctx := context.Background()
	id := f.links[0].ID
	code := f.askCode(t, id)
	f.clk.Add(7 * 24 * time.Hour)
	_, err := f.svc.Claim(ctx, batch.ClaimRequest{LinkID: id, Code: code, Router: cashlessRouter{}})
	require.ErrorIs(t, err, batch.ErrLinkExpired, "refused at expiry, before the sweep")

	rep, err := f.svc.Expire(ctx, f.b.ID, "cron")
	require.NoError(t, err)
	assert.Equal(t, batch.ExpireReport{Expired: 2, Amount: 12000}, rep)
	rep, err = f.svc.Expire(ctx, f.b.ID, "cron")
	require.NoError(t, err)
	assert.Zero(t, rep.Expired, "swept once")
	_, err = f.svc.Claim(ctx, batch.ClaimRequest{LinkID: id, Code: code, Router: cashlessRouter{}})
	require.ErrorIs(t, err, batch.ErrLinkExpired)

	items, err := f.st.Items(ctx, f.b.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Cancelled, items[0].State, "no money: the item is cancelled")
	assert.Equal(t, batch.Cancelled, items[1].State)
	assert.Equal(t, batch.Planned, items[2].State, "the direct payout is left alone")
	claims, err := f.st.Claim(ctx, f.b.ID, "campay", 10)
	require.NoError(t, err)
	require.Len(t, claims, 1, "only the direct payout is claimed")
	assert.Equal(t, items[2].ID, claims[0].Item.ID)
	tot, err := batch.LinkSummary(ctx, f.st, f.b.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Total{Items: 2, Amount: 12000}, tot.Links[batch.LinkExpired])
	evs, err := f.st.Events(ctx, f.b.ID, items[0].ID)
	require.NoError(t, err)
	last := evs[len(evs)-1]
	assert.Equal(t, batch.CauseLinkExpired, evs[len(evs)-2].Cause)
	assert.Equal(t, batch.Cancelled, last.To)
	assert.Equal(t, "cron", last.Actor)
}

func TestLinkItemsWaitUntilClaimed(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false)
	ctx := context.Background()
	claims, err := f.st.Claim(ctx, f.b.ID, "campay", 10)
	require.NoError(t, err)
	require.Len(t, claims, 1, "a run claims the direct payout only")
	id := f.links[1].ID
	it, err := f.svc.Claim(ctx, batch.ClaimRequest{LinkID: id, Code: f.askCode(t, id), Router: cashlessRouter{}, Actor: "x"})
	require.NoError(t, err)
	claims, err = f.st.Claim(ctx, f.b.ID, "campay", 10)
	require.NoError(t, err)
	require.Len(t, claims, 1, "the claimed link's item is paid now")
	assert.Equal(t, it.ID, claims[0].Item.ID)
	assert.Equal(t, it.Reference, claims[0].Item.Reference)
	l, err := f.st.Link(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, batch.LinkClaimed, l.Shown())
	_, err = f.svc.Claim(ctx, batch.ClaimRequest{LinkID: id, Code: "000000", Router: cashlessRouter{}})
	require.NoError(t, err, "a claimed link answers with its item")
	rep, err := f.svc.Expire(ctx, f.b.ID, "cron")
	require.NoError(t, err)
	assert.Zero(t, rep.Expired)
	f.clk.Add(8 * 24 * time.Hour)
	rep, err = f.svc.Expire(ctx, f.b.ID, "cron")
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Expired, "a claimed link never expires")
}

func TestCancelledBatchClosesItsLinks(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false)
	ctx := context.Background()
	_, err := batch.Cancel(ctx, f.st, f.b, batch.CancelRequest{Actor: "awa", Note: "wrong month", Owner: batch.Owner{PID: 1, Host: "h"}})
	require.NoError(t, err)
	require.ErrorIs(t, f.svc.RequestCode(ctx, batch.CodeRequest{LinkID: f.links[0].ID}), batch.ErrLinkCancelled)
	_, err = f.svc.Claim(ctx, batch.ClaimRequest{LinkID: f.links[0].ID, Code: "123456", Router: cashlessRouter{}})
	require.ErrorIs(t, err, batch.ErrLinkCancelled)
	assert.Zero(t, f.send(t).Messages, "no message about a cancelled payment")
	f.clk.Add(8 * 24 * time.Hour)
	rep, err := f.svc.Expire(ctx, f.b.ID, "cron")
	require.NoError(t, err)
	assert.Zero(t, rep.Expired)
}

func TestLinkView(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true)
	ctx := context.Background()
	v, err := f.svc.View(ctx, f.links[0].ID, cashlessRouter{})
	require.NoError(t, err)
	assert.Equal(t, batch.LinkView{Amount: 5000, Currency: "XAF", Name: "A** N*****", Phone: "+2376*****001",
		ExpiresAt: f.links[0].ExpiresAt, Status: batch.LinkSent, Open: true, OtherNumber: true,
		Modes: []batch.ModeOffer{{batch.ModeMobileMoney, true}, {batch.ModeCashout, false}, {batch.ModeBankTransfer, false}}}, v)

	require.NoError(t, f.svc.RequestCode(ctx, batch.CodeRequest{LinkID: f.links[0].ID}))
	_, err = f.svc.Claim(ctx, batch.ClaimRequest{LinkID: f.links[0].ID, Code: f.msg.lastCode(t), Router: cashlessRouter{}})
	require.NoError(t, err)
	v, err = f.svc.View(ctx, f.links[0].ID, cashlessRouter{})
	require.NoError(t, err)
	assert.Equal(t, batch.LinkClaimed, v.Status)
	assert.False(t, v.Open)
	assert.Equal(t, batch.Planned, v.ItemState, "claimed, waiting for the run")
	assert.Equal(t, batch.ModeMobileMoney, v.ClaimMode)

	f.clk.Add(7 * 24 * time.Hour)
	v, err = f.svc.View(ctx, f.links[1].ID, cashlessRouter{})
	require.NoError(t, err)
	assert.Equal(t, batch.LinkExpired, v.Status, "expired before the sweep")
	_, err = f.svc.View(ctx, "nope", cashlessRouter{})
	require.ErrorIs(t, err, batch.ErrLinkNotFound)
}

func TestLinkReopensAfterItsPayoutFailed(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true)
	ctx := context.Background()
	id, first, items := f.claimThenFail(t)
	p, err := batch.PlanRetry(ctx, f.st, f.b, items, "ama")
	require.NoError(t, err)
	require.Len(t, p.Items, 1)

	f.clk.Add(time.Hour)
	rep, err := f.svc.SendLinks(ctx, batch.SendRequest{Batch: p.Batch, Org: "Acme", BaseURL: "https://pay.example", Fees: linkFees})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Invitations, "the beneficiary is told to claim again")
	assert.Contains(t, f.msg.sms[len(f.msg.sms)-1].Text, "/claim/"+id, "the same link")
	f.clk.Add(batch.CodeResendWait)
	second, err := f.svc.Claim(ctx, batch.ClaimRequest{LinkID: id, Code: f.askCode(t, id), Phone: "+237677555555",
		Router: cashlessRouter{}, Parse: phones})
	require.NoError(t, err)
	assert.Equal(t, p.Batch.ID, second.BatchID)
	assert.Equal(t, first.ID, second.RetryOf, "linked to the failed payout")
	assert.NotEqual(t, first.Reference, second.Reference, "a new reference")
	assert.Equal(t, "237677555555", second.Phone, "another number this time")
	claims, err := f.st.Claim(ctx, p.Batch.ID, "campay", 10)
	require.NoError(t, err)
	require.Len(t, claims, 1)
	assert.Equal(t, second.ID, claims[0].Item.ID)
}

// TestWrongCodesSentTogetherAreEachCounted guesses side by side: every wrong
// guess is counted before it is answered, so the link locks after
// CodeTries of them as it does one after the other.
func TestWrongCodesSentTogetherAreEachCounted(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false)
	ctx := context.Background()
	id := f.links[0].ID
	code := f.askCode(t, id)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	const guesses = 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	answers := map[string]int{}
	for range guesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.svc.VerifyCode(ctx, id, wrong, "x")
			var kind string
			switch {
			case errors.Is(err, batch.ErrCodeWrong):
				kind = "wrong"
			case errors.Is(err, batch.ErrLinkLocked):
				kind = "locked"
			default:
				kind = "other: " + fmt.Sprint(err)
			}
			mu.Lock()
			answers[kind]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	l, err := f.st.Link(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 1, l.Locks, "locked once: the code was dropped with the lock")
	assert.Equal(t, batch.CodeTries-1, answers["wrong"], "%v", answers)
	assert.Equal(t, guesses-batch.CodeTries+1, answers["locked"], "%v", answers)
	evs, err := f.st.Events(ctx, f.b.ID, f.links[0].ItemID)
	require.NoError(t, err)
	counted := 0
	for _, e := range evs {
		if e.Cause == batch.CauseLinkWrong || e.Cause == batch.CauseLinkLocked {
			counted++
		}
	}
	assert.Equal(t, batch.CodeTries, counted, "every wrong guess answered as wrong was counted")
}

// TestACodeNotStoredIsNeverSent: the code's hash is in the store before the
// SMS leaves; a store that cannot take it sends nothing.
func TestACodeNotStoredIsNeverSent(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, false)
	ctx := context.Background()
	full := errors.New("database or disk is full")
	f.st.Fail("UpdateLink", full)
	require.ErrorIs(t, f.svc.RequestCode(ctx, batch.CodeRequest{LinkID: f.links[0].ID}), full)
	assert.Empty(t, f.msg.sms, "no code sent")
	f.st.Fail("UpdateLink", nil)
	require.NoError(t, f.svc.RequestCode(ctx, batch.CodeRequest{LinkID: f.links[0].ID}))
	assert.Len(t, f.msg.sms, 1)
}

// TestCodeHashNeedsTheKey: with a key kept outside the ledger, the salt
// stored beside a code's hash is not enough to find the code again.
func TestCodeHashNeedsTheKey(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	h := batch.CodeHash(key, "salt", "123456")
	assert.Equal(t, h, batch.CodeHash(key, "salt", "123456"))
	assert.NotEqual(t, h, batch.CodeHash(nil, "salt", "123456"), "the salt alone does not give the hash")
	assert.NotEqual(t, h, batch.CodeHash([]byte("another key of 32 characters...."), "salt", "123456"))
	assert.NotEqual(t, h, batch.CodeHash(key, "salt", "123457"))
}

// TestARetryStoppedBeforeItsLinkReopenedIsRepaired: when the retry batch was
// made but the link could not be reopened (a crash, a ledger error), the
// next retry reopens it for the waiting item instead of leaving the
// beneficiary unpaid for good.
func TestARetryStoppedBeforeItsLinkReopenedIsRepaired(t *testing.T) {
	t.Parallel()
	f := newLinkFixture(t, true)
	ctx := context.Background()
	id, first, items := f.claimThenFail(t)
	f.st.Fail("ReopenLink", errors.New("disk full"))
	_, err := batch.PlanRetry(ctx, f.st, f.b, items, "ama")
	require.Error(t, err)
	l, err := f.st.Link(ctx, id)
	require.NoError(t, err)
	require.Equal(t, batch.LinkClaimed, l.Status, "not reopened")

	f.st.Fail("ReopenLink", nil)
	p, err := batch.PlanRetry(ctx, f.st, f.b, items, "ama")
	require.NoError(t, err)
	assert.Empty(t, p.Items, "no second retry batch")
	l, err = f.st.Link(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, batch.LinkSent, l.Status, "reopened for the waiting item")
	assert.NotEqual(t, first.ID, l.ItemID)
}
