package sandbox

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CinetPayOptions shape the CinetPay simulator.
type CinetPayOptions struct {
	APIKey, Password     string        // accepted credentials; empty: any non-empty pair
	TokenTTL             time.Duration // default 5 minutes
	Balance              int64         // default 1,000,000,000
	UnavailableOperators []string      // carriers answered with 804 OPERATOR_UNAVAILABLE
	SingleNested         bool          // answer data as [...] instead of [[...]] (seen in some clients)
	// NumericCodes answers error codes as numbers (723) instead of strings
	// ("723"): CinetPay does not document which, so clients must read both.
	NumericCodes bool
}

// minimum amounts per country (observed in community clients); CinetPay pays
// these countries only.
var cinetpayMinimum = map[string]int64{"CI": 200, "SN": 200, "CM": 500, "TG": 150, "BJ": 500, "ML": 500, "BF": 500, "GN": 1000, "CD": 1000}

type cinetpay struct {
	s        *Server
	opts     CinetPayOptions
	tokens   map[string]time.Time
	contacts map[string]bool // prefix+phone
	lots     int
}

func newCinetPay(s *Server, o CinetPayOptions) *cinetpay {
	if o.TokenTTL == 0 {
		o.TokenTTL = 5 * time.Minute
	}
	s.openAccount("cinetpay", o.Balance)
	return &cinetpay{s: s, opts: o, tokens: map[string]time.Time{}, contacts: map[string]bool{}}
}

func cinetReply(w http.ResponseWriter, status int, code any, message string, data any) {
	writeJSON(w, status, map[string]any{"code": code, "message": message, "data": data})
}

// code is an error code as this simulator writes it: a string ("723", as in
// CinetPay's examples) or, with NumericCodes, a number.
func (c *cinetpay) code(n int) any {
	if c.opts.NumericCodes {
		return n
	}
	return strconv.Itoa(n)
}

// descriptions of the errors a token can meet, as CinetPay words them.
var cinetDescriptions = map[string]string{
	"701": "Identifiant de connexion incorrect",
	"705": "Le token a expiré: authentifiez-vous à nouveau",
	"706": "Le token est invalide: authentifiez-vous à nouveau",
}

func (c *cinetpay) tokenError(w http.ResponseWriter, code int, message string) {
	writeJSON(w, http.StatusUnauthorized, map[string]any{"code": c.code(code), "message": message,
		"description": cinetDescriptions[strconv.Itoa(code)], "data": []any{}})
}

func (c *cinetpay) nest(v []map[string]any) any {
	if c.opts.SingleNested {
		return v
	}
	return [][]map[string]any{v}
}

func (c *cinetpay) serve(w http.ResponseWriter, r *http.Request, rest string) {
	path := strings.TrimSuffix(strings.TrimPrefix(rest, "/v1"), "/")
	op := map[string]string{"/auth/login": "login", "/transfer/check/balance": "balance", "/transfer/contact": "contact",
		"/transfer/money/send/contact": "send", "/transfer/check/money": "check"}[path]
	if op == "" {
		cinetReply(w, http.StatusNotFound, c.code(-1), "OPERATION_ERROR", []any{})
		return
	}
	fault := c.s.takeFault(r, "cinetpay", op)
	if c.s.before(w, r, fault) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	r.ParseForm() // login and contact are documented "GET & POST": fields come from the query or the body
	if op == "login" {
		c.login(w, r)
		return
	}
	if code, msg := c.checkToken(r.URL.Query().Get("token")); code != 0 {
		c.tokenError(w, code, msg)
		return
	}
	switch op {
	case "balance": // numbers, as in CinetPay's documentation ("amount": 663)
		c.s.mu.Lock()
		c.s.settleDue()
		a := c.s.acct["cinetpay"]
		data := map[string]any{"amount": a.balance, "inUsing": a.reserved, "available": a.balance - a.reserved}
		c.s.mu.Unlock()
		cinetReply(w, http.StatusOK, 0, "OPERATION_SUCCES", data)
	case "contact":
		c.addContacts(w, r)
	case "send":
		c.send(w, r, fault)
	case "check":
		c.check(w, r)
	}
}

func (c *cinetpay) login(w http.ResponseWriter, r *http.Request) {
	key, pass := r.Form.Get("apikey"), r.Form.Get("password")
	if !loginGood(key, pass, c.opts.APIKey, c.opts.Password) {
		c.tokenError(w, 701, "INVALID_CREDENTIALS")
		return
	}
	tok := c.s.issueToken(c.tokens, "cinetpay", 16, c.opts.TokenTTL)
	cinetReply(w, http.StatusOK, 0, "OPERATION_SUCCES", map[string]string{"token": tok})
}

func (c *cinetpay) checkToken(tok string) (int, string) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	exp, ok := c.tokens[tok]
	switch {
	case !ok:
		return 706, "INVALID_TOKEN"
	case !c.s.opts.Now().Before(exp):
		return 705, "EXPIRED_TOKEN"
	}
	return 0, ""
}

// ExpireCinetPayTokens ends every CinetPay token issued so far.
func (s *Server) ExpireCinetPayTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.cinet.tokens {
		s.cinet.tokens[t] = time.Time{}
	}
}

func (c *cinetpay) formData(w http.ResponseWriter, r *http.Request) ([]map[string]json.RawMessage, bool) {
	var lines []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.Form.Get("data")), &lines); err != nil || len(lines) == 0 {
		cinetReply(w, http.StatusOK, c.code(718), "JSON_PARSE_ERROR", []any{})
		return nil, false
	}
	return lines, true
}

func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

func (c *cinetpay) addContacts(w http.ResponseWriter, r *http.Request) {
	lines, ok := c.formData(w, r)
	if !ok {
		return
	}
	c.s.mu.Lock()
	var out []map[string]any
	for _, l := range lines {
		prefix, phone := str(l["prefix"]), str(l["phone"])
		item := map[string]any{"prefix": prefix, "phone": phone, "name": str(l["name"]), "surname": str(l["surname"]),
			"email": str(l["email"]), "lot": "0"}
		switch _, _, valid := mobile(prefix + phone); {
		case !valid:
			item["code"], item["status"] = 802, "INVALID_PHONE"
		case c.contacts[prefix+phone]:
			item["code"], item["status"] = 726, "ERROR_PHONE_ALREADY_MY_CONTACT"
		default:
			c.contacts[prefix+phone] = true
			item["code"], item["status"] = 0, "OPERATION_SUCCES"
		}
		out = append(out, item)
	}
	c.s.mu.Unlock()
	cinetReply(w, http.StatusOK, 0, "OPERATION_SUCCES", c.nest(out))
}

// ContactCount is how many contacts the CinetPay simulator holds.
func (s *Server) ContactCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.cinet.contacts)
}

func (c *cinetpay) send(w http.ResponseWriter, r *http.Request, fault *Fault) {
	lines, ok := c.formData(w, r)
	if !ok {
		return
	}
	c.s.mu.Lock()
	c.s.settleDue()
	c.lots++
	lot := strconv.Itoa(100000 + c.lots)
	var out []map[string]any
	now := c.s.opts.Now()
	for _, l := range lines {
		prefix, phone, ref := str(l["prefix"]), str(l["phone"]), str(l["client_transaction_id"])
		amountText := str(l["amount"])
		item := map[string]any{"prefix": prefix, "phone": phone, "amount": amountText, "notify_url": str(l["notify_url"]),
			"client_transaction_id": ref, "lot": lot, "treatment_status": "", "transaction_id": ""}
		amount, aerr := strconv.ParseInt(amountText, 10, 64)
		region, carrier, _ := mobile(prefix + phone)
		code, status := 0, "OPERATION_SUCCES"
		switch {
		case ref != "" && c.s.byOurs[refKey{"cinetpay", ref}] != nil:
			code, status = 805, "CLIENT_TRANSACTION_ID_EXIST"
		case !c.contacts[prefix+phone]:
			code, status = 724, "ERROR_PHONE_NOT_MY_CONTACT"
		case str(l["notify_url"]) == "":
			code, status = 725, "MISSING_NOTIFY_URL"
		case cinetpayMinimum[region] == 0, region == "CM" && carrier != "MTN" && carrier != "Orange":
			code, status = 721, "OPERATOR_NOT_AVAILABLE" // a country or, in Cameroon, a carrier CinetPay does not pay
		case aerr != nil || amount <= 0 || amount%5 != 0:
			code, status = 801, "INVALID_AMOUNT"
		case amount < cinetpayMinimum[region]:
			code, status = 719, "AMOUNT_TOO_SMALL"
		case contains(c.opts.UnavailableOperators, carrier):
			code, status = 804, "OPERATOR_UNAVAILABLE"
		case c.s.exhausted("cinetpay") || amount > c.s.available("cinetpay"):
			code, status = 602, "INSUFFICIENT_BALANCE"
		}
		if code == 0 {
			p := &Payout{Provider: "cinetpay", ProviderReference: c.s.newRef("cinetpay"), ClientReference: ref,
				Phone: prefix + phone, Amount: amount, Status: "NEW", Operator: carrier, CreatedAt: now,
				Final: "VAL", Success: true, Account: "cinetpay", Lot: lot, Echo: map[string]string{"notify_url": str(l["notify_url"])}}
			c.s.shape(p, "REJ")
			if kept, err := c.s.accept(p); err != nil {
				code, status = 715, "UNEXPECTED_ERROR"
			} else {
				item["transaction_id"], item["treatment_status"] = kept.ProviderReference, "NEW"
			}
		}
		item["code"], item["status"] = code, status
		out = append(out, item)
	}
	c.s.mu.Unlock()
	if c.s.after(w, r, fault) {
		return
	}
	cinetReply(w, http.StatusOK, 0, "OPERATION_SUCCES", c.nest(out))
}

func (c *cinetpay) check(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c.s.mu.Lock()
	c.s.settleDue()
	var out []map[string]any
	for _, p := range c.s.cinetMatches(q.Get("client_transaction_id"), q.Get("transaction_id"), q.Get("lot")) {
		sending, valid, validated := "PENDING", "N", ""
		if p.Status == "VAL" {
			sending, valid, validated = "CONFIRM", "Y", p.SettleAt.UTC().Format("2006-01-02 15:04:05")
		}
		_, carrier, _ := mobile(p.Phone)
		out = append(out, map[string]any{"transaction_id": p.ProviderReference, "client_transaction_id": p.ClientReference,
			"lot": p.Lot, "amount": strconv.FormatInt(p.Amount, 10), "receiver": p.Phone, "receiver_e164": "+" + p.Phone,
			"operator": carrier, "sending_status": sending, "transfer_valid": valid, "treatment_status": p.Status,
			"comment": "", "validated_at": validated})
	}
	c.s.mu.Unlock()
	if len(out) == 0 {
		cinetReply(w, http.StatusOK, c.code(723), "NOT_FOUND", []any{})
		return
	}
	cinetReply(w, http.StatusOK, 0, "OPERATION_SUCCES", out)
}

// cinetMatches returns the CinetPay payouts with our reference ours, CinetPay's
// reference theirs or in lot (empty ones match nothing), in acceptance order,
// from the indexes. Called with s.mu held.
func (s *Server) cinetMatches(ours, theirs, lot string) []*Payout {
	var out []*Payout
	seen := map[*Payout]bool{}
	take := func(p *Payout) {
		if p != nil && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if ours != "" {
		take(s.byOurs[refKey{"cinetpay", ours}])
	}
	if theirs != "" {
		take(s.byRef[refKey{"cinetpay", theirs}])
	}
	if lot != "" {
		for _, p := range s.byLot[refKey{"cinetpay", lot}] {
			take(p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].order < out[j].order })
	return out
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if strings.EqualFold(s, x) {
			return true
		}
	}
	return false
}
