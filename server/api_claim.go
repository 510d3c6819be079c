package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"bulkpay/batch"
)

// The links' public API, for whoever holds a link (the beneficiary's own
// app, as the claim page): no sign-in, each request counted towards the
// rates of its link and its address. The verification code is never in an
// answer (unlike the platform's sample, whoever holds the link must not
// learn it); names and numbers are masked as on the claim page.

// claimLinkJSON is a Link as its holder sees it.
type claimLinkJSON struct {
	ID                     string       `json:"id"`
	Currency               currencyJSON `json:"currency"`
	BulkPayment            string       `json:"bulk_payment"`
	Transaction            any          `json:"transaction"` // null until claimed, then its Transaction
	Amount                 int64        `json:"amount"`
	URL                    string       `json:"url"`
	BeneficiaryName        string       `json:"beneficiary_name"`         // masked
	BeneficiaryPhoneNumber string       `json:"beneficiary_phone_number"` // masked
	ExpiryDate             string       `json:"expiry_date"`
	Status                 string       `json:"status"` // sent, claimed, processed, expired
	CreatedAt              time.Time    `json:"created_at"`
	UpdatedAt              time.Time    `json:"updated_at"`
	// bulkpay's own
	Organization string     `json:"organization"`
	ExpiresAt    time.Time  `json:"expires_at"`
	Modes        []string   `json:"modes"`        // the modes a provider pays for it
	OtherNumber  bool       `json:"other_number"` // another number may be given
	CodeSent     bool       `json:"code_sent"`    // a code is out and still valid
	LockedUntil  *time.Time `json:"locked_until"` // too many wrong codes: refused until then
	Review       bool       `json:"review"`       // locked too often: the payer must look at it
	Cancelled    bool       `json:"cancelled"`    // the payer cancelled it: it cannot be claimed
}

// claimAnswer is the platform's answer to a link's holder.
type claimAnswer struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
	// a refusal's
	Detail     string     `json:"detail,omitempty"`
	TriesLeft  *int       `json:"tries_left,omitempty"`
	RetryAfter *time.Time `json:"retry_after,omitempty"`
}

// apiClaimFail answers a refusal of the links' API: the same words as the
// claim page, in the request's language, with the tries left or the time to
// come back when there is one.
func (s *Server) apiClaimFail(w http.ResponseWriter, rq *request, err error) {
	status, msg, until := claimError(rq, err)
	if status == http.StatusInternalServerError {
		s.apiInternal(w, rq, err)
		return
	}
	a := claimAnswer{Message: msg, Detail: msg}
	var wrong *batch.WrongCodeError
	if errors.As(err, &wrong) {
		a.TriesLeft = &wrong.Left
	}
	if !until.IsZero() {
		u := until.UTC()
		a.RetryAfter = &u
		w.Header().Set("Retry-After", retryAfter(u.Sub(s.opt.Now())))
	}
	writeJSON(w, status, a)
}

func retryAfter(d time.Duration) string {
	secs := int(d.Seconds()) + 1
	if secs < 1 {
		secs = 1
	}
	return strconv.Itoa(secs)
}

// apiGate counts a request towards the rates of its address and of link.
func (s *Server) apiGate(w http.ResponseWriter, rq *request, link string) bool {
	if s.claims.allow(rq.Addr, link, s.opt.Now()) {
		return true
	}
	w.Header().Set("Retry-After", "60")
	writeJSON(w, http.StatusTooManyRequests, claimAnswer{Message: rq.T["claim_too_many"], Detail: rq.T["claim_too_many"]})
	return false
}

// holderLink is l as its holder sees it (batch.LinkService.View).
func (s *Server) holderLink(r *http.Request, l batch.Link) (claimLinkJSON, error) {
	ctx := r.Context()
	b, err := s.linkBatch(ctx, l)
	if err != nil {
		return claimLinkJSON{}, err
	}
	ls, _ := s.linkStore()
	v, err := s.linkService(ls, nil).View(ctx, l.ID, s.claimRouter(l))
	if err != nil {
		return claimLinkJSON{}, err
	}
	now := s.opt.Now()
	out := claimLinkJSON{ID: l.ID, Currency: s.currency(v.Currency), BulkPayment: batchUUID(b), Amount: v.Amount,
		URL: s.claimURL(r, l.ID), BeneficiaryName: v.Name, BeneficiaryPhoneNumber: v.Phone,
		ExpiryDate: v.ExpiresAt.UTC().Format(time.DateOnly), Status: string(v.Status), CreatedAt: l.CreatedAt.UTC(),
		UpdatedAt: l.UpdatedAt.UTC(), Organization: s.opt.Config.Links().Org, ExpiresAt: v.ExpiresAt.UTC(), Modes: []string{},
		OtherNumber: v.OtherNumber, Review: v.Review, Cancelled: v.Cancelled}
	if v.Open {
		out.CodeSent = l.CodeHash != "" && now.Before(l.CodeExpires)
		for _, m := range v.Modes {
			if m.Available {
				out.Modes = append(out.Modes, m.Mode)
			}
		}
	}
	if !v.LockedUntil.IsZero() {
		u := v.LockedUntil.UTC()
		out.LockedUntil = &u
	}
	if l.Status == batch.LinkClaimed {
		it, err := s.opt.Store.Item(ctx, l.ItemID)
		if err != nil {
			return claimLinkJSON{}, err
		}
		t := s.transaction(b, it)
		t.Link = l.ID
		out.Transaction = t
	}
	return out, nil
}

// claimURL is link id's claim page.
func (s *Server) claimURL(r *http.Request, id string) string {
	base := s.claimBase()
	if base == "" {
		base = s.baseURL(r)
	}
	return base + "/claim/" + id
}

// readLink reads the link id, answering the refusal itself.
func (s *Server) readLink(w http.ResponseWriter, r *http.Request, rq *request, id string) (batch.Link, bool) {
	ls, ok := s.linkStore()
	if !ok {
		s.apiClaimFail(w, rq, batch.ErrLinkNotFound)
		return batch.Link{}, false
	}
	l, err := ls.Link(r.Context(), id)
	if err != nil {
		s.apiClaimFail(w, rq, err)
		return batch.Link{}, false
	}
	return l, true
}

// checkBulkPayment answers a link's details (GET /payments/check_bulk_payment/{linkId}).
func (s *Server) checkBulkPayment(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("linkId")
	if !s.apiGate(w, rq, id) {
		return
	}
	l, ok := s.readLink(w, r, rq, id)
	if !ok {
		return
	}
	s.answerLink(w, r, rq, l, "link details")
}

// apiSendCode sends a code to the link's number on file (POST /payments/link/{id}/send_code/).
func (s *Server) apiSendCode(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	if !s.apiGate(w, rq, id) {
		return
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		apiFail(w, http.StatusForbidden, "a write from another site's page is refused")
		return
	}
	l, ok := s.readLink(w, r, rq, id)
	if !ok {
		return
	}
	if err := s.sendCode(r.Context(), id, rq.Lang, claimActor(rq)); err != nil {
		if status, _, _ := claimError(rq, err); status == http.StatusInternalServerError {
			s.opt.Log.Warn("send a link's code", "address", rq.Addr, "err", err)
			writeJSON(w, http.StatusBadGateway, claimAnswer{Message: rq.T["claim_not_sent"], Detail: rq.T["claim_not_sent"]})
			return
		}
		s.apiClaimFail(w, rq, err)
		return
	}
	writeJSON(w, http.StatusAccepted, claimAnswer{Success: true, Message: rq.T["claim_sent"] + " " + batch.MaskedPhone(l.Phone)})
}

// processRequest is the body of process_bulk_payment/transaction.
type processRequest struct {
	Link             string `json:"link"`
	VerificationCode string `json:"verification_code"`
	Mode             string `json:"mode"`
	PhoneNumber      string `json:"phone_number"` // another number, when the batch allows it
}

// processBulkPayment claims a link (POST /payments/process_bulk_payment/transaction):
// the code is checked, the mode routed, and the payout paid by the runner;
// the same claim again answers the same transaction.
func (s *Server) processBulkPayment(w http.ResponseWriter, r *http.Request, rq *request) {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		apiFail(w, http.StatusForbidden, "a write from another site's page is refused")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		apiFail(w, http.StatusRequestEntityTooLarge, "the request body cannot be read or is larger than this endpoint reads")
		return
	}
	var req processRequest
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		apiFail(w, http.StatusBadRequest, "the body is not the JSON this endpoint reads: {\"link\": \"...\", \"verification_code\": \"123456\", \"mode\": \"mobile_money\"}")
		return
	}
	if !s.apiGate(w, rq, req.Link) {
		return
	}
	code := strings.Join(strings.Fields(req.VerificationCode), "")
	switch {
	case req.Link == "":
		apiFail(w, http.StatusBadRequest, "link: give the link's id")
		return
	case !sixDigits.MatchString(code):
		apiFail(w, http.StatusBadRequest, "verification_code: "+rq.T["claim_six_digits"])
		return
	}
	switch req.Mode {
	case "", batch.ModeMobileMoney, batch.ModeCashout, batch.ModeBankTransfer:
	default:
		apiFail(w, http.StatusBadRequest, "mode: write mobile_money, cashout or bank_transfer")
		return
	}
	l, ok := s.readLink(w, r, rq, req.Link)
	if !ok {
		return
	}
	if _, err := s.claim(r.Context(), l, code, req.Mode, req.PhoneNumber, claimActor(rq)); err != nil {
		s.apiClaimFail(w, rq, err)
		return
	}
	ls, _ := s.linkStore()
	if l, err = ls.Link(r.Context(), l.ID); err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	s.answerLink(w, r, rq, l, "transaction processed successfully")
}

// answerLink answers l's details, as whoever holds the link may see them,
// with message.
func (s *Server) answerLink(w http.ResponseWriter, r *http.Request, rq *request, l batch.Link, message string) {
	data, err := s.holderLink(r, l)
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	writeJSON(w, http.StatusOK, claimAnswer{Success: true, Message: message, Data: data})
}

// paidByLink is every link, by its item's id.
func (s *Server) paidByLink(ctx context.Context) (map[int64]batch.Link, error) {
	out := map[int64]batch.Link{}
	ls, ok := s.linkStore()
	if !ok {
		return out, nil
	}
	links, err := ls.Links(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		out[l.ItemID] = l
	}
	return out, nil
}

// linkWith is x's Link; an item paid by link is its link: the link's id,
// URL, expiry date and status (sent, claimed, processed, expired). The
// verification code is never shown: null.
func (s *Server) linkWith(r *http.Request, x batchItem, paid map[int64]batch.Link) linkJSON {
	j := s.link(x.b, x.it)
	l, ok := paid[x.it.ID]
	if !ok {
		return j
	}
	url := s.claimURL(r, l.ID)
	day := l.ExpiresAt.UTC().Format(time.DateOnly)
	j.ID, j.URL, j.ExpiryDate, j.Status = l.ID, &url, &day, string(l.Shown())
	return j
}
