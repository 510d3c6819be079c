package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CinetPayAPIName is the provider name the simulator of CinetPay's 2026 API
// records its payouts under (and its faults and rules are named by: token,
// balance, transfer, status).
const CinetPayAPIName = "cinetpay-api"

// CinetPayAPIAccount is one country account of CinetPay's 2026 API.
type CinetPayAPIAccount struct {
	APIKey, APIPassword string
}

// CinetPayAPIOptions shape the simulator of CinetPay's 2026 API.
type CinetPayAPIOptions struct {
	// Accounts are the country accounts (CI, SN, ...) and their credentials:
	// a token then pays that country only, from that country's balance.
	// Empty: any non-empty pair logs in to one test account that pays every
	// country (balance key "cinetpay-api").
	Accounts map[string]CinetPayAPIAccount
	TokenTTL time.Duration // default 24 hours
	Balance  int64         // of each account; default 1,000,000,000
	// DuplicateFirst answers a transfer under a merchant_transaction_id
	// already used with the first transfer (code and ids) instead of a 422:
	// CinetPay documents neither, so clients must not rely on one.
	DuplicateFirst bool
}

// the countries of CinetPay's 2026 API: currency, then payment methods
var cinetpayAPICountries = map[string]struct {
	currency string
	methods  []string
}{
	"CI": {"XOF", []string{"MTN_CI", "OM_CI", "WAVE_CI"}},
	"SN": {"XOF", []string{"OM_SN", "FREE_SN", "WAVE_SN"}},
	"BJ": {"XOF", []string{"MTN_BJ", "MOOV_BJ"}},
	"BF": {"XOF", []string{"OM_BF", "MOOV_BF"}},
	"TG": {"XOF", []string{"TMONEY_TG", "MOOV_TG"}},
	"ML": {"XOF", []string{"OM_ML", "MOOV_ML"}},
	"NE": {"XOF", []string{"AIRTEL_NE", "MOOV_NE"}},
	"CM": {"XAF", []string{"MTN_CM", "OM_CM"}},
	"TD": {"XAF", nil}, "CG": {"XAF", nil}, "CF": {"XAF", nil}, "GA": {"XAF", nil}, "GQ": {"XAF", nil},
	"GN": {"GNF", nil},
	"CD": {"CDF", []string{"MPESA_CD", "AIRTEL_CD", "OM_CD"}},
}

// cinetpayAPIMinimum is the smallest transfer seen accepted.
const cinetpayAPIMinimum = 500

var merchantID = regexp.MustCompile(`^[A-Za-z0-9-]{1,30}$`)

type cinetpayAPI struct {
	s      *Server
	opts   CinetPayAPIOptions
	tokens map[string]time.Time
	// country is the account each token was issued for ("" for the test
	// account of a simulator without accounts)
	country map[string]string
}

func newCinetPayAPI(s *Server, o CinetPayAPIOptions) *cinetpayAPI {
	if o.TokenTTL == 0 {
		o.TokenTTL = 24 * time.Hour
	}
	if len(o.Accounts) == 0 {
		s.openAccount(CinetPayAPIName, o.Balance)
	}
	for cc := range o.Accounts {
		s.openAccount(CinetPayAPIName+"/"+strings.ToUpper(cc), o.Balance)
	}
	return &cinetpayAPI{s: s, opts: o, tokens: map[string]time.Time{}, country: map[string]string{}}
}

// reply writes one of the 2026 API's answers: {code, status, ...fields}.
func cinetpayAPIReply(w http.ResponseWriter, httpStatus, code int, status string, fields map[string]any) {
	body := map[string]any{"code": code, "status": status}
	for k, v := range fields {
		body[k] = v
	}
	writeJSON(w, httpStatus, body)
}

func (c *cinetpayAPI) serve(w http.ResponseWriter, r *http.Request, rest string) {
	path := strings.TrimSuffix(rest, "/")
	var op, id string
	switch {
	case path == "/v1/oauth/login" && r.Method == http.MethodPost:
		op = "token"
	case path == "/v1/balances" && r.Method == http.MethodGet:
		op = "balance"
	case path == "/v1/transfer" && r.Method == http.MethodPost:
		op = "transfer"
	case strings.HasPrefix(path, "/v1/transfer/") && r.Method == http.MethodGet:
		op, id = "status", strings.TrimPrefix(path, "/v1/transfer/")
	default:
		cinetpayAPIReply(w, http.StatusNotFound, 404, "NOT_FOUND", map[string]any{"message": "no such endpoint: " + r.Method + " " + path})
		return
	}
	fault := c.s.takeFault(r, CinetPayAPIName, op)
	if c.s.before(w, r, fault) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if op == "token" {
		c.login(w, r)
		return
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	country, code := c.checkToken(strings.TrimSpace(tok))
	switch code {
	case 1003: // CinetPay answers an expired token with HTTP 200
		cinetpayAPIReply(w, http.StatusOK, 1003, "EXPIRED_TOKEN", map[string]any{"message": "the token has expired: log in again"})
		return
	case 401:
		cinetpayAPIReply(w, http.StatusUnauthorized, 401, "UNAUTHORIZED", map[string]any{"message": "a valid bearer token is required"})
		return
	}
	switch op {
	case "balance":
		c.balance(w, country)
	case "transfer":
		c.transfer(w, r, country, fault)
	case "status":
		c.status(w, id, country)
	}
}

func (c *cinetpayAPI) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		APIKey      string `json:"api_key"`
		APIPassword string `json:"api_password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		cinetpayAPIReply(w, http.StatusUnprocessableEntity, 422, "VALIDATION_ERROR", map[string]any{"message": "send JSON {api_key, api_password}"})
		return
	}
	country, ok := "", in.APIKey != "" && in.APIPassword != ""
	if len(c.opts.Accounts) > 0 {
		ok = false
		for cc, a := range c.opts.Accounts {
			if in.APIKey == a.APIKey && in.APIPassword == a.APIPassword {
				country, ok = strings.ToUpper(cc), true
			}
		}
	}
	if !ok {
		cinetpayAPIReply(w, http.StatusUnauthorized, 401, "INVALID_CREDENTIALS", map[string]any{"message": "api_key or api_password not valid"})
		return
	}
	tok := c.s.issueToken(c.tokens, CinetPayAPIName, 24, c.opts.TokenTTL)
	c.s.mu.Lock()
	c.country[tok] = country
	c.s.mu.Unlock()
	cinetpayAPIReply(w, http.StatusOK, 200, "OK", map[string]any{"access_token": tok, "token_type": "bearer",
		"expires_in": int64(c.opts.TokenTTL / time.Second)})
}

// checkToken returns the token's account country, and 0, 1003 (expired) or
// 401 (unknown).
func (c *cinetpayAPI) checkToken(tok string) (string, int) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	exp, ok := c.tokens[tok]
	switch {
	case !ok || tok == "":
		return "", 401
	case !c.s.opts.Now().Before(exp):
		return "", 1003
	}
	return c.country[tok], 0
}

// ExpireCinetPayAPITokens ends every token of the 2026 API issued so far.
func (s *Server) ExpireCinetPayAPITokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.cinetAPI.tokens {
		s.cinetAPI.tokens[t] = time.Time{}
	}
}

// account is the balance key a transfer to country draws on for a token of
// account tokenCountry.
func (c *cinetpayAPI) account(tokenCountry string) string {
	if tokenCountry == "" {
		return CinetPayAPIName
	}
	return CinetPayAPIName + "/" + tokenCountry
}

func (c *cinetpayAPI) balance(w http.ResponseWriter, country string) {
	currency := "XOF"
	if country != "" {
		currency = cinetpayAPICountries[country].currency
	}
	c.s.mu.Lock()
	c.s.settleDue()
	key := c.account(country)
	a := c.s.acct[key]
	total, avail := a.balance, a.balance-a.reserved
	c.s.mu.Unlock()
	cinetpayAPIReply(w, http.StatusOK, 200, "OK", map[string]any{"real_balance": total, "available_balance": avail, "currency": currency})
}

// methodCountry is the country of a payment method (MTN_CI → CI), "" when
// CinetPay names no such method.
func methodCountry(method string) string {
	for cc, k := range cinetpayAPICountries {
		if contains(k.methods, method) {
			return cc
		}
	}
	return ""
}

func (c *cinetpayAPI) transfer(w http.ResponseWriter, r *http.Request, tokenCountry string, fault *Fault) {
	var in struct {
		Currency              string          `json:"currency"`
		PaymentMethod         string          `json:"payment_method"`
		MerchantTransactionID string          `json:"merchant_transaction_id"`
		Amount                json.RawMessage `json:"amount"`
		PhoneNumber           string          `json:"phone_number"`
		Reason                string          `json:"reason"`
		NotifyURL             string          `json:"notify_url"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		cinetpayAPIReply(w, http.StatusUnprocessableEntity, 422, "VALIDATION_ERROR", map[string]any{"message": "the body is not the JSON of a transfer"})
		return
	}
	amount, aerr := strconv.ParseInt(strings.Trim(string(in.Amount), `"`), 10, 64)
	country := methodCountry(in.PaymentMethod)
	region, carrier, valid := mobile(in.PhoneNumber)
	errs := map[string]string{}
	switch {
	case !merchantID.MatchString(in.MerchantTransactionID):
		errs["merchant_transaction_id"] = "at most 30 letters, digits and hyphens"
	}
	switch {
	case country == "":
		errs["payment_method"] = "unknown payment method"
	case tokenCountry != "" && country != tokenCountry:
		errs["payment_method"] = "this account pays " + tokenCountry + " only"
	}
	switch {
	case !strings.HasPrefix(in.PhoneNumber, "+") || !valid:
		errs["phone_number"] = "a mobile number with + and its country code"
	case country != "" && region != country:
		errs["phone_number"] = "the number is not in the payment method's country"
	}
	if country != "" && !strings.EqualFold(in.Currency, cinetpayAPICountries[country].currency) {
		errs["currency"] = "the currency of " + country + " is " + cinetpayAPICountries[country].currency
	}
	switch {
	case aerr != nil || amount <= 0 || amount%5 != 0:
		errs["amount"] = "a whole amount, a multiple of 5"
	case amount < cinetpayAPIMinimum:
		errs["amount"] = "at least " + strconv.Itoa(cinetpayAPIMinimum)
	}
	if in.NotifyURL == "" {
		errs["notify_url"] = "required"
	}
	c.s.mu.Lock()
	c.s.settleDue()
	if first := c.s.byOurs[refKey{CinetPayAPIName, in.MerchantTransactionID}]; first != nil && in.MerchantTransactionID != "" {
		if c.opts.DuplicateFirst {
			body := transferBody(first)
			c.s.mu.Unlock()
			writeJSON(w, http.StatusOK, body)
			return
		}
		errs["merchant_transaction_id"] = "already used"
	}
	if len(errs) > 0 {
		c.s.mu.Unlock()
		cinetpayAPIReply(w, http.StatusUnprocessableEntity, 422, "VALIDATION_ERROR", map[string]any{"message": "the transfer is not valid", "errors": errs})
		return
	}
	key := c.account(tokenCountry)
	if c.s.exhausted(CinetPayAPIName) || amount > c.s.available(key) {
		c.s.mu.Unlock()
		cinetpayAPIReply(w, http.StatusOK, 2005, "INSUFFICIENT_BALANCE", map[string]any{"merchant_transaction_id": in.MerchantTransactionID, "amount": amount})
		return
	}
	b := make([]byte, 16)
	rand.Read(b)
	now := c.s.opts.Now()
	p := &Payout{Provider: CinetPayAPIName, ProviderReference: c.s.newRef(CinetPayAPIName), ClientReference: in.MerchantTransactionID,
		Phone: strings.TrimPrefix(in.PhoneNumber, "+"), Amount: amount, Status: "PENDING", Operator: carrier, CreatedAt: now,
		Final: "SUCCESS", Success: true, Account: key, Fee: amount / 100,
		Echo: map[string]string{"notify_url": in.NotifyURL, "notify_token": hex.EncodeToString(b), "payment_method": in.PaymentMethod,
			"currency": strings.ToUpper(in.Currency)}}
	c.s.shape(p, "FAILED")
	p, err := c.s.accept(p)
	if err != nil {
		c.s.mu.Unlock()
		cinetpayAPIReply(w, http.StatusInternalServerError, 500, "INTERNAL_ERROR", nil)
		return
	}
	body := transferBody(p)
	body["notify_token"] = p.Echo["notify_token"]
	c.s.mu.Unlock()
	if c.s.after(w, r, fault) {
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// cinetpayAPICode is the code and status word of a payout's status.
func cinetpayAPICode(status string) (int, string) {
	switch status {
	case "SUCCESS":
		return 100, "SUCCESS"
	case "FAILED":
		return 2010, "FAILED"
	}
	return 2002, "PENDING"
}

// transferBody is a transfer as the initiation answers it (amounts as
// numbers). Called with s.mu held.
func transferBody(p *Payout) map[string]any {
	code, word := cinetpayAPICode(p.Status)
	if p.Status == "PENDING" && p.SettleAt.After(p.CreatedAt) {
		code, word = 2001, "INITIATED"
	}
	return map[string]any{"code": code, "status": word, "merchant_transaction_id": p.ClientReference,
		"transaction_id": p.ProviderReference, "amount": p.Amount, "fee_amount": p.Fee}
}

// status answers a lookup: an account sees its own transfers only.
func (c *cinetpayAPI) status(w http.ResponseWriter, id, tokenCountry string) {
	c.s.mu.Lock()
	c.s.settleDue()
	p := c.s.byRef[refKey{CinetPayAPIName, id}]
	if p == nil || (p.Account != "" && p.Account != c.account(tokenCountry)) {
		c.s.mu.Unlock()
		cinetpayAPIReply(w, http.StatusNotFound, 404, "NOT_FOUND", map[string]any{"message": "no transfer " + id})
		return
	}
	code, word := cinetpayAPICode(p.Status)
	// the lookup writes amounts as strings
	body := map[string]any{"code": code, "status": word, "transaction_id": p.ProviderReference, "merchant_transaction_id": p.ClientReference,
		"amount": strconv.FormatInt(p.Amount, 10), "fee_amount": strconv.FormatInt(p.Fee, 10), "currency": p.Echo["currency"],
		"payment_method": p.Echo["payment_method"], "phone_number": "+" + p.Phone, "created_at": p.CreatedAt.UTC().Format(time.RFC3339)}
	c.s.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// cinetpayAPICallback is the 2026 API's webhook: a JSON POST to the
// transfer's notify_url carrying the notify_token its initiation returned
// (a forged one carries another). Called with s.mu held.
func cinetpayAPICallback(p *Payout, d Delivery, kind string) *outgoing {
	token := p.Echo["notify_token"]
	if kind == "forged" {
		token = strings.Repeat("0", len(token))
	}
	body, _ := json.Marshal(map[string]any{"notify_token": token, "merchant_transaction_id": p.ClientReference,
		"transaction_id": p.ProviderReference, "user": "sandbox"})
	d.Method = http.MethodPost
	return &outgoing{d: d, body: body, ctype: "application/json"}
}

// cinetpayAPIAccounts lists the balance keys of the 2026 API's accounts.
func (c *cinetpayAPI) accounts() []string {
	if len(c.opts.Accounts) == 0 {
		return []string{CinetPayAPIName}
	}
	var out []string
	for cc := range c.opts.Accounts {
		out = append(out, CinetPayAPIName+"/"+strings.ToUpper(cc))
	}
	sort.Strings(out)
	return out
}
