package campay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	baseURL     string
	http        *http.Client
	username    string
	password    string
	permanent   bool
	description string
	now         func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at another CamPay (live, or a simulator): the URL
// up to and including /api.
func WithBaseURL(u string) Option {
	return func(c *Client) { c.baseURL = strings.TrimRight(u, "/") }
}

// WithHTTPClient sets the http.Client (its Timeout bounds every call).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

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
	c := &Client{
		baseURL:     DefaultBaseURL,
		http:        &http.Client{Timeout: 30 * time.Second},
		description: "bulkpay payout",
		now:         time.Now,
	}
	for _, o := range opts {
		o(c)
	}
	return c
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
	status, resp, err := c.do(ctx, http.MethodPost, "/token/", "", body)
	if err != nil {
		return "", providers.TransportError(Name, "token", err)
	}
	if status != http.StatusOK {
		var eb errorBody
		json.Unmarshal(resp, &eb)
		pe := &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "token", HTTPStatus: status, Message: eb.text()}
		if status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusForbidden {
			pe.Err = providers.ErrAuth
		}
		return "", pe
	}
	var tok struct {
		Token     string `json:"token"`
		ExpiresIn int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(resp, &tok); err != nil || tok.Token == "" {
		return "", &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "token", HTTPStatus: status, Message: "token answer unreadable"}
	}
	life := time.Duration(tok.ExpiresIn) * time.Second
	if life <= 0 {
		life = time.Hour
	}
	// refresh a minute early, or at 90% of a short life
	c.token, c.expires = tok.Token, c.now().Add(life-min(time.Minute, life/10))
	return c.token, nil
}

// do sends one request and reads the whole answer.
func (c *Client) do(ctx context.Context, method, path, token string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	resp, b, err := providers.Do(c.http, req)
	if err != nil {
		if resp != nil {
			return resp.StatusCode, nil, err
		}
		return 0, nil, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return resp.StatusCode, b, &retryAfter{d: providers.RetryAfter(resp.Header.Get("Retry-After"))}
	}
	return resp.StatusCode, b, nil
}

type retryAfter struct{ d time.Duration }

func (r *retryAfter) Error() string { return "rate limited" }

// call sends an authenticated request, logging in again once on 401.
func (c *Client) call(ctx context.Context, op, method, path string, body []byte) (int, []byte, error) {
	for try := 0; ; try++ {
		tok, err := c.login(ctx, try > 0)
		if err != nil {
			return 0, nil, err
		}
		status, resp, err := c.do(ctx, method, path, tok, body)
		var ra *retryAfter
		if errors.As(err, &ra) {
			var eb errorBody
			json.Unmarshal(resp, &eb)
			return status, resp, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: op, HTTPStatus: status,
				Message: providers.Or(eb.text(), "too many requests"), RetryAfter: ra.d}
		}
		if err != nil {
			if status != 0 {
				return status, resp, &providers.Error{Class: providers.ErrUnknownOutcome, Provider: Name, Op: op, HTTPStatus: status, Err: err}
			}
			return 0, nil, providers.TransportError(Name, op, err)
		}
		if status == http.StatusUnauthorized && try == 0 && !c.permanent {
			continue
		}
		if status == http.StatusUnauthorized {
			return status, resp, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: op, HTTPStatus: status,
				Err: providers.ErrAuth, Message: "CamPay refused the token"}
		}
		return status, resp, nil
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
	status, resp, err := c.call(ctx, "withdraw", http.MethodPost, "/withdraw/", body)
	if err != nil {
		return providers.Result{}, err
	}
	switch {
	case status == http.StatusOK || status == http.StatusCreated:
		var ok struct {
			Reference string `json:"reference"`
			Status    string `json:"status"`
			Reason    string `json:"reason"`
		}
		if err := json.Unmarshal(resp, &ok); err != nil || ok.Reference == "" {
			return providers.Result{}, &providers.Error{Class: providers.ErrUnknownOutcome, Provider: Name, Op: "withdraw",
				HTTPStatus: status, Message: "answer unreadable: " + providers.Snippet(resp)}
		}
		st, known := statusOf(ok.Status)
		if !known {
			st = providers.StatusPending // accepted; its status will be asked for
		}
		return providers.Result{ProviderReference: ok.Reference, Status: st, Message: ok.Reason}, nil
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		var eb errorBody
		json.Unmarshal(resp, &eb)
		class := providers.ErrRejected
		if strings.Contains(strings.ToLower(eb.text()), "duplicate") {
			class = providers.ErrDuplicate
		}
		// ER102: CamPay does not serve this carrier; another provider may.
		pe := &providers.Error{Class: class, Provider: Name, Op: "withdraw", HTTPStatus: status,
			Code: eb.ErrorCode, Message: providers.Or(eb.text(), providers.Snippet(resp)), ProviderSide: eb.ErrorCode == "ER102"}
		if eb.ErrorCode == "ER301" {
			pe.Err = providers.ErrInsufficientFunds
		}
		return providers.Result{}, pe
	case status == http.StatusForbidden:
		return providers.Result{}, &providers.Error{Class: providers.ErrRejected, Provider: Name, Op: "withdraw", HTTPStatus: status,
			ProviderSide: true, Message: "withdrawals refused: check that withdrawals through the API are allowed in the application settings"}
	default:
		return providers.Result{}, &providers.Error{Class: providers.ErrUnknownOutcome, Provider: Name, Op: "withdraw",
			HTTPStatus: status, Message: providers.Snippet(resp)}
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
	status, resp, err := c.call(ctx, "status", http.MethodGet, "/transaction/"+url.PathEscape(reference)+"/", nil)
	if err != nil {
		return Transaction{}, err
	}
	switch status {
	case http.StatusOK:
	case http.StatusNotFound:
		return Transaction{}, &providers.Error{Class: providers.ErrNotFound, Provider: Name, Op: "status", HTTPStatus: status, Message: reference}
	default:
		return Transaction{}, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "status", HTTPStatus: status, Message: providers.Snippet(resp)}
	}
	var t Transaction
	if err := json.Unmarshal(resp, &t); err != nil {
		return Transaction{}, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "status", HTTPStatus: status, Message: "answer unreadable: " + providers.Snippet(resp)}
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
	return providers.Result{ProviderReference: providers.Or(t.Reference, reference), Status: st, Amount: int64(t.Amount), Message: msg}, nil
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
	status, resp, err := c.call(ctx, "balance", http.MethodGet, "/balance/", nil)
	if err != nil {
		return Balance{}, err
	}
	if status != http.StatusOK {
		return Balance{}, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "balance", HTTPStatus: status, Message: providers.Snippet(resp)}
	}
	var b struct {
		Total    providers.WholeAmount `json:"total_balance"`
		MTN      providers.WholeAmount `json:"mtn_balance"`
		Orange   providers.WholeAmount `json:"orange_balance"`
		Currency string                `json:"currency"`
	}
	if err := json.Unmarshal(resp, &b); err != nil {
		return Balance{}, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "balance", Message: "answer unreadable: " + providers.Snippet(resp)}
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

// History fetches transactions between two dates (inclusive, YYYY-MM-DD).
func (c *Client) History(ctx context.Context, start, end time.Time) ([]HistoryEntry, error) {
	body, _ := json.Marshal(map[string]string{"start_date": start.Format("2006-01-02"), "end_date": end.Format("2006-01-02")})
	status, resp, err := c.call(ctx, "history", http.MethodPost, "/history/", body)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "history", HTTPStatus: status, Message: providers.Snippet(resp)}
	}
	var h struct {
		Data []HistoryEntry `json:"data"`
	}
	if err := json.Unmarshal(resp, &h); err != nil {
		return nil, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "history", Message: "answer unreadable: " + providers.Snippet(resp)}
	}
	return h.Data, nil
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

// Records implements batch.Historian: CamPay's history between two days. PENDING
// lines are left out by CamPay itself.
func (c *Client) Records(ctx context.Context, from, to time.Time) ([]providers.Record, error) {
	h, err := c.History(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]providers.Record, 0, len(h))
	for _, e := range h {
		st, _ := statusOf(e.Status)
		at, _ := time.Parse(time.RFC3339, e.Datetime)
		out = append(out, providers.Record{ProviderReference: e.ReferenceUUID, Phone: e.PhoneNumber, Amount: int64(e.Amount), Status: st, At: at})
	}
	return out, nil
}
