package camoo

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/camoo/account"
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
	account.Account
	publicURL string
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at another Camoo (a simulator): up to and including /v1/payment.
func WithBaseURL(u string) Option { return func(c *Client) { c.SetURL(u) } }

// WithHTTPClient sets the http.Client (its Timeout bounds every call).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.HTTP = h } }

// WithKeys sets the API key and secret.
func WithKeys(key, secret string) Option { return func(c *Client) { c.SetKeys(key, secret) } }

// WithNotifyURL sets the notification_url sent with each cashout.
func WithNotifyURL(u string) Option { return func(c *Client) { c.SetNotifyURL(u) } }

// WithPublicURL sets bulkpay's public URL: each cashout then names its own
// notification_url, {public_url}/callbacks/camoo/{item reference}, so that a
// notification names the item even when Camoo's id never reached us. Unset,
// the WithNotifyURL address (or none) is sent.
func WithPublicURL(u string) Option { return func(c *Client) { c.publicURL = u } }

// New returns a client for Camoo unless told otherwise.
func New(opts ...Option) *Client {
	return providers.Apply(&Client{Account: account.New(DefaultBaseURL)}, opts)
}

// Name implements batch.Provider.
func (c *Client) Name() string { return Name }

// Cashout is Camoo's view of one cashout. Camoo's openapi.yaml types amount
// and net_amount as integers, fees as a number and created_at as a Unix time;
// strings are read as well, and statuses and networks in any case.
type Cashout struct {
	ID                Text                  `json:"id"`
	ExternalReference Text                  `json:"external_reference"`
	Amount            providers.WholeAmount `json:"amount"`
	Currency          Text                  `json:"currency"`
	Network           Text                  `json:"network"`
	Status            Text                  `json:"status"`
	Fees              json.RawMessage       `json:"fees"`
	NetAmount         json.RawMessage       `json:"net_amount"`
	PhoneNumber       Text                  `json:"phone_number"`
	CreatedAt         Time                  `json:"created_at"`
}

// Text is a string Camoo may also write as a number (an id, a phone number).
type Text = account.Text

// Time is a moment Camoo writes as Unix seconds (documented), or as a string of
// them or a date. The zero Time: not given, or not readable (it is for people,
// never for paying, so it never makes an answer unreadable).
type Time struct{ time.Time }

// UnmarshalJSON accepts 1768646496, "1768646496", "2026-01-17T10:45:57+00:00" and null.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s Text
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	str := strings.TrimSpace(string(s))
	t.Time = time.Time{}
	if n, err := strconv.ParseInt(str, 10, 64); err == nil {
		t.Time = time.Unix(n, 0).UTC()
		return nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05"} {
		if v, err := time.Parse(layout, str); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return nil
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

// Text is what the answer says went wrong.
func (a answer) Text() string {
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

// do sends one request through providers.Exchange and reads the answer; 401
// is refused credentials (nothing was processed). Only a cashout can move money.
func (c *Client) do(ctx context.Context, op, method, path string, body any) (*providers.Response, answer, error) {
	req := c.Request(Name, op, method, path, body)
	req.Safe = op != "cashout"
	return account.Call[answer](ctx, &c.Account, req, http.StatusUnauthorized)
}

func (c *Client) result(co *Cashout) providers.Result {
	return providers.Result{ProviderReference: string(co.ID), Status: StatusOf(string(co.Status)), Amount: int64(co.Amount),
		Fee: whole(co.Fees), NetAmount: whole(co.NetAmount), Message: "status " + string(co.Status)}
}

// Send implements batch.Provider: POST /cashout (201 on acceptance).
func (c *Client) Send(ctx context.Context, p providers.Payout) (providers.Result, error) {
	body := map[string]any{
		"amount":             p.Amount,
		"phone_number":       p.Phone,
		"notification_url":   providers.Or(providers.ItemCallbackURL(c.publicURL, Name, p.Reference), c.NotifyURL()),
		"external_reference": p.Reference,
	}
	// the batch currency; without one, the currency Camoo pays this number in
	if cur := providers.Or(p.Currency, providers.PaidIn(Name, providers.Or(p.Country, providers.RegionOf(p.Phone)), p.Operator)); cur != "" {
		body["currency"] = cur
	}
	resp, a, err := c.do(ctx, "cashout", http.MethodPost, "/cashout", body)
	if err != nil {
		return providers.Result{}, err
	}
	switch status := resp.Status; {
	case (status == http.StatusCreated || status == http.StatusOK) && a.CashOut != nil && a.CashOut.ID != "":
		return c.result(a.CashOut), nil
	case status == http.StatusBadRequest, status == http.StatusPaymentRequired, status == http.StatusUnprocessableEntity:
		pe := resp.Error(providers.ErrRejected, providers.Or(a.Text(), resp.Snippet()))
		pe.Code = strings.Trim(string(a.Code), `"`)
		if status == http.StatusPaymentRequired {
			pe.Err = providers.ErrInsufficientFunds
		}
		return providers.Result{}, pe
	default: // 500, or an acceptance we cannot read: it may have been processed
		return providers.Result{}, resp.Error(providers.ErrUnknownOutcome, providers.Or(a.Text(), resp.Snippet()))
	}
}

// Check implements batch.Provider: GET /verify?id=.
func (c *Client) Check(ctx context.Context, id string) (providers.Result, error) {
	resp, a, err := c.do(ctx, "verify", http.MethodGet, "/verify?id="+url.QueryEscape(id), nil)
	if err != nil {
		return providers.Result{}, err
	}
	switch {
	case resp.Status == http.StatusNotFound:
		return providers.Result{}, resp.Error(providers.ErrNotFound, id)
	case resp.Status == http.StatusOK && a.Verify != nil:
		return c.result(a.Verify), nil
	default:
		return providers.Result{}, resp.Error(providers.ErrTransient, providers.Or(a.Text(), resp.Snippet()))
	}
}

// Balances implements batch.Balancer: GET /account.
func (c *Client) Balances(ctx context.Context) ([]providers.Balance, error) {
	resp, a, err := c.do(ctx, "account", http.MethodGet, "/account", nil)
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusOK || a.Account == nil {
		return nil, resp.Error(providers.ErrTransient, providers.Or(a.Text(), resp.Snippet()))
	}
	return []providers.Balance{{Amount: int64(a.Account.Balance), Currency: a.Account.Currency}}, nil
}
