package cinetpay2

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"

	"bulkpay/batch"
	"bulkpay/providers"
)

// Name is the provider's key in config and the ledger: the same as the
// legacy API's, the config chooses which API speaks for it.
const Name = "cinetpay"

// API is how the config names this API (cinetpay: {api: "2026"}).
const API = "2026"

// SandboxURL is CinetPay's sandbox (keys sk_test_...); LiveURL its
// production (sk_live_...).
const (
	SandboxURL = "https://api.cinetpay.net"
	LiveURL    = "https://api.cinetpay.co"
)

// Country is one country of the 2026 API: its currency and the payment
// method of each operator.
type Country struct {
	Currency string
	Methods  map[string]string // operator (MTN, ORANGE, WAVE, ...) → payment_method
}

// Countries are the countries CinetPay's 2026 API pays, from its SDKs.
// Those without a payment method listed (TD, CG, CF, GA, GQ, GN) hold
// accounts but no published transfer method: bulkpay refuses their numbers
// before sending.
var Countries = map[string]Country{
	"CI": {"XOF", map[string]string{"MTN": "MTN_CI", "ORANGE": "OM_CI", "WAVE": "WAVE_CI"}},
	"SN": {"XOF", map[string]string{"ORANGE": "OM_SN", "FREE": "FREE_SN", "WAVE": "WAVE_SN"}},
	"BJ": {"XOF", map[string]string{"MTN": "MTN_BJ", "MOOV": "MOOV_BJ"}},
	"BF": {"XOF", map[string]string{"ORANGE": "OM_BF", "MOOV": "MOOV_BF"}},
	"TG": {"XOF", map[string]string{"TMONEY": "TMONEY_TG", "MOOV": "MOOV_TG"}},
	"ML": {"XOF", map[string]string{"ORANGE": "OM_ML", "MOOV": "MOOV_ML"}},
	"NE": {"XOF", map[string]string{"AIRTEL": "AIRTEL_NE", "MOOV": "MOOV_NE"}},
	"CM": {"XAF", map[string]string{"MTN": "MTN_CM", "ORANGE": "OM_CM"}},
	"TD": {"XAF", nil}, "CG": {"XAF", nil}, "CF": {"XAF", nil}, "GA": {"XAF", nil}, "GQ": {"XAF", nil},
	"GN": {"GNF", nil},
	"CD": {"CDF", map[string]string{"MPESA": "MPESA_CD", "AIRTEL": "AIRTEL_CD", "ORANGE": "OM_CD"}},
}

// operatorWords name each operator the way sheets and numbering plans write
// it, lower case, matched as part of the operator cell.
var operatorWords = []struct{ word, operator string }{
	{"mtn", "MTN"}, {"orange", "ORANGE"}, {"wave", "WAVE"}, {"moov", "MOOV"}, {"free", "FREE"},
	{"airtel", "AIRTEL"}, {"tmoney", "TMONEY"}, {"t-money", "TMONEY"}, {"togocom", "TMONEY"}, {"togo cellulaire", "TMONEY"},
	{"mpesa", "MPESA"}, {"m-pesa", "MPESA"}, {"vodacom", "MPESA"},
}

// operatorOf reads an operator cell (MTN, Orange, Moov Africa, Wave, ...).
func operatorOf(cell string) string {
	l := strings.ToLower(strings.TrimSpace(cell))
	for _, w := range operatorWords {
		if strings.Contains(l, w.word) {
			return w.operator
		}
	}
	return strings.ToUpper(l)
}

// PaymentMethod is CinetPay's payment_method for a number of country on
// operator (as a sheet names it), or an error that says what CinetPay pays
// there.
func PaymentMethod(country, operator string) (string, error) {
	c, ok := Countries[strings.ToUpper(country)]
	if !ok {
		return "", fmt.Errorf("CinetPay's 2026 API pays no numbers in %s", providers.Or(country, "this country"))
	}
	if len(c.Methods) == 0 {
		return "", fmt.Errorf("CinetPay's 2026 API publishes no transfer method in %s", country)
	}
	if m, ok := c.Methods[operatorOf(operator)]; ok {
		return m, nil
	}
	var ops []string
	for op := range c.Methods {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return "", fmt.Errorf("CinetPay's 2026 API pays %s numbers of %s only, not %s", country, strings.Join(ops, ", "), providers.Or(operator, "an unknown operator"))
}

// account is one country account with its token.
type account struct {
	country       string
	key, password string

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Client talks to CinetPay's 2026 API through one account per country. Safe
// for concurrent use.
type Client struct {
	providers.Base
	accounts  map[string]*account
	publicURL string
	notifyURL string
	reason    string
	now       func() time.Time
	// sentFrom remembers the account (country) of each transfer this client
	// initiated, by transaction_id, so that Check asks that account first.
	sentFrom sync.Map
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at another CinetPay (the live API, or a
// simulator): the URL before /v1.
func WithBaseURL(u string) Option { return func(c *Client) { c.SetURL(u) } }

// WithHTTPClient sets the http.Client (its Timeout bounds every call).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.HTTP = h } }

// WithAccount adds the account of country (CI, SN, ...) with its API key and
// password; a number of a country without an account is refused before
// anything is sent.
func WithAccount(country, apiKey, apiPassword string) Option {
	return func(c *Client) {
		cc := strings.ToUpper(strings.TrimSpace(country))
		c.accounts[cc] = &account{country: cc, key: apiKey, password: apiPassword}
	}
}

// WithPublicURL sets bulkpay's public URL: each transfer then names its own
// notify_url, {public_url}/callbacks/cinetpay/{item reference}.
func WithPublicURL(u string) Option { return func(c *Client) { c.publicURL = u } }

// WithNotifyURL sets the notify_url sent when no public URL is set
// (CinetPay requires one).
func WithNotifyURL(u string) Option { return func(c *Client) { c.notifyURL = u } }

// WithClock sets the clock used for token expiry (tests).
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// New returns a client of CinetPay's sandbox unless told otherwise.
func New(opts ...Option) *Client {
	return providers.Apply(&Client{Base: providers.NewBase(SandboxURL), accounts: map[string]*account{}, reason: "bulkpay payout", now: time.Now}, opts)
}

var (
	_ batch.Provider = (*Client)(nil)
	_ batch.Balancer = (*Client)(nil)
)

// The client is not a batch.Settler: CinetPay documents no lookup by our
// merchant_transaction_id and no answer to a repeated one, so a transfer
// whose answer was lost before its transaction_id came back cannot be asked
// about. It is settled by its webhook (which names its transaction_id, then
// looked up) or goes to review; it is never sent again.

// Name implements batch.Provider.
func (c *Client) Name() string { return Name }

// Countries lists the countries the client holds an account for.
func (c *Client) countries() []string {
	var out []string
	for cc := range c.accounts {
		out = append(out, cc)
	}
	sort.Strings(out)
	return out
}

// answer is every answer of the 2026 API: {code, status, message, ...}.
type answer struct {
	Code    json.RawMessage `json:"code"`
	Status  string          `json:"status"`
	Message string          `json:"message"`
	Errors  map[string]any  `json:"errors"`
}

func (a answer) code() string { return strings.Trim(strings.TrimSpace(string(a.Code)), `"`) }

func (a answer) text() string {
	var parts []string
	if c := a.code(); c != "" {
		parts = append(parts, c)
	}
	if a.Status != "" {
		parts = append(parts, a.Status)
	}
	s := strings.Join(parts, " ")
	if a.Message != "" {
		s = strings.TrimSpace(s + ": " + a.Message)
	}
	var fields []string
	for k, v := range a.Errors {
		fields = append(fields, fmt.Sprintf("%s %v", k, v))
	}
	sort.Strings(fields)
	if len(fields) > 0 {
		s += " (" + strings.Join(fields, "; ") + ")"
	}
	return s
}

// errorOf is resp's error of class in the answer's words (the start of the
// body when it has none), with the answer's code.
func (a answer) errorOf(resp *providers.Response, class error) *providers.Error {
	pe := resp.Error(class, providers.Or(a.text(), resp.Snippet()))
	pe.Code = a.code()
	return pe
}

// transferOf reads the transfer resp holds, and its code as written.
func transferOf(resp *providers.Response) (Transfer, string, error) {
	var t Transfer
	if err := resp.JSON(&t); err != nil {
		return t, "", err
	}
	return t, strings.Trim(strings.TrimSpace(string(t.Code)), `"`), nil
}

func answerOf(b []byte) answer {
	var a answer
	_ = json.Unmarshal(b, &a)
	return a
}

// exchange sends one request through providers.Exchange. Only a transfer
// moves money.
func (c *Client) exchange(ctx context.Context, op, method, path, token string, body []byte, secrets []string) (*providers.Response, error) {
	h := http.Header{}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return providers.Exchange(ctx, c.HTTP, providers.Request{Provider: Name, Op: op, Method: method, URL: c.URL + path,
		Header: h, Body: body, Safe: op != "transfer", Secrets: append(secrets, token),
		Explain: func(b []byte) string { return answerOf(b).text() }})
}

// login returns the account's token, taking a new one when forced or when
// the one held is within a tenth of its life (at most an hour) of its end;
// under the account's lock, so that concurrent calls take one token.
func (c *Client) login(ctx context.Context, a *account, force bool) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !force && a.token != "" && c.now().Before(a.expires) {
		return a.token, nil
	}
	if a.key == "" || a.password == "" {
		return "", &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "token", Err: providers.ErrAuth,
			Message: fmt.Sprintf("no CinetPay credentials for the %s account: set its API key and password in the environment", a.country)}
	}
	body, _ := json.Marshal(map[string]string{"api_key": a.key, "api_password": a.password})
	resp, err := c.exchange(ctx, "token", http.MethodPost, "/v1/oauth/login", "", body, []string{a.key, a.password, a.token})
	if err != nil {
		return "", err
	}
	ans := answerOf(resp.Body)
	var tok struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if resp.Status != http.StatusOK || json.Unmarshal(resp.Body, &tok) != nil || tok.AccessToken == "" {
		pe := resp.Error(providers.ErrTransient, fmt.Sprintf("the %s account's login: %s", a.country, providers.Or(ans.text(), resp.Snippet())))
		pe.Code = ans.code()
		if resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden || resp.Status == http.StatusUnprocessableEntity || tok.AccessToken == "" && resp.Status == http.StatusOK {
			pe.Err = providers.ErrAuth
		}
		return "", pe
	}
	life := providers.TokenLife(tok.ExpiresIn, time.Hour)
	a.token, a.expires = tok.AccessToken, c.now().Add(life-min(time.Hour, life/10))
	return a.token, nil
}

// expired says whether an answer is the 2026 API's expired token: HTTP 200
// with code 1003 (or a 401).
func expired(resp *providers.Response) bool {
	return resp.Status == http.StatusUnauthorized || answerOf(resp.Body).code() == "1003"
}

// call sends an authenticated request from account a, logging in again
// once when the token has expired (code 1003) or is refused (401) and
// sending the request again: an expired token is refused before anything
// is processed.
func (c *Client) call(ctx context.Context, a *account, op, method, path string, body []byte) (*providers.Response, error) {
	for try := 0; ; try++ {
		tok, err := c.login(ctx, a, try > 0)
		if err != nil {
			return nil, err
		}
		resp, err := c.exchange(ctx, op, method, path, tok, body, []string{a.key, a.password})
		if err != nil {
			return nil, err
		}
		if !expired(resp) {
			return resp, nil
		}
		if try > 0 {
			pe := resp.AuthError(fmt.Sprintf("CinetPay refused the %s account's new token: %s", a.country, answerOf(resp.Body).text()))
			pe.Code = answerOf(resp.Body).code()
			return nil, pe
		}
	}
}

// Transfer is a transfer as the 2026 API describes it (the initiation's
// answer and the lookup), amounts as numbers or strings.
type Transfer struct {
	Code                  json.RawMessage       `json:"code"`
	Status                string                `json:"status"`
	MerchantTransactionID string                `json:"merchant_transaction_id"`
	TransactionID         json.RawMessage       `json:"transaction_id"`
	Amount                providers.WholeAmount `json:"amount"`
	FeeAmount             providers.WholeAmount `json:"fee_amount"`
	NotifyToken           string                `json:"notify_token"`
}

// ID is CinetPay's transaction_id, a string or a number.
func (t Transfer) ID() string { return strings.Trim(strings.TrimSpace(string(t.TransactionID)), `"`) }

// statusOf maps the 2026 API's codes and status words: 100 SUCCESS final,
// 200 OK / 2001 INITIATED / 2002 PENDING in progress, 2005
// INSUFFICIENT_BALANCE and 2010 FAILED final failures.
func statusOf(code, word string) (providers.Status, bool) {
	switch code {
	case "100":
		return providers.StatusSucceeded, true
	case "200", "201", "2001", "2002":
		return providers.StatusPending, true
	case "2005", "2010":
		return providers.StatusFailed, true
	}
	switch strings.ToUpper(strings.TrimSpace(word)) {
	case "SUCCESS", "SUCCESSFUL":
		return providers.StatusSucceeded, true
	case "OK", "INITIATED", "PENDING", "PROCESSING":
		return providers.StatusPending, true
	case "FAILED", "INSUFFICIENT_BALANCE", "REJECTED", "CANCELED", "CANCELLED":
		return providers.StatusFailed, true
	}
	return "", false
}

// refuse is a definite refusal made before anything is sent.
func refuse(op, code, msg string, providerSide bool) error {
	return &providers.Error{Class: providers.ErrRejected, Provider: Name, Op: op, Code: code, Message: msg + "; nothing was sent", ProviderSide: providerSide}
}

// Send implements batch.Provider: POST /v1/transfer from the account of the
// payee's country, with the payment method of its operator, our reference
// encoded as merchant_transaction_id and the item's own notify_url.
func (c *Client) Send(ctx context.Context, p providers.Payout) (providers.Result, error) {
	country := strings.ToUpper(providers.Or(providers.RegionOf(p.Phone), p.Country))
	a, ok := c.accounts[country]
	if !ok {
		return providers.Result{}, refuse("transfer", "account", fmt.Sprintf("no CinetPay account for %s is configured (accounts: %s)",
			providers.Or(country, "this country"), providers.Or(strings.Join(c.countries(), ", "), "none")), true)
	}
	operator := providers.Or(p.Operator, carrierOf(p.Phone))
	method, err := PaymentMethod(country, operator)
	if err != nil {
		return providers.Result{}, refuse("transfer", "payment_method", err.Error(), true)
	}
	cur := Countries[country].Currency
	if p.Currency != "" && !providers.AtPar(p.Currency, cur) {
		return providers.Result{}, refuse("transfer", "currency", fmt.Sprintf("CinetPay pays %s numbers in %s, not %s", country, cur, p.Currency), false)
	}
	id, err := EncodeReference(p.Reference)
	if err != nil {
		return providers.Result{}, refuse("transfer", "merchant_transaction_id", err.Error(), false)
	}
	notify := providers.Or(providers.ItemCallbackURL(c.publicURL, Name, p.Reference), c.notifyURL)
	if notify == "" {
		return providers.Result{}, refuse("transfer", "notify_url", "CinetPay requires a notify_url: set bulkpay's public_url", true)
	}
	body, _ := json.Marshal(map[string]any{"currency": cur, "payment_method": method, "merchant_transaction_id": id,
		"amount": p.Amount, "phone_number": "+" + strings.TrimPrefix(p.Phone, "+"), "reason": reasonOf(providers.Or(p.Description, c.reason)),
		"notify_url": notify})
	resp, err := c.call(ctx, a, "transfer", http.MethodPost, "/v1/transfer", body)
	if err != nil {
		return providers.Result{}, err
	}
	ans := answerOf(resp.Body)
	switch {
	case resp.Status == http.StatusUnprocessableEntity || resp.Status == http.StatusBadRequest:
		pe := ans.errorOf(resp, providers.ErrRejected)
		if taken(ans) {
			// undocumented: the id is held by a transfer whose fate this
			// answer does not tell; it must never be sent again
			pe.Class = providers.ErrDuplicate
		}
		return providers.Result{}, pe
	case resp.Status == http.StatusForbidden || resp.Status == http.StatusNotFound:
		pe := ans.errorOf(resp, providers.ErrRejected)
		pe.ProviderSide = true
		return providers.Result{}, pe
	case resp.Status >= 300:
		// a 5xx (or anything else) may have been processed
		return providers.Result{}, ans.errorOf(resp, providers.ErrUnknownOutcome)
	}
	t, code, err := transferOf(resp)
	if err != nil {
		return providers.Result{}, err
	}
	if code == "2005" {
		pe := resp.Error(providers.ErrRejected, ans.text())
		pe.Code, pe.Err = code, providers.ErrInsufficientFunds
		return providers.Result{}, pe
	}
	st, known := statusOf(code, t.Status)
	switch {
	case !known:
		pe := resp.Error(providers.ErrUnknownOutcome, "an answer bulkpay does not know: "+resp.Snippet())
		pe.Code = code
		return providers.Result{}, pe
	case t.ID() == "" && st == providers.StatusFailed:
		pe := resp.Error(providers.ErrRejected, ans.text())
		pe.Code = code
		return providers.Result{}, pe
	case t.ID() == "":
		// accepted, but without the id it can be asked about by: in doubt
		pe := resp.Error(providers.ErrUnknownOutcome, "accepted without a transaction_id: "+ans.text())
		pe.Code = code
		return providers.Result{}, pe
	}
	if ours := DecodeReference(t.MerchantTransactionID); t.MerchantTransactionID != "" && ours != p.Reference {
		return providers.Result{}, &providers.Error{Class: providers.ErrDuplicate, Provider: Name, Op: "transfer", Code: code,
			Message: fmt.Sprintf("CinetPay answered with transfer %s of merchant_transaction_id %s, not this payout's", t.ID(), t.MerchantTransactionID)}
	}
	c.sentFrom.Store(t.ID(), country)
	return providers.Result{ProviderReference: t.ID(), Status: st, Message: providers.Or(t.Status, code), Amount: int64(t.Amount),
		Fee: int64(t.FeeAmount), ClientReference: p.Reference, NotifyToken: t.NotifyToken}, nil
}

// taken says whether a 422 refuses the merchant_transaction_id as already
// used (CinetPay documents no such answer; any wording of it is read so).
func taken(a answer) bool {
	v, ok := a.Errors["merchant_transaction_id"]
	if !ok {
		return false
	}
	s := strings.ToLower(fmt.Sprint(v))
	return strings.Contains(s, "used") || strings.Contains(s, "exist") || strings.Contains(s, "taken") || strings.Contains(s, "duplicate")
}

// reasonOf is the transfer's reason: at most 100 characters.
func reasonOf(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 100 {
		s = string(r[:100])
	}
	return s
}

// carrierOf is the operator of a number as the numbering plan names it.
func carrierOf(e164 string) string {
	num, err := phonenumbers.Parse("+"+strings.TrimPrefix(e164, "+"), "")
	if err != nil {
		return ""
	}
	c, _ := phonenumbers.GetCarrierForNumber(num, "en")
	return c
}

// Check implements batch.Provider: GET /v1/transfer/{transaction_id}. Which
// account holds the transfer is not known from its id alone: the one this
// client sent it from is asked first, then each other in turn until one
// knows it.
func (c *Client) Check(ctx context.Context, transactionID string) (providers.Result, error) {
	var last error
	order := c.countries()
	if cc, ok := c.sentFrom.Load(transactionID); ok {
		order = append([]string{cc.(string)}, slices.DeleteFunc(order, func(s string) bool { return s == cc.(string) })...)
	}
	for _, cc := range order {
		r, err := c.check(ctx, c.accounts[cc], transactionID)
		if err == nil {
			return r, nil
		}
		last = err
		if providers.Classify(err) != providers.ErrNotFound {
			return providers.Result{}, err
		}
	}
	if last == nil {
		last = &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "status", Message: "no CinetPay account is configured"}
	}
	return providers.Result{}, last
}

func (c *Client) check(ctx context.Context, a *account, id string) (providers.Result, error) {
	resp, err := c.call(ctx, a, "status", http.MethodGet, "/v1/transfer/"+url.PathEscape(id), nil)
	if err != nil {
		return providers.Result{}, err
	}
	ans := answerOf(resp.Body)
	switch {
	case resp.Status == http.StatusNotFound:
		return providers.Result{}, resp.Error(providers.ErrNotFound, providers.Or(ans.text(), id))
	case resp.Status != http.StatusOK:
		return providers.Result{}, ans.errorOf(resp, providers.ErrTransient)
	}
	t, code, err := transferOf(resp)
	if err != nil {
		return providers.Result{}, err
	}
	if code == "404" || strings.EqualFold(t.Status, "NOT_FOUND") {
		return providers.Result{}, resp.Error(providers.ErrNotFound, ans.text())
	}
	st, known := statusOf(code, t.Status)
	if !known {
		pe := resp.Error(providers.ErrTransient, "a status bulkpay does not know: "+ans.text())
		pe.Code = code
		return providers.Result{}, pe
	}
	ours := ""
	if t.MerchantTransactionID != "" {
		ours = DecodeReference(t.MerchantTransactionID)
	}
	return providers.Result{ProviderReference: providers.Or(t.ID(), id), Status: st, Message: providers.Or(t.Status, code),
		Amount: int64(t.Amount), Fee: int64(t.FeeAmount), ClientReference: ours}, nil
}

// Balances implements batch.Balancer: GET /v1/balances of each account, what
// is available, named by country when there are several.
func (c *Client) Balances(ctx context.Context) ([]providers.Balance, error) {
	ccs := c.countries()
	out := make([]providers.Balance, 0, len(ccs))
	for _, cc := range ccs {
		resp, err := c.call(ctx, c.accounts[cc], "balance", http.MethodGet, "/v1/balances", nil)
		if err != nil {
			return nil, err
		}
		if resp.Status != http.StatusOK {
			ans := answerOf(resp.Body)
			return nil, ans.errorOf(resp, providers.ErrTransient)
		}
		var b struct {
			Real      providers.WholeAmount `json:"real_balance"`
			Available providers.WholeAmount `json:"available_balance"`
			Currency  string                `json:"currency"`
		}
		if err := resp.JSON(&b); err != nil {
			return nil, err
		}
		acct := ""
		if len(ccs) > 1 {
			acct = cc
		}
		out = append(out, providers.Balance{Account: acct, Amount: int64(b.Available), Currency: providers.Or(b.Currency, Countries[cc].Currency)})
	}
	return out, nil
}
