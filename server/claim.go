package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"bulkpay/batch"
	"bulkpay/identity"
	"bulkpay/sheet"
)

// The claim pages: /claim/{id}, public, for the beneficiary who holds a
// link. They show the organisation, the amount and a masked name; a code is
// sent by SMS to the number on file when asked, proved, then the mode is
// chosen and the link claimed (batch.LinkService); the claimed link's page
// shows its payout as it stands. Every form carries the browser's claim
// token (its cookie), every request counts towards the rates of its address
// and its link, and no page, log or event holds a code.

// claimMode is one way of being paid the page offers.
type claimMode struct {
	Value     string
	Available bool
	Checked   bool
}

// claimView is what the claim page shows.
type claimView struct {
	ID          string
	Org         string
	Amount      int64
	Currency    string
	Name        string // masked
	Phone       string // masked
	Expires     time.Time
	State       string // open, expired, claimed, review, locked, missing
	Token       string // the forms' CSRF token
	Sent        bool   // a code was just sent
	CodeOut     bool   // a code is out and still valid: the code form is shown
	Verified    bool   // the code is proved: the mode choice is shown
	Modes       []claimMode
	OtherOK     bool
	Other       string // the other number typed
	Until       time.Time
	Item        batch.Item
	Progress    string // in_progress, paid, failed, cancelled
	ClaimedMode string
	PaidPhone   string // masked
}

// Claim events' actor: the beneficiary, known by the address it claims from.
func claimActor(rq *request) string { return "beneficiary at " + rq.Addr }

// claimGate counts the request towards its address's and its link's rate;
// a request beyond either is answered 429.
func (s *Server) claimGate(w http.ResponseWriter, r *http.Request, rq *request) (string, bool) {
	id := r.PathValue("id")
	if !s.claims.allow(rq.Addr, id, s.opt.Now()) {
		w.Header().Set("Retry-After", "60")
		s.failClaim(w, rq, http.StatusTooManyRequests, rq.T["claim_too_many"])
		return "", false
	}
	return id, true
}

// failClaim answers with the claim page's error: no form, the organisation's name.
func (s *Server) failClaim(w http.ResponseWriter, rq *request, status int, msg string) {
	s.render(w, rq, status, "claim.html", msg, claimView{State: "missing", Org: s.opt.Config.Links().Org})
}

// claimToken is the browser's claim token, from its cookie or new.
func (s *Server) claimToken(w http.ResponseWriter, r *http.Request) (string, error) {
	if c, err := r.Cookie(claimCookie); err == nil && len(c.Value) >= 32 {
		return c.Value, nil
	}
	token, _, err := identity.NewToken("")
	if err != nil {
		return "", err
	}
	c := s.cookie(claimCookie, token, 24*3600)
	// Lax: a link opened from an SMS (a navigation from another app) keeps
	// its browser's token; a form of another site still cannot post with it
	c.Path, c.SameSite = "/claim/", http.SameSiteLaxMode
	http.SetCookie(w, c)
	return token, nil
}

// claimForm counts a claim form towards the rates (claimGate), reads it and
// checks its token against the browser's cookie: the link's id and the
// token. It answers a refusal itself.
func (s *Server) claimForm(w http.ResponseWriter, r *http.Request, rq *request) (id, token string, ok bool) {
	if id, ok = s.claimGate(w, r, rq); !ok || !s.parseForm(w, r, rq) {
		return "", "", false
	}
	c, err := r.Cookie(claimCookie)
	if err != nil || c.Value == "" || !identity.Equal(c.Value, r.PostFormValue("csrf")) {
		s.failClaim(w, rq, http.StatusForbidden, rq.T["csrf"])
		return "", "", false
	}
	return id, c.Value, true
}

func (s *Server) claimPage(w http.ResponseWriter, r *http.Request, rq *request) {
	id, ok := s.claimGate(w, r, rq)
	if !ok {
		return
	}
	token, err := s.claimToken(w, r)
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	msg := ""
	if r.URL.Query().Get("sent") == "1" {
		msg = "sent"
	}
	s.showClaim(w, r, rq, http.StatusOK, msg, id, token, "", time.Time{})
}

// showClaim renders link id's page as it stands, with msg above it ("sent":
// the code was sent); until, when not zero, ends the message.
func (s *Server) showClaim(w http.ResponseWriter, r *http.Request, rq *request, status int, msg, id, token, other string, until time.Time) {
	ctx := r.Context()
	ls, ok := s.linkStore()
	if !ok {
		s.failClaim(w, rq, http.StatusNotFound, rq.T["claim_not_found"])
		return
	}
	l, err := ls.Link(ctx, id)
	if errors.Is(err, batch.ErrLinkNotFound) {
		s.failClaim(w, rq, http.StatusNotFound, rq.T["claim_not_found"])
		return
	}
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	now := s.opt.Now()
	lv, err := s.linkService(ls, nil).View(ctx, id, s.claimRouter(l))
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	v := claimView{ID: l.ID, Org: s.opt.Config.Links().Org, Amount: lv.Amount, Currency: lv.Currency, Name: lv.Name,
		Phone: lv.Phone, Expires: lv.ExpiresAt, Token: token, OtherOK: lv.OtherNumber, Other: other, Until: until}
	if msg == "sent" {
		v.Sent, msg = true, ""
	}
	switch {
	case lv.Status == batch.LinkClaimed || lv.Status == batch.LinkProcessed:
		v.State = "claimed"
		if v.Item, err = s.opt.Store.Item(ctx, l.ItemID); err != nil {
			s.internal(w, rq, err)
			return
		}
		v.Progress, v.ClaimedMode, v.PaidPhone = progressOf(v.Item.State), lv.ClaimMode, batch.MaskedPhone(l.ClaimPhone)
	case lv.Status == batch.LinkExpired:
		v.State = "expired"
	case lv.Cancelled:
		v.State = "cancelled"
	case lv.Review:
		v.State = "review"
	case !lv.LockedUntil.IsZero():
		v.State, v.Until = "locked", lv.LockedUntil
	default:
		v.State = "open"
		v.CodeOut = l.CodeHash != "" && now.Before(l.CodeExpires)
		_, v.Verified = s.claims.proof(token, l.ID, now)
		v.Verified = v.Verified && v.CodeOut
		if v.Verified {
			for _, m := range lv.Modes {
				v.Modes = append(v.Modes, claimMode{Value: m.Mode, Available: m.Available, Checked: m.Mode == batch.ModeMobileMoney})
			}
		}
	}
	s.render(w, rq, status, "claim.html", msg, v)
}

// progressOf is how a claimed link's payout stands, for its beneficiary.
func progressOf(st batch.State) string {
	switch st {
	case batch.Succeeded:
		return "paid"
	case batch.Failed, batch.Rejected:
		return "failed"
	case batch.Cancelled:
		return "cancelled"
	}
	return "in_progress"
}

// claimRouter routes a claim as planning routes the rows of l's batch.
func (s *Server) claimRouter(l batch.Link) batch.Routes {
	cfg := s.opt.Config
	rt := cfg.Router(cfg.Configured(s.opt.Target.SandboxURL))
	rt.Currency = l.Currency
	return rt
}

// claimRefused answers a link use case's refusal on the claim page, in the
// page's language.
func (s *Server) claimRefused(w http.ResponseWriter, r *http.Request, rq *request, id, token, other string, err error) {
	status, msg, until := claimError(rq, err)
	if status == http.StatusInternalServerError {
		s.internal(w, rq, err)
		return
	}
	if status == http.StatusNotFound {
		s.failClaim(w, rq, status, msg)
		return
	}
	s.showClaim(w, r, rq, status, msg, id, token, other, until)
}

// claimError is the status, the message in rq's language and the time it
// ends with, of a link use case's refusal; 500 for anything else.
func claimError(rq *request, err error) (int, string, time.Time) {
	var (
		locked *batch.LockedLinkError
		wrong  *batch.WrongCodeError
		soon   *batch.TooSoonError
		rowErr *batch.RowError
	)
	switch {
	case errors.Is(err, batch.ErrLinkNotFound):
		return http.StatusNotFound, rq.T["claim_not_found"], time.Time{}
	case errors.Is(err, batch.ErrLinkExpired):
		return http.StatusGone, rq.T["claim_expired"], time.Time{}
	case errors.Is(err, batch.ErrLinkReview):
		return http.StatusForbidden, rq.T["claim_review"], time.Time{}
	case errors.As(err, &locked):
		return http.StatusTooManyRequests, rq.T["claim_locked"], locked.Until
	case errors.As(err, &wrong):
		return http.StatusBadRequest, fmt.Sprintf(rq.T["claim_wrong_code"], wrong.Left), time.Time{}
	case errors.Is(err, batch.ErrCodeExpired):
		return http.StatusBadRequest, rq.T["claim_code_expired"], time.Time{}
	case errors.As(err, &soon):
		return http.StatusTooManyRequests, rq.T["claim_too_soon"], soon.After
	case errors.Is(err, batch.ErrOtherNumber):
		return http.StatusBadRequest, rq.T["claim_other_number"], time.Time{}
	case errors.As(err, &rowErr):
		return http.StatusBadRequest, fmt.Sprintf(rq.T["claim_bad_phone"], rowErr.Value), time.Time{}
	case errors.Is(err, batch.ErrModeUnavailable):
		return http.StatusBadRequest, rq.T["claim_mode_unavailable"], time.Time{}
	case errors.Is(err, batch.ErrLinkClosed):
		return http.StatusConflict, rq.T["claim_already"], time.Time{}
	case errors.Is(err, batch.ErrLinkCancelled):
		return http.StatusGone, rq.T["claim_cancelled_link"], time.Time{}
	}
	return http.StatusInternalServerError, rq.T["internal"], time.Time{}
}

// linkBatch is the batch of link l.
func (s *Server) linkBatch(ctx context.Context, l batch.Link) (batch.Batch, error) {
	bs, err := s.opt.Store.Batches(ctx)
	if err != nil {
		return batch.Batch{}, err
	}
	for _, b := range bs {
		if b.ID == l.BatchID {
			return b, nil
		}
	}
	return batch.Batch{}, fmt.Errorf("batch %d of a link: %w", l.BatchID, batch.ErrBatchNotFound)
}

// sendCode sends a code to link id's number on file, in the language lang.
func (s *Server) sendCode(ctx context.Context, id, lang, actor string) error {
	ls, ok := s.linkStore()
	if !ok {
		return batch.ErrLinkNotFound
	}
	l, err := ls.Link(ctx, id)
	if err != nil {
		return err
	}
	b, err := s.linkBatch(ctx, l)
	if err != nil {
		return err
	}
	msg, err := s.messenger(ctx)
	if err != nil {
		return err
	}
	return s.linkService(ls, msg).RequestCode(ctx, batch.CodeRequest{LinkID: id, Language: lang,
		Fees: b.Fees, Actor: actor})
}

// claimCode sends a code (POST /claim/{id}/code).
func (s *Server) claimCode(w http.ResponseWriter, r *http.Request, rq *request) {
	id, token, ok := s.claimForm(w, r, rq)
	if !ok {
		return
	}
	if err := s.sendCode(r.Context(), id, rq.Lang, claimActor(rq)); err != nil {
		status, _, _ := claimError(rq, err)
		if status == http.StatusInternalServerError {
			s.opt.Log.Warn("send a link's code", "address", rq.Addr, "err", err)
			s.showClaim(w, r, rq, http.StatusBadGateway, rq.T["claim_not_sent"], id, token, "", time.Time{})
			return
		}
		s.claimRefused(w, r, rq, id, token, "", err)
		return
	}
	http.Redirect(w, r, "/claim/"+url.PathEscape(id)+"?sent=1", http.StatusSeeOther)
}

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

// claimVerify proves a code (POST /claim/{id}/verify): the browser may then
// choose the mode.
func (s *Server) claimVerify(w http.ResponseWriter, r *http.Request, rq *request) {
	id, token, ok := s.claimForm(w, r, rq)
	if !ok {
		return
	}
	code := strings.Join(strings.Fields(r.PostFormValue("code")), "")
	if !sixDigits.MatchString(code) {
		s.showClaim(w, r, rq, http.StatusBadRequest, rq.T["claim_six_digits"], id, token, "", time.Time{})
		return
	}
	ls, ok := s.linkStore()
	if !ok {
		s.failClaim(w, rq, http.StatusNotFound, rq.T["claim_not_found"])
		return
	}
	if err := s.linkService(ls, nil).VerifyCode(r.Context(), id, code, claimActor(rq)); err != nil {
		s.claimRefused(w, r, rq, id, token, "", err)
		return
	}
	l, err := ls.Link(r.Context(), id)
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	s.claims.prove(token, id, code, l.CodeExpires)
	http.Redirect(w, r, "/claim/"+url.PathEscape(id), http.StatusSeeOther)
}

// claimSubmit claims the link with the mode chosen (POST /claim/{id}) and
// starts paying it; a link already claimed shows its payout (a second submit
// pays nothing more).
func (s *Server) claimSubmit(w http.ResponseWriter, r *http.Request, rq *request) {
	id, token, ok := s.claimForm(w, r, rq)
	if !ok {
		return
	}
	ctx := r.Context()
	ls, ok := s.linkStore()
	if !ok {
		s.failClaim(w, rq, http.StatusNotFound, rq.T["claim_not_found"])
		return
	}
	back := "/claim/" + url.PathEscape(id)
	l, err := ls.Link(ctx, id)
	if err != nil {
		s.claimRefused(w, r, rq, id, token, "", err)
		return
	}
	if l.Status == batch.LinkClaimed {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	other := strings.TrimSpace(r.PostFormValue("phone"))
	code, proved := s.claims.proof(token, id, s.opt.Now())
	if !proved {
		s.showClaim(w, r, rq, http.StatusBadRequest, rq.T["claim_code_first"], id, token, "", time.Time{})
		return
	}
	_, err = s.claim(ctx, l, code, r.PostFormValue("mode"), other, claimActor(rq))
	if err != nil {
		s.claimRefused(w, r, rq, id, token, other, err)
		return
	}
	s.claims.forget(token, id)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// claim claims l with code, mode and another number (when allowed), routed
// as its batch's rows, and starts paying its batch.
func (s *Server) claim(ctx context.Context, l batch.Link, code, mode, other, actor string) (batch.Item, error) {
	ls, _ := s.linkStore()
	it, err := s.linkService(ls, nil).Claim(ctx, batch.ClaimRequest{LinkID: l.ID, Code: code, Mode: mode, Phone: other,
		Router: s.claimRouter(l), Parse: parsePhone, Actor: actor})
	if err != nil {
		return it, err
	}
	if b, err := s.linkBatch(ctx, l); err != nil {
		s.opt.Log.Warn("pay a claimed link", "err", err) // the links pass pays it
	} else {
		s.payClaimed(context.WithoutCancel(ctx), b)
	}
	return it, nil
}

// parsePhone validates another number as a sheet's phone cell.
func parsePhone(raw, region string) (string, string, string, error) {
	p, err := sheet.ParsePhone(raw, region)
	if err != nil {
		return "", "", "", err
	}
	return p.E164, p.Region, p.Operator, nil
}
