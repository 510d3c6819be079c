package cinetpay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"bulkpay/batch"
	"bulkpay/providers"
)

// Name is the provider's key in config and the ledger.
const Name = "cinetpay"

// DefaultBaseURL is CinetPay's transfer API.
const DefaultBaseURL = "https://client.cinetpay.com/v1"

var (
	_ batch.Provider     = (*Client)(nil)
	_ batch.Settler      = (*Client)(nil)
	_ batch.ChunkSender  = (*Client)(nil)
	_ batch.ContactAdder = (*Client)(nil)
	_ batch.Balancer     = (*Client)(nil)
)

// Client talks to one CinetPay merchant account. Safe for concurrent use.
type Client struct {
	providers.Base
	apikey       string
	password     string
	lang         string
	notifyURL    string
	publicURL    string
	chunk        int
	contactChunk int
	now          func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at another CinetPay (a simulator): up to and including /v1.
func WithBaseURL(u string) Option { return func(c *Client) { c.SetURL(u) } }

// WithHTTPClient sets the http.Client (its Timeout bounds every call).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.HTTP = h } }

// WithCredentials sets the API key and the API password.
func WithCredentials(apikey, password string) Option {
	return func(c *Client) { c.apikey, c.password = apikey, password }
}

// WithNotifyURL sets the notify_url sent with every transfer (CinetPay requires one).
func WithNotifyURL(u string) Option { return func(c *Client) { c.notifyURL = u } }

// WithPublicURL sets bulkpay's public URL: each transfer then names its own
// notify_url, {public_url}/callbacks/cinetpay/{item reference}, so that a
// notification names the item even when CinetPay's transaction_id never
// reached us. Unset, the WithNotifyURL address is sent.
func WithPublicURL(u string) Option { return func(c *Client) { c.publicURL = u } }

// WithChunkSize sets how many transfers (and contacts) go in one call.
func WithChunkSize(n int) Option { return func(c *Client) { c.chunk, c.contactChunk = n, n } }

// WithClock sets the clock used for token expiry (tests).
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// New returns a client for CinetPay unless told otherwise.
func New(opts ...Option) *Client {
	return providers.Apply(&Client{Base: providers.NewBase(DefaultBaseURL), lang: "en", chunk: 20, contactChunk: 50, now: time.Now}, opts)
}

// Name implements batch.Provider.
func (c *Client) Name() string { return Name }

// ChunkSize implements batch.ChunkSender.
func (c *Client) ChunkSize() int { return c.chunk }

// ContactChunkSize implements batch.ContactAdder.
func (c *Client) ContactChunkSize() int { return c.contactChunk }

// envelope is every CinetPay answer. code is 0 as a number on success and a
// string ("701") on errors: it is compared as a string.
type envelope struct {
	Code        json.RawMessage `json:"code"`
	Message     string          `json:"message"`
	Description string          `json:"description"`
	Data        json.RawMessage `json:"data"`
}

func codeOf(raw json.RawMessage) string {
	return strings.Trim(strings.TrimSpace(string(raw)), `"`)
}

// rows reads data nested once ([...]) or twice ([[...]]).
func rows[T any](raw json.RawMessage) ([]T, error) {
	var twice [][]T
	if err := json.Unmarshal(raw, &twice); err == nil {
		var out []T
		for _, r := range twice {
			out = append(out, r...)
		}
		return out, nil
	}
	var once []T
	err := json.Unmarshal(raw, &once)
	return once, err
}

// rowsBy reads the rows of a list answer (what: "transfers") indexed by key;
// rows that cannot be read make an error that quotes them.
func rowsBy[T any](resp *providers.Response, data json.RawMessage, what string, key func(T) string) (map[string]T, error) {
	answers, err := rows[T](data)
	if err != nil {
		return nil, resp.Unreadable(what, data)
	}
	by := make(map[string]T, len(answers))
	for _, a := range answers {
		by[key(a)] = a
	}
	return by, nil
}

// classOf maps CinetPay's codes to bulkpay's error classes.
//
//lint:ignore ST1008 the class is what the code means, not a failure of classOf
func classOf(code string) (class error, providerSide, auth bool) {
	switch code {
	case "0", "726":
		return nil, false, false
	case "701", "702", "703", "705", "706", "707":
		return providers.ErrTransient, false, true
	case "708", "721", "804": // not allowed (IP not whitelisted), operator unavailable
		return providers.ErrRejected, true, false
	case "602", "704", "716", "717", "718", "719", "720", "724", "725", "801", "802":
		return providers.ErrRejected, false, false
	case "723":
		return providers.ErrNotFound, false, false
	case "805":
		return providers.ErrDuplicate, false, false
	default: // -1, 709, 710, 715 and anything new: the request may have been processed
		return providers.ErrUnknownOutcome, false, false
	}
}

// codeError is the error a code stands for in resp, or nil for success. An
// outcome in doubt on a safe request (a look-up, a balance, a contact) is
// transient: it moved nothing.
func codeError(resp *providers.Response, code, message, desc string) error {
	class, side, auth := classOf(code)
	if class == nil {
		return nil
	}
	pe := resp.Error(class, strings.TrimSpace(message+" "+desc))
	pe.Code, pe.ProviderSide = code, side
	if auth {
		pe.Err = providers.ErrAuth
	}
	if code == "602" {
		pe.Err = providers.ErrInsufficientFunds
	}
	return pe
}

func (c *Client) login(ctx context.Context, force bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !force && c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	if c.apikey == "" || c.password == "" {
		return "", &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "login", Err: providers.ErrAuth,
			Message: "no CinetPay credentials: set the API key and password in the environment"}
	}
	form := url.Values{"apikey": {c.apikey}, "password": {c.password}}
	env, resp, err := c.do(ctx, "login", http.MethodPost, "/auth/login", url.Values{}, form, "")
	if err != nil {
		return "", err
	}
	if code := codeOf(env.Code); code != "0" {
		return "", codeError(resp, code, env.Message, env.Description)
	}
	var d struct {
		Token string `json:"token"`
	}
	if json.Unmarshal(env.Data, &d) != nil || d.Token == "" {
		return "", resp.Error(providers.ErrTransient, "no token in the answer")
	}
	// the token lives five minutes: take a new one after four
	c.token, c.expires = d.Token, c.now().Add(4*time.Minute)
	return c.token, nil
}

// do sends one request through providers.Exchange and decodes the envelope.
// HTTP 429 is transient (Exchange says so); other statuses are read from the
// envelope's code. Only a send can move money: every other request is safe.
func (c *Client) do(ctx context.Context, op, method, path string, q url.Values, form url.Values, token string) (envelope, *providers.Response, error) {
	q.Set("lang", c.lang)
	if token != "" {
		q.Set("token", token)
	}
	var body []byte
	h := http.Header{}
	if form != nil {
		body = []byte(form.Encode())
		h.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := providers.Exchange(ctx, c.HTTP, providers.Request{Provider: Name, Op: op, Method: method,
		URL: c.URL + path + "?" + q.Encode(), Header: h, Body: body, Safe: op != "send",
		Secrets: []string{c.apikey, c.password, token}})
	if err != nil {
		return envelope{}, resp, err
	}
	var env envelope
	if err := json.Unmarshal(resp.Body, &env); err != nil || len(env.Code) == 0 {
		return envelope{}, resp, resp.Unreadable("answer", resp.Body)
	}
	return env, resp, nil
}

// call sends an authenticated request, logging in again once when the token is
// refused (705 expired, 706 invalid, or HTTP 401).
func (c *Client) call(ctx context.Context, op, method, path string, q url.Values, form url.Values) (envelope, *providers.Response, error) {
	for try := 0; ; try++ {
		tok, err := c.login(ctx, try > 0)
		if err != nil {
			return envelope{}, nil, err
		}
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		env, resp, err := c.do(ctx, op, method, path, qq, form, tok)
		if err != nil {
			return env, resp, err
		}
		code := codeOf(env.Code)
		if (code == "705" || code == "706" || resp.Status == http.StatusUnauthorized) && try == 0 {
			continue
		}
		return env, resp, nil
	}
}

// transfer is one line of a send, as sent and as answered.
type transfer struct {
	Prefix              string          `json:"prefix"`
	Phone               string          `json:"phone"`
	Amount              json.RawMessage `json:"amount"`
	NotifyURL           string          `json:"notify_url"`
	ClientTransactionID string          `json:"client_transaction_id"`
	Code                json.RawMessage `json:"code,omitempty"`
	Status              string          `json:"status,omitempty"`
	TreatmentStatus     string          `json:"treatment_status,omitempty"`
	TransactionID       json.RawMessage `json:"transaction_id,omitempty"`
	Lot                 json.RawMessage `json:"lot,omitempty"`
}

func statusOf(treatment string) providers.Status {
	switch strings.ToUpper(treatment) {
	case "VAL":
		return providers.StatusSucceeded
	case "REJ":
		return providers.StatusFailed
	default: // NEW, REC, NOS: not final
		return providers.StatusPending
	}
}

// Send implements batch.Provider: a chunk of one.
func (c *Client) Send(ctx context.Context, p providers.Payout) (providers.Result, error) {
	res, err := c.SendChunk(ctx, []providers.Payout{p})
	if err != nil {
		return providers.Result{}, err
	}
	return res[0].Result, res[0].Err
}

// SendChunk implements batch.ChunkSender: POST /transfer/money/send/contact with
// several transfers; each answer carries its own code. A transfer refused as an
// existing client_transaction_id (805) was sent before: it is looked up.
func (c *Client) SendChunk(ctx context.Context, ps []providers.Payout) ([]batch.ChunkResult, error) {
	out := make([]batch.ChunkResult, len(ps))
	var lines []transfer
	var sent []int // index in ps of each line
	for i, p := range ps {
		if err := currencyRefusal(p); err != nil {
			out[i].Err = err
			continue
		}
		prefix, national := providers.SplitE164(p.Phone)
		lines = append(lines, transfer{Prefix: prefix, Phone: national, Amount: json.RawMessage(strconv.FormatInt(p.Amount, 10)),
			NotifyURL: providers.Or(providers.ItemCallbackURL(c.publicURL, Name, p.Reference), c.notifyURL), ClientTransactionID: p.Reference})
		sent = append(sent, i)
	}
	if len(lines) == 0 {
		return out, nil
	}
	data, _ := json.Marshal(lines)
	env, resp, err := c.call(ctx, "send", http.MethodPost, "/transfer/money/send/contact", url.Values{}, url.Values{"data": {string(data)}})
	if err != nil {
		return nil, err
	}
	if code := codeOf(env.Code); code != "0" {
		if code == "805" && len(sent) == 1 {
			out[sent[0]].Result, out[sent[0]].Err = c.sentBefore(ctx, resp, ps[sent[0]].Reference)
			return out, nil
		}
		if err := codeError(resp, code, env.Message, env.Description); err != nil {
			return nil, err
		}
	}
	byRef, err := rowsBy(resp, env.Data, "transfers", func(a transfer) string { return a.ClientTransactionID })
	if err != nil {
		return nil, err
	}
	for _, i := range sent {
		p := ps[i]
		a, ok := byRef[p.Reference]
		if !ok {
			out[i].Err = resp.Error(providers.ErrUnknownOutcome, "no answer for this transfer")
			continue
		}
		switch code := codeOf(a.Code); code {
		case "0", "":
			out[i].Result = providers.Result{ProviderReference: strings.Trim(string(a.TransactionID), `"`),
				Status: statusOf(a.TreatmentStatus), Message: a.Status}
		case "805": // sent before under this id: ask what became of it
			out[i].Result, out[i].Err = c.sentBefore(ctx, resp, p.Reference)
		default:
			out[i].Err = codeError(resp, code, a.Status, "")
		}
	}
	return out, nil
}

// currencyRefusal refuses, before anything is sent, a payout whose currency is
// not the one CinetPay pays in the receiving country: the transfer API takes no
// currency, the number's country decides it (XOF in West Africa, XAF in
// Cameroon, GNF in Guinea, CDF in DR Congo).
func currencyRefusal(p providers.Payout) error {
	if p.Currency == "" {
		return nil
	}
	country := providers.Or(providers.RegionOf(p.Phone), p.Country)
	want := providers.PaidIn(Name, country, p.Operator)
	if want == "" || strings.EqualFold(want, p.Currency) {
		return nil // a country or carrier CinetPay does not pay: it says so itself
	}
	return &providers.Error{Class: providers.ErrRejected, Provider: Name, Op: "send", Code: "currency",
		Message: fmt.Sprintf("CinetPay pays %s numbers in %s, not %s; nothing was sent", country, want, p.Currency)}
}

// moneyLine is one line of check/money.
type moneyLine struct {
	TransactionID       json.RawMessage       `json:"transaction_id"`
	ClientTransactionID string                `json:"client_transaction_id"`
	Lot                 json.RawMessage       `json:"lot"`
	Amount              providers.WholeAmount `json:"amount"`
	Receiver            string                `json:"receiver"`
	SendingStatus       string                `json:"sending_status"`
	TransferValid       string                `json:"transfer_valid"`
	TreatmentStatus     string                `json:"treatment_status"`
	Comment             string                `json:"comment"`
}

// Lookup asks GET /transfer/check/money by client_transaction_id, transaction_id or lot.
func (c *Client) Lookup(ctx context.Context, key, value string) (providers.Result, error) {
	env, resp, err := c.call(ctx, "check", http.MethodGet, "/transfer/check/money", url.Values{key: {value}}, nil)
	if err != nil {
		return providers.Result{}, err
	}
	if code := codeOf(env.Code); code != "0" {
		if err := codeError(resp, code, env.Message, env.Description); err != nil {
			return providers.Result{}, lookupRefused(err)
		}
	}
	lines, err := rows[moneyLine](env.Data)
	if err != nil || len(lines) == 0 {
		return providers.Result{}, resp.Error(providers.ErrNotFound, key+" "+value)
	}
	l := lines[0]
	msg := l.Comment
	if msg == "" {
		msg = "treatment_status " + l.TreatmentStatus
	}
	return providers.Result{ProviderReference: strings.Trim(string(l.TransactionID), `"`), Status: statusOf(l.TreatmentStatus),
		Amount: int64(l.Amount), Message: msg}, nil
}

// lookupRefused keeps a refused look-up from reading as a refused payout: a
// look-up only reads, so a refusal of it (an address not allowed, an operator
// code) says nothing about the transfer, and asking again later is the answer.
// Only "not found" (723) is news about the transfer itself.
func lookupRefused(err error) error {
	var pe *providers.Error
	if errors.As(err, &pe) && pe.Class == providers.ErrRejected {
		pe.Class, pe.ProviderSide = providers.ErrTransient, false
	}
	return err
}

// sentBefore is what became of a transfer CinetPay refused as sent before under
// our id (805): its look-up, or, when the look-up cannot tell, an outcome in
// doubt (the transfer exists: it must never be paid again or elsewhere).
func (c *Client) sentBefore(ctx context.Context, resp *providers.Response, ref string) (providers.Result, error) {
	r, err := c.Lookup(ctx, "client_transaction_id", ref)
	if err != nil {
		return providers.Result{}, resp.Error(providers.ErrUnknownOutcome, "sent before under this id (805), and its look-up failed: "+err.Error())
	}
	return r, nil
}

// Check implements batch.Provider: look-up by CinetPay's transaction_id.
func (c *Client) Check(ctx context.Context, ref string) (providers.Result, error) {
	return c.Lookup(ctx, "transaction_id", ref)
}

// CheckReference looks a transfer up by our client_transaction_id, sending
// nothing: what a notification, which CinetPay does not sign, is checked by.
func (c *Client) CheckReference(ctx context.Context, reference string) (providers.Result, error) {
	return c.Lookup(ctx, "client_transaction_id", reference)
}

// Settle implements batch.Settler: look the transfer up by our
// client_transaction_id; if CinetPay never received it, send it again under the
// same id (a copy would be refused with 805, so this cannot pay twice).
func (c *Client) Settle(ctx context.Context, p providers.Payout) (providers.Result, error) {
	r, err := c.Lookup(ctx, "client_transaction_id", p.Reference)
	if providers.Classify(err) != providers.ErrNotFound {
		return r, err
	}
	return c.Send(ctx, p)
}

type contact struct {
	Prefix  string          `json:"prefix"`
	Phone   string          `json:"phone"`
	Name    string          `json:"name"`
	Surname string          `json:"surname"`
	Email   string          `json:"email"`
	Code    json.RawMessage `json:"code,omitempty"`
	Status  string          `json:"status,omitempty"`
}

// AddContacts implements batch.ContactAdder: POST /transfer/contact. A contact
// that exists already (726) counts as added.
func (c *Client) AddContacts(ctx context.Context, cs []providers.Contact) ([]error, error) {
	lines := make([]contact, len(cs))
	for i, ct := range cs {
		prefix, national := providers.SplitE164(ct.Phone)
		name, surname := splitName(ct.Name)
		lines[i] = contact{Prefix: prefix, Phone: national, Name: name, Surname: surname, Email: ct.Email}
	}
	data, _ := json.Marshal(lines)
	env, resp, err := c.call(ctx, "contact", http.MethodPost, "/transfer/contact", url.Values{}, url.Values{"data": {string(data)}})
	if err != nil {
		return nil, err
	}
	if code := codeOf(env.Code); code != "0" {
		if err := codeError(resp, code, env.Message, env.Description); err != nil {
			return nil, err
		}
	}
	byPhone, err := rowsBy(resp, env.Data, "contacts", func(a contact) string { return a.Prefix + a.Phone })
	if err != nil {
		return nil, err
	}
	out := make([]error, len(cs))
	for i, l := range lines {
		a, ok := byPhone[l.Prefix+l.Phone]
		if !ok {
			out[i] = resp.Error(providers.ErrTransient, "no answer for this contact")
			continue
		}
		out[i] = codeError(resp, codeOf(a.Code), a.Status, "")
	}
	return out, nil
}

func splitName(full string) (string, string) {
	f := strings.Fields(full)
	if len(f) <= 1 {
		return full, full
	}
	return strings.Join(f[:len(f)-1], " "), f[len(f)-1]
}

// Balances implements batch.Balancer: GET /transfer/check/balance, what is available.
func (c *Client) Balances(ctx context.Context) ([]providers.Balance, error) {
	env, resp, err := c.call(ctx, "balance", http.MethodGet, "/transfer/check/balance", url.Values{}, nil)
	if err != nil {
		return nil, err
	}
	if err := codeError(resp, codeOf(env.Code), env.Message, env.Description); err != nil {
		return nil, err
	}
	var d struct {
		Amount    providers.WholeAmount `json:"amount"`
		InUsing   providers.WholeAmount `json:"inUsing"`
		Available providers.WholeAmount `json:"available"`
	}
	if err := json.Unmarshal(env.Data, &d); err != nil {
		return nil, resp.Unreadable("balance", env.Data)
	}
	return []providers.Balance{{Amount: int64(d.Available)}}, nil
}
