package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"bulkpay/providers"
)

// CamPayOptions shape the CamPay simulator.
type CamPayOptions struct {
	Username, Password string        // accepted credentials; empty: any non-empty pair
	PermanentToken     string        // also accepted as a token, never expires
	TokenTTL           time.Duration // life of a temporary token; default 3600s
	RejectDuplicates   bool          // a repeated external_reference is rejected instead of answered with the first result
	AmountAsString     bool          // status answers amount as "5.00" (seen live) instead of a number
	MTNBalance         int64         // default 1,000,000,000
	OrangeBalance      int64         // default 1,000,000,000
	MaxAmount          int64         // refuse above this (the demo caps at 25); 0: no cap
	UnsupportedCarrier []string      // carriers answered with ER102 (to test failover)
}

type campay struct {
	s      *Server
	opts   CamPayOptions
	tokens map[string]time.Time
}

func newCamPay(s *Server, o CamPayOptions) *campay {
	if o.TokenTTL == 0 {
		o.TokenTTL = time.Hour
	}
	s.openAccount("campay/MTN", o.MTNBalance)
	s.openAccount("campay/Orange", o.OrangeBalance)
	return &campay{s: s, opts: o, tokens: map[string]time.Time{}}
}

// ExpireTokens makes every CamPay token issued so far invalid (early expiry).
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.campay.tokens {
		s.campay.tokens[t] = time.Time{}
	}
}

func (c *campay) op(method, path string) string {
	switch {
	case path == "/token":
		return "token"
	case path == "/withdraw":
		return "withdraw"
	case strings.HasPrefix(path, "/transaction/"):
		return "status"
	case path == "/balance":
		return "balance"
	case path == "/history":
		return "history"
	}
	return ""
}

func (c *campay) serve(w http.ResponseWriter, r *http.Request, rest string) {
	path := strings.TrimSuffix(strings.TrimPrefix(rest, "/api"), "/")
	op := c.op(r.Method, path)
	if op == "" {
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not found."})
		return
	}
	fault := c.s.takeFault(r, "campay", op)
	if c.s.before(w, r, fault) {
		return
	}
	if op != "token" && !c.authorized(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Invalid token."})
		return
	}
	switch {
	case op == "token" && r.Method == http.MethodPost:
		c.token(w, r)
	case op == "withdraw" && r.Method == http.MethodPost:
		c.withdraw(w, r, fault)
	case op == "status" && r.Method == http.MethodGet:
		c.status(w, strings.TrimPrefix(path, "/transaction/"))
	case op == "balance" && r.Method == http.MethodGet:
		c.getBalance(w)
	case op == "history" && r.Method == http.MethodPost:
		c.history(w, r)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"detail": "Method \"" + r.Method + "\" not allowed."})
	}
}

func (c *campay) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Token ")
	if !ok || tok == "" {
		return false
	}
	if c.opts.PermanentToken != "" && tok == c.opts.PermanentToken {
		return true
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	exp, ok := c.tokens[tok]
	return ok && c.s.opts.Now().Before(exp)
}

func (c *campay) token(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body)
	if !loginGood(body.Username, body.Password, c.opts.Username, c.opts.Password) {
		writeJSON(w, http.StatusBadRequest, map[string][]string{"non_field_errors": {"Unable to log in with provided credentials."}})
		return
	}
	tok := c.s.issueToken(c.tokens, "campay", 20, c.opts.TokenTTL)
	writeJSON(w, http.StatusOK, map[string]any{"token": tok, "expires_in": int(c.opts.TokenTTL / time.Second)})
}

func campayError(w http.ResponseWriter, code, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"message": msg, "error_code": code})
}

// carrierOf returns MTN or Orange for a Cameroonian mobile number, or "" with the
// CamPay error code that refuses it.
var cameroon int32 = 237

func carrierOf(to string) (string, string) {
	if len(to) != 12 || !strings.HasPrefix(to, "237") || strings.Trim(to, "0123456789") != "" {
		return "", "ER101"
	}
	// twelve digits after 237 are that country code and a national number:
	// the number phonenumbers.Parse("+"+to, "CM") gives, without its
	// extension and punctuation regexps (TestCarrierOfAsParsed)
	national, err := strconv.ParseUint(to[3:], 10, 64)
	num := &phonenumbers.PhoneNumber{CountryCode: &cameroon, NationalNumber: &national}
	// a national number that starts with 0 is none Cameroon gives
	if err != nil || to[3] == '0' || !phonenumbers.IsValidNumber(num) {
		return "", "ER101"
	}
	carrier, _ := phonenumbers.GetCarrierForNumber(num, "en")
	switch l := strings.ToLower(carrier); {
	case strings.Contains(l, "mtn"):
		return "MTN", ""
	case strings.Contains(l, "orange"):
		return "Orange", ""
	}
	return "", "ER102"
}

func (c *campay) withdraw(w http.ResponseWriter, r *http.Request, fault *Fault) {
	var body struct {
		Amount            json.RawMessage `json:"amount"`
		To                string          `json:"to"`
		Description       string          `json:"description"`
		ExternalReference string          `json:"external_reference"`
		Currency          string          `json:"currency"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "JSON parse error - " + err.Error()})
		return
	}
	if body.ExternalReference != "" && !providers.IsUUID4(body.ExternalReference) {
		// CamPay's docs: "A valid and unique UUID4"
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid external_reference. It must be a valid UUID4.",
			"external_reference": []string{"Must be a valid UUID4."}})
		return
	}
	if body.Currency != "" && !strings.EqualFold(body.Currency, "XAF") {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid currency. Only XAF is supported.",
			"currency": []string{"Only XAF is supported."}})
		return
	}
	var amount providers.WholeAmount
	if len(body.Amount) == 0 || json.Unmarshal(body.Amount, &amount) != nil || amount <= 0 {
		campayError(w, "ER201", "Invalid amount. Decimal numbers are NOT allowed.")
		return
	}
	carrier, code := carrierOf(body.To)
	if code == "ER101" {
		campayError(w, code, "Invalid phone number. Ensure the number starts with the country code. e.g 237xxxxxxxxx")
		return
	}
	if contains(c.opts.UnsupportedCarrier, carrier) {
		code = "ER102"
	}
	if code == "ER102" {
		campayError(w, code, "Unsupported Carrier phone number. Currently, only MTN and Orange phone numbers are accepted for mobile money")
		return
	}
	if (carrier == "Orange" && amount < 10) || (c.opts.MaxAmount > 0 && int64(amount) > c.opts.MaxAmount) {
		campayError(w, "ER201", "Invalid amount. The amount is outside the allowed range for this carrier.")
		return
	}
	c.s.mu.Lock()
	c.s.settleDue()
	if body.ExternalReference != "" {
		if first := c.s.byOurs[refKey{"campay", body.ExternalReference}]; first != nil {
			answer := map[string]string{"reference": first.ProviderReference, "status": first.Status}
			c.s.mu.Unlock()
			if c.opts.RejectDuplicates {
				writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Duplicate external_reference: a request with this UUID was already received."})
				return
			}
			if !c.s.after(w, r, fault) {
				writeJSON(w, http.StatusOK, answer)
			}
			return
		}
	}
	if c.s.exhausted("campay") || int64(amount) > c.s.available("campay/"+carrier) {
		c.s.mu.Unlock()
		campayError(w, "ER301", "Insufficient balance. Trying to withdraw an amount which is above your current balance for "+carrier)
		return
	}
	now := c.s.opts.Now()
	p := &Payout{Provider: "campay", ProviderReference: c.s.newRef("campay"), ClientReference: body.ExternalReference,
		Phone: body.To, Amount: int64(amount), Status: "PENDING", Operator: carrier, CreatedAt: now,
		Final: "SUCCESSFUL", Success: true, Account: "campay/" + carrier}
	c.s.shape(p, "FAILED")
	p, err := c.s.accept(p)
	if err != nil {
		c.s.mu.Unlock()
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "internal error"})
		return
	}
	answer := map[string]string{"reference": p.ProviderReference, "status": "PENDING"}
	c.s.mu.Unlock()
	if c.s.after(w, r, fault) {
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

func (c *campay) amount(n int64) any {
	if c.opts.AmountAsString {
		return strconv.FormatInt(n, 10) + ".00"
	}
	return n
}

func (c *campay) status(w http.ResponseWriter, ref string) {
	c.s.mu.Lock()
	c.s.settleDue()
	p := c.s.byRef[refKey{"campay", ref}]
	var body map[string]any
	if p != nil {
		body = map[string]any{
			"reference": p.ProviderReference, "status": p.Status, "amount": c.amount(p.Amount), "currency": "XAF",
			"operator": p.Operator, "code": "CP" + strings.ToUpper(p.ProviderReference[:8]),
			"operator_reference": operatorRef(p), "external_reference": p.ClientReference, "endpoint": "withdraw",
		}
		if p.Status == "FAILED" {
			body["reason"] = "The transaction failed at the operator"
		}
	}
	c.s.mu.Unlock()
	if p == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not found."})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func operatorRef(p *Payout) string {
	if p.Status != "SUCCESSFUL" {
		return ""
	}
	return "OP" + strings.ToUpper(strings.ReplaceAll(p.ProviderReference, "-", "")[:10])
}

func (c *campay) getBalance(w http.ResponseWriter) {
	c.s.mu.Lock()
	c.s.settleDue()
	mtn, orange := c.s.acct["campay/MTN"].balance, c.s.acct["campay/Orange"].balance
	c.s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"total_balance": mtn + orange, "mtn_balance": mtn, "orange_balance": orange, "currency": "XAF"})
}

func (c *campay) history(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Start string `json:"start_date"`
		End   string `json:"end_date"`
	}
	json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body)
	start, err1 := time.Parse("2006-01-02", body.Start)
	end, err2 := time.Parse("2006-01-02", body.End)
	if err1 != nil || err2 != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "start_date and end_date are required, as YYYY-MM-DD"})
		return
	}
	end = end.Add(24 * time.Hour)
	c.s.mu.Lock()
	c.s.settleDue()
	data := []map[string]any{}
	for _, p := range c.s.createdBetween("campay", start, end) {
		if p.Status == "PENDING" {
			continue // pending rows are left out, as seen live
		}
		data = append(data, map[string]any{
			"datetime": p.CreatedAt.UTC().Format(time.RFC3339), "code": "CP" + strings.ToUpper(p.ProviderReference[:8]),
			"operator_tx_code": operatorRef(p), "operator": p.Operator, "phone_number": p.Phone, "description": "withdraw",
			"amount": p.Amount, "charge_amount": 0, "debit": p.Amount, "credit": 0, "status": p.Status,
			"reference_uuid": p.ProviderReference,
		})
	}
	c.s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}
