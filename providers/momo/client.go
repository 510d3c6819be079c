package momo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"bulkpay/batch"
	"bulkpay/providers"
)

// Name is the provider's key in config and the ledger.
const Name = "momo"

// DefaultBaseURL is MTN's MoMo developer sandbox. Each market has a base URL of
// its own after go-live, given in the config.
const DefaultBaseURL = "https://sandbox.momodeveloper.mtn.com"

// SandboxEnvironment is the target environment of MTN's developer sandbox,
// which pays in EUR only.
const SandboxEnvironment = "sandbox"

// Market is one country MTN pays through MoMo: its target environment and its
// currency.
type Market struct {
	Country           string
	TargetEnvironment string
	Currency          string
}

// Markets are the markets bulkpay pays through MoMo, by country, with the
// target environments MTN names them by in production.
var Markets = map[string]Market{
	"BJ": {"BJ", "mtnbenin", "XOF"},
	"CG": {"CG", "mtncongo", "XAF"},
	"CI": {"CI", "mtnivorycoast", "XOF"},
	"CM": {"CM", "mtncameroon", "XAF"},
	"GN": {"GN", "mtnguineaconakry", "GNF"},
}

// Countries lists the countries of Markets, in order.
func Countries() string {
	var cs []string
	for k := range Markets {
		cs = append(cs, k)
	}
	sort.Strings(cs)
	return strings.Join(cs, ", ")
}

// Client talks to one MoMo Disbursement account. Safe for concurrent use.
type Client struct {
	providers.Base
	subscriptionKey string
	apiUser         string
	apiKey          string
	// environment, when set, is the target environment of every market (the
	// developer sandbox's "sandbox", or one market's own).
	environment string
	markets     map[string]Market
	envs        []string // the distinct target environments of the markets
	callbackURL string
	publicURL   string
	message     string
	now         func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
	// sentTo remembers the environment of the latest transfers sent, when
	// the client pays in several, so that Check (which is given the
	// reference alone) asks there first.
	sentTo envHints
}

// maxHints bounds the environments a client remembers: a hint only (Check
// asks every environment of a transfer it does not remember), so that a
// server paying for months does not keep one per transfer.
const maxHints = 10000

// envHints remembers the environment of up to maxHints transfers, the
// oldest forgotten first.
type envHints struct {
	mu    sync.Mutex
	env   map[string]string
	order []string // the references remembered, oldest first
}

func (h *envHints) put(ref, env string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.env == nil {
		h.env = map[string]string{}
	}
	if _, ok := h.env[ref]; !ok {
		h.order = append(h.order, ref)
	}
	h.env[ref] = env
	for len(h.env) > maxHints && len(h.order) > 0 {
		delete(h.env, h.order[0])
		h.order = h.order[1:]
	}
}

func (h *envHints) get(ref string) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	env, ok := h.env[ref]
	return env, ok
}

func (h *envHints) len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.env)
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at another MoMo (a market's live URL, or a
// simulator): the URL before /disbursement.
func WithBaseURL(u string) Option { return func(c *Client) { c.SetURL(u) } }

// WithHTTPClient sets the http.Client (its Timeout bounds every call).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.HTTP = h } }

// WithSubscriptionKey sets the Disbursement product's subscription key, sent as
// Ocp-Apim-Subscription-Key on every call.
func WithSubscriptionKey(k string) Option { return func(c *Client) { c.subscriptionKey = k } }

// WithAPIUser sets the API user (a UUID) and its API key, which buy the tokens.
func WithAPIUser(user, key string) Option {
	return func(c *Client) { c.apiUser, c.apiKey = user, key }
}

// WithTargetEnvironment sends every market's calls to one target environment:
// "sandbox" for MTN's developer sandbox (which pays EUR only: the amount is
// sent in EUR there), or a market's own (mtncameroon, ...). Left out, each
// market's own is used (Markets).
func WithTargetEnvironment(env string) Option {
	return func(c *Client) { c.environment = strings.TrimSpace(env) }
}

// WithMarkets limits the client to the markets of these countries (ISO codes);
// left out, it pays every market in Markets.
func WithMarkets(countries ...string) Option {
	return func(c *Client) {
		if len(countries) == 0 {
			return
		}
		c.markets = map[string]Market{}
		for _, cc := range countries {
			if m, ok := Markets[strings.ToUpper(strings.TrimSpace(cc))]; ok {
				c.markets[m.Country] = m
			}
		}
	}
}

// WithCallbackURL asks MoMo to call this URL back once each transfer ends
// (X-Callback-Url; its host must be the API user's callback host).
func WithCallbackURL(u string) Option { return func(c *Client) { c.callbackURL = u } }

// WithPublicURL sets bulkpay's public URL: each transfer then names its own
// X-Callback-Url, {public_url}/callbacks/momo/{item reference}, so that
// bulkpay serve receives MoMo's callback for it (the URL's host must be the
// API user's callback host). It takes the place of WithCallbackURL.
func WithPublicURL(u string) Option { return func(c *Client) { c.publicURL = u } }

// WithClock sets the clock used for token expiry (tests).
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// New returns a client for MTN's developer sandbox unless told otherwise.
func New(opts ...Option) *Client {
	c := providers.Apply(&Client{Base: providers.NewBase(DefaultBaseURL), markets: Markets, message: "bulkpay payout", now: time.Now}, opts)
	c.envs = c.distinctEnvironments()
	return c
}

// Name implements batch.Provider.
func (c *Client) Name() string { return Name }

// market is the market that pays p, by its country (or its number's).
func (c *Client) market(p providers.Payout) (Market, error) {
	country := strings.ToUpper(providers.Or(p.Country, providers.RegionOf(p.Phone)))
	if c.environment == SandboxEnvironment { // MTN's developer sandbox: its test numbers, in EUR
		return Market{Country: country, TargetEnvironment: SandboxEnvironment, Currency: "EUR"}, nil
	}
	m, ok := c.markets[country]
	if !ok {
		return Market{}, &providers.Error{Class: providers.ErrRejected, Provider: Name, Op: "transfer", ProviderSide: true,
			Message: fmt.Sprintf("this MoMo account pays no market in %s (it pays %s); nothing was sent", providers.Or(country, "this country"), c.countries())}
	}
	return m, nil
}

func (c *Client) countries() string {
	var cs []string
	for k := range c.markets {
		cs = append(cs, k)
	}
	sort.Strings(cs)
	return strings.Join(cs, ", ")
}

// env is the target environment of market m.
func (c *Client) env(m Market) string { return providers.Or(c.environment, m.TargetEnvironment) }

// currency is what a payout in currency is sent in to market m: the developer
// sandbox's EUR, the market's own when it is worth the same (the CFA francs),
// else the payout's own, for MoMo to refuse.
func (c *Client) currency(m Market, currency string) string {
	switch {
	case c.env(m) == SandboxEnvironment:
		return "EUR"
	case currency == "" || providers.AtPar(currency, m.Currency):
		return m.Currency
	}
	return strings.ToUpper(currency)
}

// Problem is MoMo's error answer: {code, message}.
type Problem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func problemOf(b []byte) Problem {
	var p struct {
		Problem
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	json.Unmarshal(b, &p)
	out := p.Problem
	if out.Code == "" {
		out.Code = p.Error
	}
	if out.Message == "" {
		out.Message = p.ErrorDescription
	}
	return out
}

func (p Problem) text() string {
	switch {
	case p.Code != "" && p.Message != "":
		return p.Code + ": " + p.Message
	case p.Code != "":
		return p.Code
	}
	return p.Message
}

// exchange sends one request through providers.Exchange with the subscription
// key (and the token, and env, when given). Only a transfer moves money.
func (c *Client) exchange(ctx context.Context, op, method, path string, h http.Header, body []byte) (*providers.Response, error) {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Ocp-Apim-Subscription-Key", c.subscriptionKey)
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return providers.Exchange(ctx, c.HTTP, providers.Request{Provider: Name, Op: op, Method: method, URL: c.URL + path,
		Header: h, Body: body, Safe: op != "transfer", Secrets: c.secrets(), Limit: limitOf(op),
		Explain: func(b []byte) string { return problemOf(b).text() }})
}

// limitOf is the largest answer read for op: a transfer is answered 202 with
// an empty body (or a short error), so more than 64 KiB is a fault.
func limitOf(op string) int64 {
	if op == "transfer" {
		return 64 << 10
	}
	return 0
}

func (c *Client) secrets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return []string{c.subscriptionKey, c.apiKey, c.token,
		base64.StdEncoding.EncodeToString([]byte(c.apiUser + ":" + c.apiKey))}
}

// login gets a token unless the one held is good for a while yet: it is
// renewed a minute before it expires (at 90% of a shorter life), under the
// lock, so that concurrent calls take one token.
func (c *Client) login(ctx context.Context, force bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !force && c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	if c.subscriptionKey == "" || c.apiUser == "" || c.apiKey == "" {
		return "", &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "token", Err: providers.ErrAuth,
			Message: "no MoMo credentials: set the subscription key, API user and API key in the environment"}
	}
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.apiUser+":"+c.apiKey)))
	h.Set("Ocp-Apim-Subscription-Key", c.subscriptionKey)
	resp, err := providers.Exchange(ctx, c.HTTP, providers.Request{Provider: Name, Op: "token", Method: http.MethodPost,
		URL: c.URL + "/disbursement/token/", Header: h, Safe: true,
		Secrets: []string{c.subscriptionKey, c.apiKey, c.token, h.Get("Authorization")[len("Basic "):]},
		Explain: func(b []byte) string { return problemOf(b).text() }})
	if err != nil {
		return "", err
	}
	if resp.Status != http.StatusOK {
		pe := resp.Error(providers.ErrTransient, problemOf(resp.Body).text())
		if resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden || resp.Status == http.StatusBadRequest {
			pe.Err = providers.ErrAuth
		}
		return "", pe
	}
	var tok struct {
		AccessToken string          `json:"access_token"`
		TokenType   string          `json:"token_type"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.Body, &tok); err != nil || tok.AccessToken == "" {
		return "", resp.Error(providers.ErrTransient, "token answer unreadable")
	}
	life := providers.TokenLife(tok.ExpiresIn, time.Hour)
	c.token, c.expires = tok.AccessToken, c.now().Add(life-min(time.Minute, life/10))
	return c.token, nil
}

// call sends an authenticated request to env, taking a new token once on 401.
func (c *Client) call(ctx context.Context, op, method, path, env string, h http.Header, body []byte) (*providers.Response, error) {
	for try := 0; ; try++ {
		tok, err := c.login(ctx, try > 0)
		if err != nil {
			return nil, err
		}
		hh := h.Clone()
		if hh == nil {
			hh = http.Header{}
		}
		hh.Set("Authorization", "Bearer "+tok)
		hh.Set("X-Target-Environment", env)
		resp, err := c.exchange(ctx, op, method, path, hh, body)
		if err != nil {
			return nil, err
		}
		if resp.Status == http.StatusUnauthorized && try == 0 {
			continue
		}
		if resp.Status == http.StatusUnauthorized {
			return nil, resp.AuthError("MoMo refused the token: " + problemOf(resp.Body).text())
		}
		return resp, nil
	}
}

// statusOf maps MoMo's PENDING / SUCCESSFUL / FAILED.
func statusOf(s string) (providers.Status, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "PENDING", "CREATED", "ONGOING":
		return providers.StatusPending, true
	case "SUCCESSFUL":
		return providers.StatusSucceeded, true
	case "FAILED", "REJECTED", "TIMEOUT", "EXPIRED":
		return providers.StatusFailed, true
	}
	return "", false
}

// messageOf makes a payer message or payee note MoMo takes: at most 160
// characters of ASCII letters, digits, spaces and . , - (MTN refuses special
// characters); accents are taken off the letters, anything else becomes a
// space.
func messageOf(s string) string {
	plain, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn))), s)
	if err != nil {
		plain = s
	}
	var b strings.Builder
	for _, r := range plain {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == ',', r == '-':
			b.WriteRune(r)
		default:
			b.WriteRune(' ')
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if len(out) > 160 {
		out = strings.TrimSpace(out[:160])
	}
	return out
}

// Transfer is a transfer as MoMo describes it (the status GET and the callback).
type Transfer struct {
	Amount                 providers.WholeAmount `json:"amount"`
	Currency               string                `json:"currency"`
	FinancialTransactionID string                `json:"financialTransactionId"`
	ExternalID             string                `json:"externalId"`
	Payee                  Party                 `json:"payee"`
	PayerMessage           string                `json:"payerMessage"`
	PayeeNote              string                `json:"payeeNote"`
	Status                 string                `json:"status"`
	Reason                 Reason                `json:"reason"`
}

// Party is a payee: {partyIdType: MSISDN, partyId}.
type Party struct {
	PartyIDType string `json:"partyIdType"`
	PartyID     string `json:"partyId"`
}

// Reason is why a transfer failed: MTN's spec writes {code, message}, some
// clients a plain string; both are read.
type Reason struct {
	Code    string
	Message string
}

// UnmarshalJSON reads a string, an object {code, message}, or null.
func (r *Reason) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "null" || s == "":
		*r = Reason{}
		return nil
	case strings.HasPrefix(s, `"`):
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		*r = Reason{Code: strings.TrimSpace(str)}
		return nil
	}
	var p Problem
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("reason %s is neither a string nor {code, message}", providers.Snippet(b))
	}
	*r = Reason(p)
	return nil
}

func (r Reason) String() string { return Problem(r).text() }

// Send implements batch.Provider: POST /disbursement/v1_0/transfer with our
// reference as X-Reference-Id, which becomes the transfer's id. A 409 says a
// transfer under that id exists already: it is looked up and returned when
// it is this payout's, never sent twice.
func (c *Client) Send(ctx context.Context, p providers.Payout) (providers.Result, error) {
	m, err := c.market(p)
	if err != nil {
		return providers.Result{}, err
	}
	if !providers.IsUUID4(p.Reference) {
		return providers.Result{}, &providers.Error{Class: providers.ErrRejected, Provider: Name, Op: "transfer",
			Message: fmt.Sprintf("reference %q is not a UUID4, which MoMo requires as X-Reference-Id; nothing was sent", p.Reference)}
	}
	msg := messageOf(providers.Or(p.Description, c.message))
	body, _ := json.Marshal(map[string]any{
		"amount":       strconv.FormatInt(p.Amount, 10),
		"currency":     c.currency(m, p.Currency),
		"externalId":   p.Reference,
		"payee":        Party{PartyIDType: "MSISDN", PartyID: p.Phone},
		"payerMessage": msg,
		"payeeNote":    msg,
	})
	h := http.Header{}
	h.Set("X-Reference-Id", p.Reference)
	if cb := providers.Or(providers.ItemCallbackURL(c.publicURL, Name, p.Reference), c.callbackURL); cb != "" {
		h.Set("X-Callback-Url", cb)
	}
	if len(c.environments()) > 1 {
		c.sentTo.put(p.Reference, c.env(m))
	}
	resp, err := c.call(ctx, "transfer", http.MethodPost, "/disbursement/v1_0/transfer", c.env(m), h, body)
	if err != nil {
		return providers.Result{}, err
	}
	pr := problemOf(resp.Body)
	switch status := resp.Status; {
	case status == http.StatusAccepted || status == http.StatusOK || status == http.StatusCreated:
		return providers.Result{ProviderReference: p.Reference, Status: providers.StatusPending}, nil
	case status == http.StatusConflict:
		return c.existing(ctx, p, m, resp)
	case status == http.StatusBadRequest || status == http.StatusForbidden || status == http.StatusNotFound:
		pe := resp.Error(providers.ErrRejected, providers.Or(pr.text(), resp.Snippet()))
		pe.Code = pr.Code
		switch pr.Code {
		case "NOT_ENOUGH_FUNDS":
			pe.Err = providers.ErrInsufficientFunds
		case "NOT_ALLOWED", "NOT_ALLOWED_TARGET_ENVIRONMENT", "INVALID_CALLBACK_URL_HOST", "PAYER_LIMIT_REACHED":
			pe.ProviderSide = true
		}
		if status == http.StatusForbidden {
			pe.ProviderSide = true // FORBIDDEN IP, a product not subscribed: about our account, not the payee
		}
		return providers.Result{}, pe
	default:
		// a 5xx may have been processed: the transfer is asked for by our reference
		pe := resp.Error(providers.ErrUnknownOutcome, providers.Or(pr.text(), resp.Snippet()))
		pe.Code = pr.Code
		return providers.Result{}, pe
	}
}

// existing returns the transfer that holds p's reference after a 409, once it
// is known to be p's (same payee and amount); another is a duplicate for a
// person to look at.
func (c *Client) existing(ctx context.Context, p providers.Payout, m Market, conflict *providers.Response) (providers.Result, error) {
	t, err := c.transfer(ctx, p.Reference, c.env(m))
	if err != nil {
		// it exists (409) but could not be read now: still in doubt, asked again later
		return providers.Result{}, &providers.Error{Class: providers.ErrUnknownOutcome, Provider: Name, Op: "transfer", HTTPStatus: conflict.Status,
			Code: "RESOURCE_ALREADY_EXIST", Message: "the transfer exists under our reference but could not be read", Err: err}
	}
	if int64(t.Amount) != p.Amount || (t.Payee.PartyID != "" && t.Payee.PartyID != p.Phone) {
		return providers.Result{}, &providers.Error{Class: providers.ErrDuplicate, Provider: Name, Op: "transfer", HTTPStatus: conflict.Status,
			Code: "RESOURCE_ALREADY_EXIST", Message: fmt.Sprintf("a transfer of %d to %s holds our reference, not this payout of %d to %s",
				int64(t.Amount), t.Payee.PartyID, p.Amount, p.Phone)}
	}
	return resultOf(p.Reference, t)
}

// Settle implements batch.Settler: the transfer is asked for by our reference;
// MoMo holds none (404) when it never accepted it, and it is then sent again
// under the same reference, which MoMo refuses (409) if it was accepted
// meanwhile, after which it is asked for again. Nothing MoMo pays needs a
// person to settle a doubt.
func (c *Client) Settle(ctx context.Context, p providers.Payout) (providers.Result, error) {
	m, err := c.market(p)
	if err != nil {
		return providers.Result{}, err
	}
	t, err := c.transfer(ctx, p.Reference, c.env(m))
	switch {
	case err == nil:
		if int64(t.Amount) != p.Amount || (t.Payee.PartyID != "" && t.Payee.PartyID != p.Phone) {
			return providers.Result{}, &providers.Error{Class: providers.ErrDuplicate, Provider: Name, Op: "settle",
				Message: fmt.Sprintf("a transfer of %d to %s holds our reference, not this payout of %d to %s",
					int64(t.Amount), t.Payee.PartyID, p.Amount, p.Phone)}
		}
		return resultOf(p.Reference, t)
	case providers.Classify(err) == providers.ErrNotFound:
		return c.Send(ctx, p) // never accepted: the same reference again (a 409 there is looked up)
	}
	return providers.Result{}, err
}

func resultOf(ref string, t Transfer) (providers.Result, error) {
	st, ok := statusOf(t.Status)
	if !ok {
		return providers.Result{}, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "status", Message: fmt.Sprintf("unknown status %q", t.Status)}
	}
	msg := t.Reason.String()
	if msg == "" && t.FinancialTransactionID != "" {
		msg = "financial transaction " + t.FinancialTransactionID
	}
	return providers.Result{ProviderReference: ref, Status: st, Amount: int64(t.Amount), Message: msg}, nil
}

// transfer fetches GET /disbursement/v1_0/transfer/{reference} in env.
func (c *Client) transfer(ctx context.Context, ref, env string) (Transfer, error) {
	resp, err := c.call(ctx, "status", http.MethodGet, "/disbursement/v1_0/transfer/"+url.PathEscape(ref), env, nil, nil)
	if err != nil {
		return Transfer{}, err
	}
	switch resp.Status {
	case http.StatusOK:
	case http.StatusNotFound:
		return Transfer{}, resp.Error(providers.ErrNotFound, providers.Or(problemOf(resp.Body).text(), ref))
	default:
		return Transfer{}, resp.Error(providers.ErrTransient, providers.Or(problemOf(resp.Body).text(), resp.Snippet()))
	}
	var t Transfer
	if err := resp.JSON(&t); err != nil {
		return Transfer{}, err
	}
	return t, nil
}

// Transfer fetches a transfer by our reference, in the environment of country.
func (c *Client) Transfer(ctx context.Context, country, ref string) (Transfer, error) {
	m, err := c.market(providers.Payout{Country: country})
	if err != nil {
		return Transfer{}, err
	}
	return c.transfer(ctx, ref, c.env(m))
}

// Check implements batch.Provider: the transfer's status by its id, which is
// our reference. It is asked in the environment it was sent to when this
// client sent it, else in each of the client's environments in turn.
func (c *Client) Check(ctx context.Context, ref string) (providers.Result, error) {
	var last error
	envs := c.environments()
	if env, ok := c.sentTo.get(ref); ok {
		envs = append([]string{env}, envs...)
	}
	tried := map[string]bool{}
	for _, env := range envs {
		if tried[env] {
			continue
		}
		tried[env] = true
		t, err := c.transfer(ctx, ref, env)
		if err == nil {
			return resultOf(ref, t)
		}
		last = err
		if providers.Classify(err) != providers.ErrNotFound {
			return providers.Result{}, err
		}
	}
	return providers.Result{}, last
}

// environments are the distinct target environments of the client's markets,
// in order of country.
func (c *Client) environments() []string { return c.envs }

func (c *Client) distinctEnvironments() []string {
	var out []string
	cs := strings.Split(c.countries(), ", ")
	for _, cc := range cs {
		if env := c.env(c.markets[cc]); cc != "" && !slices.Contains(out, env) {
			out = append(out, env)
		}
	}
	return out
}

// Balance is what the account holds in one target environment.
type Balance struct {
	Environment string
	Amount      int64
	Currency    string
}

// Balance fetches GET /disbursement/v1_0/account/balance in the environment
// of country.
func (c *Client) Balance(ctx context.Context, country string) (Balance, error) {
	m, err := c.market(providers.Payout{Country: country})
	if err != nil {
		return Balance{}, err
	}
	return c.balance(ctx, c.env(m))
}

func (c *Client) balance(ctx context.Context, env string) (Balance, error) {
	resp, err := c.call(ctx, "balance", http.MethodGet, "/disbursement/v1_0/account/balance", env, nil, nil)
	if err != nil {
		return Balance{}, err
	}
	if resp.Status != http.StatusOK {
		return Balance{}, resp.Error(providers.ErrTransient, providers.Or(problemOf(resp.Body).text(), resp.Snippet()))
	}
	var b struct {
		Available providers.WholeAmount `json:"availableBalance"`
		Currency  string                `json:"currency"`
	}
	if err := resp.JSON(&b); err != nil {
		return Balance{}, err
	}
	return Balance{Environment: env, Amount: int64(b.Available), Currency: b.Currency}, nil
}

// Balances implements batch.Balancer: the balance of each target environment
// the client pays in. With one, it is the account's (Account empty); with
// several, each is named by its environment.
func (c *Client) Balances(ctx context.Context) ([]providers.Balance, error) {
	envs := c.environments()
	out := make([]providers.Balance, 0, len(envs))
	for _, env := range envs {
		b, err := c.balance(ctx, env)
		if err != nil {
			return nil, err
		}
		acct := ""
		if len(envs) > 1 {
			acct = env
		}
		out = append(out, providers.Balance{Account: acct, Amount: b.Amount, Currency: b.Currency})
	}
	return out, nil
}

// Account implements batch.Accounter: the target environment that pays p,
// when the client pays several (each market its own balance); "" when it
// pays one, or none for p.
func (c *Client) Account(p providers.Payout) string {
	if len(c.environments()) <= 1 {
		return ""
	}
	m, err := c.market(p)
	if err != nil {
		return ""
	}
	return c.env(m)
}

// Holder is what MoMo tells about the account behind a number.
type Holder struct {
	Active     bool
	Known      bool   // false: MoMo knows no account behind the number
	Name       string // the registered name, "" when MoMo does not disclose it
	GivenName  string
	FamilyName string
}

// Active asks GET /disbursement/v1_0/accountholder/msisdn/{msisdn}/active:
// whether the number holds an active MoMo account, and whether MoMo knows it
// at all (404: it does not).
func (c *Client) Active(ctx context.Context, p providers.Payout) (active, known bool, err error) {
	m, err := c.market(p)
	if err != nil {
		return false, false, err
	}
	resp, err := c.call(ctx, "active", http.MethodGet, "/disbursement/v1_0/accountholder/msisdn/"+url.PathEscape(p.Phone)+"/active", c.env(m), nil, nil)
	if err != nil {
		return false, false, err
	}
	switch resp.Status {
	case http.StatusOK:
	case http.StatusNotFound:
		return false, false, nil
	default:
		return false, false, resp.Error(providers.ErrTransient, providers.Or(problemOf(resp.Body).text(), resp.Snippet()))
	}
	var a struct {
		Result json.RawMessage `json:"result"`
	}
	if err := resp.JSON(&a); err != nil {
		return false, false, err
	}
	switch strings.Trim(strings.ToLower(string(a.Result)), `" `) {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, false, resp.Unreadable("result", a.Result)
}

// Holder asks whether the number holds an active account and, when it does,
// its registered name (GET .../basicuserinfo; "" when MoMo does not disclose
// it). The name is personal data: it is returned, never logged nor put in an
// error.
func (c *Client) Holder(ctx context.Context, p providers.Payout) (Holder, error) {
	active, known, err := c.Active(ctx, p)
	if err != nil || !active {
		return Holder{Known: known}, err
	}
	h, err := c.userInfo(ctx, p)
	h.Active, h.Known = true, true
	return h, err
}

func (c *Client) userInfo(ctx context.Context, p providers.Payout) (Holder, error) {
	m, err := c.market(p)
	if err != nil {
		return Holder{}, err
	}
	resp, err := c.call(ctx, "userinfo", http.MethodGet, "/disbursement/v1_0/accountholder/msisdn/"+url.PathEscape(p.Phone)+"/basicuserinfo", c.env(m), nil, nil)
	if err != nil {
		return Holder{}, err
	}
	switch resp.Status {
	case http.StatusOK:
	case http.StatusNotFound:
		return Holder{}, nil
	default:
		if pr := problemOf(resp.Body); resp.Status < 500 && (pr.Code == "PAYEE_NOT_FOUND" || pr.Code == "ACCOUNTHOLDER_NOT_FOUND" || pr.Code == "RESOURCE_NOT_FOUND") {
			return Holder{}, nil
		}
		// never the answer's text: it may hold a name
		return Holder{}, resp.Error(providers.ErrTransient, "user info not read")
	}
	var u struct {
		Name       string `json:"name"`
		GivenName  string `json:"given_name"`
		FamilyName string `json:"family_name"`
	}
	if json.Unmarshal(resp.Body, &u) != nil {
		return Holder{}, resp.Error(providers.ErrTransient, "user info unreadable")
	}
	name := strings.TrimSpace(u.Name)
	if name == "" {
		name = strings.TrimSpace(u.GivenName + " " + u.FamilyName)
	}
	return Holder{Known: true, Name: name, GivenName: strings.TrimSpace(u.GivenName), FamilyName: strings.TrimSpace(u.FamilyName)}, nil
}

var (
	_ batch.Provider  = (*Client)(nil)
	_ batch.Settler   = (*Client)(nil)
	_ batch.Accounter = (*Client)(nil)
	_ batch.Balancer  = (*Client)(nil)
)
