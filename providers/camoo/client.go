package camoo

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"bulkpay/batch"
	"bulkpay/providers"
)

// Name is the provider's key in config and the ledger.
const Name = "camoo"

// DefaultBaseURL is Camoo's payment API.
const DefaultBaseURL = "https://api.camoo.cm/v1/payment"

var (
	_ batch.Provider = (*Client)(nil)
	_ batch.Balancer = (*Client)(nil)
)

// Client talks to one Camoo account. Safe for concurrent use. It is not a
// batch.Settler: Camoo cannot be asked about our external_reference, so a cashout
// in doubt before we hold Camoo's id goes to review.
type Client struct {
	baseURL   string
	http      *http.Client
	key       string
	secret    string
	notifyURL string
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at another Camoo (a simulator): up to and including /v1/payment.
func WithBaseURL(u string) Option { return func(c *Client) { c.baseURL = strings.TrimRight(u, "/") } }

// WithHTTPClient sets the http.Client (its Timeout bounds every call).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithKeys sets the API key and secret.
func WithKeys(key, secret string) Option { return func(c *Client) { c.key, c.secret = key, secret } }

// WithNotifyURL sets the notification_url sent with each cashout.
func WithNotifyURL(u string) Option { return func(c *Client) { c.notifyURL = u } }

// New returns a client for Camoo unless told otherwise.
func New(opts ...Option) *Client {
	c := &Client{baseURL: DefaultBaseURL, http: &http.Client{Timeout: 30 * time.Second}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Name implements batch.Provider.
func (c *Client) Name() string { return Name }

// Cashout is Camoo's view of one cashout.
type Cashout struct {
	ID                string                `json:"id"`
	ExternalReference string                `json:"external_reference"`
	Amount            providers.WholeAmount `json:"amount"`
	Currency          string                `json:"currency"`
	Network           string                `json:"network"`
	Status            string                `json:"status"`
	Fees              json.RawMessage       `json:"fees"`
	NetAmount         json.RawMessage       `json:"net_amount"`
	PhoneNumber       string                `json:"phone_number"`
}

type answer struct {
	Code    json.RawMessage `json:"code"`
	Message string          `json:"message"`
	Errors  map[string]any  `json:"errors"`
	CashOut *Cashout        `json:"cashOut"`
	Verify  *Cashout        `json:"verify"`
	Account *struct {
		Balance  providers.WholeAmount `json:"balance"`
		Currency string                `json:"currency"`
	} `json:"account"`
}

func (a answer) text() string {
	msg := a.Message
	for field, e := range a.Errors {
		msg += "; " + field + ": " + strings.Trim(strings.TrimSpace(jsonText(e)), `"`)
	}
	return strings.TrimPrefix(msg, "; ")
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// whole reads a fee or net amount that may be a number or a string; anything
// not whole reads as 0 (it is for reconciliation, never for paying).
func whole(raw json.RawMessage) int64 {
	var w providers.WholeAmount
	if json.Unmarshal(raw, &w) != nil {
		return 0
	}
	return int64(w)
}

// StatusOf maps Camoo's statuses, compared without case.
func StatusOf(s string) providers.Status {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "SUCCESS", "CONFIRMED":
		return providers.StatusSucceeded
	case "FAILED", "CANCELED", "CANCELLED", "ERRORED":
		return providers.StatusFailed
	default: // CREATED, INITIALISED, IN_PROGRESS, PENDING, UNDERINVESTIGATION
		return providers.StatusPending
	}
}

func (c *Client) do(ctx context.Context, op, method, path string, body any) (int, answer, []byte, error) {
	rd := bytes.NewReader(nil)
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, rd)
	if err != nil {
		return 0, answer{}, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Api-Key", c.key)
	req.Header.Set("X-Api-Secret", c.secret)
	resp, b, err := providers.Do(c.http, req)
	if err != nil {
		if resp != nil {
			return resp.StatusCode, answer{}, nil, &providers.Error{Class: providers.ErrUnknownOutcome, Provider: Name, Op: op, HTTPStatus: resp.StatusCode, Err: err}
		}
		return 0, answer{}, nil, providers.TransportError(Name, op, err)
	}
	var a answer
	json.Unmarshal(b, &a)
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return resp.StatusCode, a, b, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: op, HTTPStatus: resp.StatusCode,
			Message: providers.Or(a.text(), "too many requests"), RetryAfter: providers.RetryAfter(resp.Header.Get("Retry-After"))}
	case http.StatusUnauthorized:
		return resp.StatusCode, a, b, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: op, HTTPStatus: resp.StatusCode,
			Err: providers.ErrAuth, Message: providers.Or(a.text(), "credentials refused")}
	}
	return resp.StatusCode, a, b, nil
}

func (c *Client) result(co *Cashout) providers.Result {
	return providers.Result{ProviderReference: co.ID, Status: StatusOf(co.Status), Amount: int64(co.Amount),
		Fee: whole(co.Fees), NetAmount: whole(co.NetAmount), Message: "status " + co.Status}
}

// Send implements batch.Provider: POST /cashout (201 on acceptance).
func (c *Client) Send(ctx context.Context, p providers.Payout) (providers.Result, error) {
	body := map[string]any{
		"amount":             p.Amount,
		"phone_number":       p.Phone,
		"notification_url":   c.notifyURL,
		"external_reference": p.Reference,
		"currency":           providers.Or(p.Currency, "XAF"),
	}
	status, a, raw, err := c.do(ctx, "cashout", http.MethodPost, "/cashout", body)
	if err != nil {
		return providers.Result{}, err
	}
	switch {
	case (status == http.StatusCreated || status == http.StatusOK) && a.CashOut != nil && a.CashOut.ID != "":
		return c.result(a.CashOut), nil
	case status == http.StatusBadRequest, status == http.StatusPaymentRequired, status == http.StatusUnprocessableEntity:
		pe := &providers.Error{Class: providers.ErrRejected, Provider: Name, Op: "cashout", HTTPStatus: status,
			Code: strings.Trim(string(a.Code), `"`), Message: providers.Or(a.text(), providers.Snippet(raw))}
		if status == http.StatusPaymentRequired {
			pe.Err = providers.ErrInsufficientFunds
		}
		return providers.Result{}, pe
	default: // 500, or an acceptance we cannot read: it may have been processed
		return providers.Result{}, &providers.Error{Class: providers.ErrUnknownOutcome, Provider: Name, Op: "cashout", HTTPStatus: status,
			Message: providers.Or(a.text(), providers.Snippet(raw))}
	}
}

// Check implements batch.Provider: GET /verify?id=.
func (c *Client) Check(ctx context.Context, id string) (providers.Result, error) {
	status, a, raw, err := c.do(ctx, "verify", http.MethodGet, "/verify?id="+url.QueryEscape(id), nil)
	if err != nil {
		return providers.Result{}, err
	}
	switch {
	case status == http.StatusNotFound:
		return providers.Result{}, &providers.Error{Class: providers.ErrNotFound, Provider: Name, Op: "verify", HTTPStatus: status, Message: id}
	case status == http.StatusOK && a.Verify != nil:
		return c.result(a.Verify), nil
	default:
		return providers.Result{}, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "verify", HTTPStatus: status,
			Message: providers.Or(a.text(), providers.Snippet(raw))}
	}
}

// Balances implements batch.Balancer: GET /account.
func (c *Client) Balances(ctx context.Context) ([]providers.Balance, error) {
	status, a, raw, err := c.do(ctx, "account", http.MethodGet, "/account", nil)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK || a.Account == nil {
		return nil, &providers.Error{Class: providers.ErrTransient, Provider: Name, Op: "account", HTTPStatus: status,
			Message: providers.Or(a.text(), providers.Snippet(raw))}
	}
	return []providers.Balance{{Amount: int64(a.Account.Balance), Currency: a.Account.Currency}}, nil
}
