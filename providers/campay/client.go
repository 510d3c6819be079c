package campay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"bulkpay/batch"
	"bulkpay/providers"
)

// Name is the provider's key in config and the ledger.
const Name = "campay"

// DefaultBaseURL is CamPay's demo API.
const DefaultBaseURL = "https://demo.campay.net/api"

// Client talks to one CamPay application. Safe for concurrent use.
type Client struct {
	providers.Base
	username    string
	password    string
	permanent   bool
	description string
	now         func() time.Time
	// historyLimit is the largest transaction of a history answer, in bytes:
	// the answer itself is read as it arrives, whatever its length.
	historyLimit int64

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at another CamPay (live, or a simulator): the URL
// up to and including /api.
func WithBaseURL(u string) Option {
	return func(c *Client) { c.SetURL(u) }
}

// WithHTTPClient sets the http.Client (its Timeout bounds every call).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.HTTP = h } }

// WithHistoryLimit sets the largest transaction read in a history answer, in
// bytes (providers.MaxAnswer by default): a longer one, a broken or hostile
// answer, fails the history. The answer as a whole has no limit: it is read
// one transaction at a time as it arrives.
func WithHistoryLimit(n int64) Option { return func(c *Client) { c.historyLimit = n } }

// WithCredentials logs in with the application's API username and password.
func WithCredentials(username, password string) Option {
	return func(c *Client) { c.username, c.password = username, password }
}

// WithPermanentToken uses a permanent access token instead of logging in.
func WithPermanentToken(token string) Option {
	return func(c *Client) { c.token, c.permanent = token, token != "" }
}

// WithClock sets the clock used for token expiry (tests).
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// New returns a client for CamPay's demo API unless told otherwise.
func New(opts ...Option) *Client {
	return providers.Apply(&Client{Base: providers.NewBase(DefaultBaseURL), description: "bulkpay payout", now: time.Now}, opts)
}

// Name implements batch.Provider.
func (c *Client) Name() string { return Name }

// errorBody is CamPay's error answer.
type errorBody struct {
	Message        string   `json:"message"`
	ErrorCode      string   `json:"error_code"`
	Detail         string   `json:"detail"`
	NonFieldErrors []string `json:"non_field_errors"`
}

func (e errorBody) text() string {
	parts := []string{}
	for _, s := range append([]string{e.Message, e.Detail}, e.NonFieldErrors...) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}

// login gets a temporary token unless the one held is still good for a minute.
func (c *Client) login(ctx context.Context, force bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.permanent {
		return c.token, nil
	}
	if !force && c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	if c.username == "" || c.password == "" {
		return "", &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "token", Err: providers.ErrAuth,
			Message: "no CamPay credentials: set the username and password (or a permanent token) in the environment"}
	}
	body, _ := json.Marshal(map[string]string{"username": c.username, "password": c.password})
	resp, err := c.exchange(ctx, "token", http.MethodPost, "/token/", "", body, nil)
	if err != nil {
		return "", err
	}
	if resp.Status != http.StatusOK {
		var eb errorBody
		json.Unmarshal(resp.Body, &eb)
		pe := resp.Error(providers.ErrTransient, eb.text())
		if resp.Status == http.StatusBadRequest || resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden {
			pe.Err = providers.ErrAuth
		}
		return "", pe
	}
	var tok struct {
		Token     string `json:"token"`
		ExpiresIn int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.Body, &tok); err != nil || tok.Token == "" {
		return "", resp.Error(providers.ErrTransient, "token answer unreadable")
	}
	life := time.Duration(tok.ExpiresIn) * time.Second
	if life <= 0 {
		life = time.Hour
	}
	// refresh a minute early, or at 90% of a short life
	c.token, c.expires = tok.Token, c.now().Add(life-min(time.Minute, life/10))
	return c.token, nil
}

// exchange sends one request through providers.Exchange. Only a withdraw can
// move money; every other request is safe to send again.
func (c *Client) exchange(ctx context.Context, op, method, path, token string, body []byte, read func(io.Reader) error) (*providers.Response, error) {
	h := http.Header{}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	if token != "" {
		h.Set("Authorization", "Token "+token)
	}
	r := providers.Request{Provider: Name, Op: op, Method: method, URL: c.URL + path,
		Header: h, Body: body, Safe: op != "withdraw", Secrets: []string{c.password, token},
		Explain: func(b []byte) string {
			var eb errorBody
			json.Unmarshal(b, &eb)
			return eb.text()
		}}
	if read != nil {
		return providers.Stream(ctx, c.HTTP, r, read)
	}
	return providers.Exchange(ctx, c.HTTP, r)
}

// call sends an authenticated request, logging in again once on 401.
func (c *Client) call(ctx context.Context, op, method, path string, body []byte) (*providers.Response, error) {
	return c.callStream(ctx, op, method, path, body, nil)
}

// callStream is call handing a 200 answer to read as it arrives
// (providers.Stream) when read is not nil.
func (c *Client) callStream(ctx context.Context, op, method, path string, body []byte, read func(io.Reader) error) (*providers.Response, error) {
	for try := 0; ; try++ {
		tok, err := c.login(ctx, try > 0)
		if err != nil {
			return nil, err
		}
		resp, err := c.exchange(ctx, op, method, path, tok, body, read)
		if err != nil {
			return nil, err
		}
		if resp.Status == http.StatusUnauthorized && try == 0 && !c.permanent {
			continue
		}
		if resp.Status == http.StatusUnauthorized {
			return nil, resp.AuthError("CamPay refused the token")
		}
		return resp, nil
	}
}

// statusOf maps CamPay's PENDING / SUCCESSFUL / FAILED.
func statusOf(s string) (providers.Status, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "PENDING":
		return providers.StatusPending, true
	case "SUCCESSFUL", "SUCCESS":
		return providers.StatusSucceeded, true
	case "FAILED":
		return providers.StatusFailed, true
	}
	return "", false
}

// Send implements batch.Provider: POST /withdraw/ with our reference as
// external_reference. A repeat of the same reference returns the first result.
func (c *Client) Send(ctx context.Context, p providers.Payout) (providers.Result, error) {
	desc := p.Description
	if desc == "" {
		desc = c.description
	}
	if p.Reference != "" && !providers.IsUUID4(p.Reference) {
		return providers.Result{}, &providers.Error{Class: providers.ErrRejected, Provider: Name, Op: "withdraw",
			Message: fmt.Sprintf("reference %q is not a UUID4, which CamPay requires as external_reference; nothing was sent", p.Reference)}
	}
	fields := map[string]any{
		"amount":             p.Amount,
		"to":                 p.Phone,
		"description":        desc,
		"external_reference": p.Reference,
	}
	// the batch currency (CamPay pays XAF); without one, left to CamPay
	if p.Currency != "" {
		fields["currency"] = p.Currency
	}
	body, _ := json.Marshal(fields)
	resp, err := c.call(ctx, "withdraw", http.MethodPost, "/withdraw/", body)
	if err != nil {
		return providers.Result{}, err
	}
	switch status := resp.Status; {
	case status == http.StatusOK || status == http.StatusCreated:
		var ok struct {
			Reference string `json:"reference"`
			Status    string `json:"status"`
			Reason    string `json:"reason"`
		}
		if err := json.Unmarshal(resp.Body, &ok); err != nil || ok.Reference == "" {
			return providers.Result{}, resp.Unreadable("answer", resp.Body)
		}
		st, known := statusOf(ok.Status)
		if !known {
			st = providers.StatusPending // accepted; its status will be asked for
		}
		return providers.Result{ProviderReference: ok.Reference, Status: st, Message: ok.Reason}, nil
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		var eb errorBody
		json.Unmarshal(resp.Body, &eb)
		class := providers.ErrRejected
		if strings.Contains(strings.ToLower(eb.text()), "duplicate") {
			class = providers.ErrDuplicate
		}
		// ER102: CamPay does not serve this carrier; another provider may.
		pe := resp.Error(class, providers.Or(eb.text(), resp.Snippet()))
		pe.Code, pe.ProviderSide = eb.ErrorCode, eb.ErrorCode == "ER102"
		if eb.ErrorCode == "ER301" {
			pe.Err = providers.ErrInsufficientFunds
		}
		return providers.Result{}, pe
	case status == http.StatusForbidden:
		pe := resp.Error(providers.ErrRejected, "withdrawals refused: check that withdrawals through the API are allowed in the application settings")
		pe.ProviderSide = true
		return providers.Result{}, pe
	default:
		return providers.Result{}, resp.Error(providers.ErrUnknownOutcome, resp.Snippet())
	}
}

// Settle implements batch.Settler: CamPay is idempotent on external_reference, so
// resending the same reference returns the first request's result, or creates the
// payout if the first request never arrived.
func (c *Client) Settle(ctx context.Context, p providers.Payout) (providers.Result, error) {
	return c.Send(ctx, p)
}

// Transaction is CamPay's view of one transaction.
type Transaction struct {
	Reference         string                `json:"reference"`
	Status            string                `json:"status"`
	Amount            providers.WholeAmount `json:"amount"`
	Currency          string                `json:"currency"`
	Operator          string                `json:"operator"`
	Code              string                `json:"code"`
	OperatorReference string                `json:"operator_reference"`
	ExternalReference string                `json:"external_reference"`
	Reason            string                `json:"reason"`
}

// Transaction fetches GET /transaction/{reference}/.
func (c *Client) Transaction(ctx context.Context, reference string) (Transaction, error) {
	resp, err := c.call(ctx, "status", http.MethodGet, "/transaction/"+url.PathEscape(reference)+"/", nil)
	if err != nil {
		return Transaction{}, err
	}
	switch resp.Status {
	case http.StatusOK:
	case http.StatusNotFound:
		return Transaction{}, resp.Error(providers.ErrNotFound, reference)
	default:
		return Transaction{}, resp.Error(providers.ErrTransient, resp.Snippet())
	}
	var t Transaction
	if err := resp.JSON(&t); err != nil {
		return Transaction{}, err
	}
	return t, nil
}

// Check implements batch.Provider.
func (c *Client) Check(ctx context.Context, reference string) (providers.Result, error) {
	t, err := c.Transaction(ctx, reference)
	if err != nil {
		return providers.Result{}, err
	}
	st, ok := statusOf(t.Status)
	if !ok {
		return providers.Result{}, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "status", Message: fmt.Sprintf("unknown status %q", t.Status)}
	}
	msg := t.Reason
	if msg == "" && t.OperatorReference != "" {
		msg = "operator reference " + t.OperatorReference
	}
	return providers.Result{ProviderReference: providers.Or(t.Reference, reference), Status: st, Amount: int64(t.Amount), Message: msg,
		ClientReference: t.ExternalReference}, nil
}

// Balance is an application's balance per carrier.
type Balance struct {
	Total    int64
	MTN      int64
	Orange   int64
	Currency string
}

// Balance fetches GET /balance/.
func (c *Client) Balance(ctx context.Context) (Balance, error) {
	resp, err := c.call(ctx, "balance", http.MethodGet, "/balance/", nil)
	if err != nil {
		return Balance{}, err
	}
	if resp.Status != http.StatusOK {
		return Balance{}, resp.Error(providers.ErrTransient, resp.Snippet())
	}
	var b struct {
		Total    providers.WholeAmount `json:"total_balance"`
		MTN      providers.WholeAmount `json:"mtn_balance"`
		Orange   providers.WholeAmount `json:"orange_balance"`
		Currency string                `json:"currency"`
	}
	if err := resp.JSON(&b); err != nil {
		return Balance{}, err
	}
	return Balance{Total: int64(b.Total), MTN: int64(b.MTN), Orange: int64(b.Orange), Currency: b.Currency}, nil
}

// HistoryEntry is one line of POST /history/.
type HistoryEntry struct {
	Datetime       string                `json:"datetime"`
	Code           string                `json:"code"`
	OperatorTxCode string                `json:"operator_tx_code"`
	Operator       string                `json:"operator"`
	PhoneNumber    string                `json:"phone_number"`
	Description    string                `json:"description"`
	Amount         providers.WholeAmount `json:"amount"`
	ChargeAmount   providers.WholeAmount `json:"charge_amount"`
	Debit          providers.WholeAmount `json:"debit"`
	Credit         providers.WholeAmount `json:"credit"`
	Status         string                `json:"status"`
	ReferenceUUID  string                `json:"reference_uuid"`
}

// History fetches transactions between two dates (inclusive, YYYY-MM-DD),
// all of them in memory: see EachHistory for a history of many payouts.
func (c *Client) History(ctx context.Context, start, end time.Time) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := c.EachHistory(ctx, start, end, func(e HistoryEntry) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

// EachHistory calls fn with each transaction between two dates (inclusive,
// YYYY-MM-DD), in CamPay's order, as the answer arrives. CamPay's answer has
// no pages: it is read one transaction at a time, whatever its length, and
// only a transaction longer than the history limit (WithHistoryLimit) fails
// it. An error of fn stops the reading and is returned as it is.
func (c *Client) EachHistory(ctx context.Context, start, end time.Time, fn func(HistoryEntry) error) error {
	return eachHistory(ctx, c, start, end, fn)
}

// eachHistory is EachHistory with each transaction decoded as an E: a
// HistoryEntry, or only the fields a caller keeps.
func eachHistory[E any](ctx context.Context, c *Client, start, end time.Time, fn func(E) error) error {
	first := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	last := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
	if last.Before(first) {
		last = first
	}
	body, _ := json.Marshal(map[string]string{"start_date": first.Format("2006-01-02"), "end_date": last.Format("2006-01-02")})
	resp, err := c.callStream(ctx, "history", http.MethodPost, "/history/", body, func(r io.Reader) error {
		return providers.EachJSON(r, "data", c.historyLimit, fn)
	})
	if err != nil {
		return err
	}
	if resp.Status != http.StatusOK {
		return resp.Error(providers.ErrTransient, resp.Snippet())
	}
	return nil
}

// recordEntry is the part of a HistoryEntry a Record keeps: a history of many
// payouts is decoded without the fields nobody compares.
type recordEntry struct {
	Datetime      string                `json:"datetime"`
	PhoneNumber   string                `json:"phone_number"`
	Amount        providers.WholeAmount `json:"amount"`
	Status        string                `json:"status"`
	ReferenceUUID string                `json:"reference_uuid"`
}

// Records implements batch.Historian: CamPay's history between two days, read
// as it arrives. PENDING lines are left out by CamPay itself.
func (c *Client) Records(ctx context.Context, from, to time.Time, fn func(providers.Record) error) error {
	return eachHistory(ctx, c, from, to, func(e recordEntry) error {
		st, _ := statusOf(e.Status)
		at, _ := time.Parse(time.RFC3339, e.Datetime)
		return fn(providers.Record{ProviderReference: e.ReferenceUUID, Phone: e.PhoneNumber, Amount: int64(e.Amount), Status: st, At: at})
	})
}

var (
	_ batch.Provider = (*Client)(nil)
	_ batch.Settler  = (*Client)(nil)
	_ batch.Balancer = (*Client)(nil)
)

// Balances implements batch.Balancer: CamPay keeps MTN and Orange apart, and an
// Orange payout needs the Orange balance.
func (c *Client) Balances(ctx context.Context) ([]providers.Balance, error) {
	b, err := c.Balance(ctx)
	if err != nil {
		return nil, err
	}
	return []providers.Balance{{Account: "MTN", Amount: b.MTN, Currency: b.Currency}, {Account: "Orange", Amount: b.Orange, Currency: b.Currency}}, nil
}
