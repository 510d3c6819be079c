package sandbox

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"bulkpay/providers"
)

// CamooOptions shape the Camoo simulator.
type CamooOptions struct {
	Key, Secret string // accepted credentials; empty: any non-empty pair
	Balance     int64  // default 1,000,000,000
	FeePercent  int64  // fee per cashout, in percent of the amount (default DefaultCamooFeePercent)
}

type camoo struct {
	s    *Server
	opts CamooOptions
}

func newCamoo(s *Server, o CamooOptions) *camoo {
	if o.FeePercent == 0 {
		o.FeePercent = DefaultCamooFeePercent
	}
	s.openAccount("camoo", o.Balance)
	return &camoo{s: s, opts: o}
}

func camooError(w http.ResponseWriter, status int, msg string, errs map[string]string) {
	if errs == nil {
		errs = map[string]string{}
	}
	writeJSON(w, status, map[string]any{"code": status, "message": msg, "errors": errs})
}

// serve handles /v1/payment/cashout, /verify and /account, and the SMS API
// (sms.go).
func (c *camoo) serve(w http.ResponseWriter, r *http.Request, rest string) {
	if c.serveSMS(w, r, rest) {
		return
	}
	op := strings.Trim(strings.TrimPrefix(rest, "/v1/payment"), "/")
	if op != "cashout" && op != "verify" && op != "account" {
		camooError(w, http.StatusNotFound, "Not found", nil)
		return
	}
	fault := c.s.takeFault(r, "camoo", op)
	if c.s.before(w, r, fault) {
		return
	}
	key, secret := r.Header.Get("X-Api-Key"), r.Header.Get("X-Api-Secret")
	if !loginGood(key, secret, c.opts.Key, c.opts.Secret) {
		camooError(w, http.StatusUnauthorized, "Authentication failed: invalid or missing API credentials", nil)
		return
	}
	switch {
	case op == "cashout" && r.Method == http.MethodPost:
		c.cashout(w, r, fault)
	case op == "verify" && r.Method == http.MethodGet:
		c.verify(w, r.URL.Query().Get("id"))
	case op == "account" && r.Method == http.MethodGet:
		c.s.mu.Lock()
		c.s.settleDue()
		bal := c.s.acct["camoo"].balance
		c.s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"code": 200, "message": "OK",
			"account": map[string]any{"balance": bal, "currency": "XAF", "date": c.s.opts.Now().UTC().Format(time.RFC3339)}})
	default:
		camooError(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
	}
}

// cashoutBody is a cashout request's fields, whatever its encoding.
type cashoutBody struct {
	Amount, Phone, Notify, Ref, Currency string
}

// readCashout reads a cashout sent as JSON (Camoo's examples), as a urlencoded
// form, or as multipart form data (Camoo's own PHP SDK posts an array through
// curl, which sends multipart). It returns the fields or a message for the 400.
func readCashout(w http.ResponseWriter, r *http.Request) (cashoutBody, string) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var b cashoutBody
	switch ct {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		f, ok := postedForm(w, r, ct)
		if !ok {
			return b, "invalid form data"
		}
		return cashoutBody{Amount: f.Get("amount"), Phone: f.Get("phone_number"), Notify: f.Get("notification_url"),
			Ref: f.Get("external_reference"), Currency: f.Get("currency")}, ""
	default: // JSON, with or without its Content-Type
		var body struct {
			Amount   json.RawMessage `json:"amount"`
			Phone    string          `json:"phone_number"`
			Notify   string          `json:"notification_url"`
			Ref      string          `json:"external_reference"`
			Currency string          `json:"currency"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
			return b, "invalid JSON"
		}
		amount := strings.TrimSpace(string(body.Amount))
		if s, err := strconv.Unquote(amount); err == nil {
			amount = s
		}
		return cashoutBody{Amount: amount, Phone: body.Phone, Notify: body.Notify, Ref: body.Ref, Currency: body.Currency}, ""
	}
}

// postedForm reads a form posted as ct, URL-encoded or multipart, of at most
// 1 MiB: its fields, or false when it cannot be read. Camoo's APIs take both.
func postedForm(w http.ResponseWriter, r *http.Request, ct string) (url.Values, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	return r.PostForm, err == nil
}

func (c *camoo) cashout(w http.ResponseWriter, r *http.Request, fault *Fault) {
	body, bad := readCashout(w, r)
	if bad != "" {
		camooError(w, http.StatusBadRequest, "Validation failed", map[string]string{"body": bad})
		return
	}
	amount, err := providers.ParseWhole(strings.TrimSpace(body.Amount))
	if err != nil || amount <= 0 {
		camooError(w, http.StatusBadRequest, "Validation failed", map[string]string{"amount": "must be a positive whole amount"})
		return
	}
	region, carrier, ok := mobile(body.Phone)
	if !ok {
		camooError(w, http.StatusBadRequest, "Validation failed", map[string]string{"phone_number": "invalid phone number"})
		return
	}
	if region != "CM" || (carrier != "MTN" && carrier != "Orange") {
		camooError(w, http.StatusUnprocessableEntity, "Network not supported", map[string]string{"phone_number": "no cashout network for this number"})
		return
	}
	currency := strings.ToUpper(strings.TrimSpace(body.Currency))
	if currency == "" {
		currency = "XAF"
	}
	if currency != "XAF" {
		camooError(w, http.StatusUnprocessableEntity, "Currency not supported", map[string]string{"currency": "cashouts to this network are paid in XAF"})
		return
	}
	fee := int64(amount) * c.opts.FeePercent / 100
	c.s.mu.Lock()
	c.s.settleDue()
	if c.s.exhausted("camoo") || int64(amount)+fee > c.s.available("camoo") {
		c.s.mu.Unlock()
		camooError(w, http.StatusPaymentRequired, "Insufficient funds", nil)
		return
	}
	now := c.s.opts.Now()
	p := &Payout{Provider: "camoo", ProviderReference: c.s.newRef("camoo"), ClientReference: body.Ref,
		Phone: strings.TrimPrefix(body.Phone, "+"), Amount: int64(amount), Status: "CREATED", Operator: carrier, Fee: fee,
		CreatedAt: now, Final: "SUCCESS", Success: true, Account: "camoo", Echo: map[string]string{"currency": currency, "phone_number": body.Phone, "notify_url": body.Notify},
		signKey: r.Header.Get("X-Api-Secret")}
	c.s.shape(p, "FAILED")
	p, err = c.s.accept(p)
	if err != nil {
		c.s.mu.Unlock()
		camooError(w, http.StatusInternalServerError, "Provider failure", nil)
		return
	}
	out := c.view(p)
	c.s.mu.Unlock()
	if c.s.after(w, r, fault) {
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"message": "Cashout created", "code": 201, "cashOut": out})
}

// view is a cashout as Camoo's openapi.yaml types it: amount and net_amount
// integers, fees a number, created_at Unix seconds; status and network in lower
// case as in its examples. Called with s.mu held.
func (c *camoo) view(p *Payout) map[string]any {
	var completed any
	if p.Status == p.Final {
		completed = p.SettleAt.UTC().Format(time.RFC3339)
	}
	return map[string]any{"id": p.ProviderReference, "external_reference": p.ClientReference,
		"amount": p.Amount, "currency": providers.Or(p.Echo["currency"], "XAF"), "created_at": p.CreatedAt.Unix(),
		"network": strings.ToLower(p.Operator), "status": strings.ToLower(p.Status), "fees": p.Fee, "completed_at": completed,
		"notified_at": nil, "phone_number": providers.Or(p.Echo["phone_number"], "+"+p.Phone), "country": "CM", "net_amount": p.Amount}
}

func (c *camoo) verify(w http.ResponseWriter, id string) {
	c.s.mu.Lock()
	c.s.settleDue()
	p := c.s.byRef[refKey{"camoo", id}]
	var out map[string]any
	if p != nil {
		out = c.view(p)
	}
	c.s.mu.Unlock()
	if p == nil {
		camooError(w, http.StatusNotFound, "Transaction not found", nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": 200, "message": "OK", "verify": out})
}
