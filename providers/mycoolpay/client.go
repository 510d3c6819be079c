package mycoolpay

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"bulkpay/batch"
	"bulkpay/providers"
)

// Name is the provider's key in config and the ledger.
const Name = "mycoolpay"

// DefaultBaseURL is My-CoolPay's API, below which comes the public key.
const DefaultBaseURL = "https://my-coolpay.com/api"

var (
	_ batch.Provider = (*Client)(nil)
	_ batch.Balancer = (*Client)(nil)
)

// Client talks to one My-CoolPay application. Safe for concurrent use. It is
// not a batch.Settler: My-CoolPay cannot be asked about our app_transaction_ref,
// so a payout in doubt before we hold its transaction_ref goes to review.
type Client struct {
	providers.Base
	publicKey  string
	privateKey string
	lang       string
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at another My-CoolPay (a simulator): the URL
// before /{public_key}.
func WithBaseURL(u string) Option { return func(c *Client) { c.SetURL(u) } }

// WithHTTPClient sets the http.Client (its Timeout bounds every call).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.HTTP = h } }

// WithKeys sets the application's public and private keys.
func WithKeys(public, private string) Option {
	return func(c *Client) { c.publicKey, c.privateKey = public, private }
}

// New returns a client for My-CoolPay unless told otherwise.
func New(opts ...Option) *Client {
	return providers.Apply(&Client{Base: providers.NewBase(DefaultBaseURL), lang: "fr"}, opts)
}

// Name implements batch.Provider.
func (c *Client) Name() string { return Name }

// Operator maps a carrier to My-CoolPay's transaction_operator.
func Operator(carrier string) (string, bool) {
	switch strings.ToUpper(carrier) {
	case "MTN":
		return "CM_MOMO", true
	case "ORANGE":
		return "CM_OM", true
	case "MCP":
		return "MCP", true
	}
	return "", false
}

type answer struct {
	Status                 string                `json:"status"`
	Message                string                `json:"message"`
	TransactionRef         string                `json:"transaction_ref"`
	AppTransactionRef      string                `json:"app_transaction_ref"`
	OperatorTransactionRef string                `json:"operator_transaction_ref"`
	TransactionAmount      providers.WholeAmount `json:"transaction_amount"`
	TransactionFees        providers.WholeAmount `json:"transaction_fees"`
	TransactionStatus      string                `json:"transaction_status"`
	TransactionMessage     string                `json:"transaction_message"`
	Balance                providers.WholeAmount `json:"balance"`
}

// do sends one request through providers.Exchange and reads the answer. Only
// a payout can move money; the public key (in the path) and the private key
// never reach an error.
func (c *Client) do(ctx context.Context, op, method, path string, body any, private bool) (*providers.Response, answer, error) {
	var b []byte
	h := http.Header{}
	if body != nil {
		b, _ = json.Marshal(body)
		h.Set("Content-Type", "application/json")
	}
	if private {
		h.Set("X-PRIVATE-KEY", c.privateKey)
	}
	resp, err := providers.Exchange(ctx, c.HTTP, providers.Request{Provider: Name, Op: op, Method: method,
		URL: c.URL + "/" + url.PathEscape(c.publicKey) + path, Header: h, Body: b, Safe: op != "payout",
		Secrets: []string{c.publicKey, c.privateKey},
		Explain: func(b []byte) string {
			var a answer
			json.Unmarshal(b, &a)
			return a.Message
		}})
	if err != nil {
		return nil, answer{}, err
	}
	var a answer
	json.Unmarshal(resp.Body, &a)
	return resp, a, nil
}

// Send implements batch.Provider: POST /{public_key}/payout. 200 means done, 202
// in progress.
func (c *Client) Send(ctx context.Context, p providers.Payout) (providers.Result, error) {
	op, ok := Operator(p.Operator)
	if !ok {
		return providers.Result{}, &providers.Error{Class: providers.ErrRejected, Provider: Name, Op: "payout", ProviderSide: true,
			Message: "My-CoolPay pays MTN, Orange and My-CoolPay wallets, not " + p.Operator}
	}
	if prefix, _ := providers.SplitE164(p.Phone); op != "MCP" && prefix != "237" {
		return providers.Result{}, &providers.Error{Class: providers.ErrRejected, Provider: Name, Op: "payout", ProviderSide: true,
			Message: "My-CoolPay pays Cameroonian numbers only (it takes the 9 national digits), not +" + p.Phone}
	}
	body := map[string]any{
		"transaction_amount":   p.Amount,
		"transaction_reason":   providers.Or(p.Description, "bulkpay payout"),
		"transaction_operator": op,
		"app_transaction_ref":  p.Reference,
		"customer_name":        p.Name,
		"customer_lang":        c.lang,
	}
	// the batch currency; without one, the currency My-CoolPay pays this payee in
	if cur := providers.Or(p.Currency, providers.PaidIn(Name, providers.Or(p.Country, providers.RegionOf(p.Phone)), p.Operator)); cur != "" {
		body["transaction_currency"] = cur
	}
	if p.Email != "" {
		body["customer_email"] = p.Email
	}
	switch {
	case op != "MCP":
		_, national := providers.SplitE164(p.Phone)
		body["customer_phone_number"] = national
	case strings.Contains(p.Phone, "@"):
		body["customer_email"] = p.Phone
	case strings.Trim(p.Phone, "0123456789") == "":
		_, national := providers.SplitE164(p.Phone)
		body["customer_phone_number"] = national
	default:
		body["customer_username"] = p.Phone
	}
	resp, a, err := c.do(ctx, "payout", http.MethodPost, "/payout", body, true)
	if err != nil {
		return providers.Result{}, err
	}
	switch status := resp.Status; {
	case (status == http.StatusOK || status == http.StatusAccepted) && a.TransactionRef != "":
		st := providers.StatusSucceeded
		if status == http.StatusAccepted {
			st = providers.StatusPending
		}
		return providers.Result{ProviderReference: a.TransactionRef, Status: st, Message: a.Message}, nil
	case status == http.StatusOK || status == http.StatusAccepted:
		return providers.Result{}, resp.Error(providers.ErrUnknownOutcome, "accepted without a transaction_ref: "+resp.Snippet())
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return providers.Result{}, resp.AuthError(providers.Or(a.Message, "keys refused"))
	case status >= 400 && status < 500:
		pe := resp.Error(providers.ErrRejected, providers.Or(a.Message, resp.Snippet()))
		if strings.Contains(strings.ToLower(a.Message), "insufficient") {
			pe.Err = providers.ErrInsufficientFunds
		}
		return providers.Result{}, pe
	default:
		return providers.Result{}, resp.Error(providers.ErrUnknownOutcome, providers.Or(a.Message, resp.Snippet()))
	}
}

// Check implements batch.Provider: GET /{public_key}/checkStatus/{transaction_ref}.
func (c *Client) Check(ctx context.Context, ref string) (providers.Result, error) {
	resp, a, err := c.do(ctx, "status", http.MethodGet, "/checkStatus/"+url.PathEscape(ref), nil, false)
	if err != nil {
		return providers.Result{}, err
	}
	if resp.Status == http.StatusNotFound {
		return providers.Result{}, resp.Error(providers.ErrNotFound, ref)
	}
	if resp.Status != http.StatusOK || a.Status != "success" {
		return providers.Result{}, resp.Error(providers.ErrTransient, providers.Or(a.Message, resp.Snippet()))
	}
	st := statusOf(a.TransactionStatus)
	msg := a.TransactionMessage
	if msg == "" {
		msg = "transaction_status " + a.TransactionStatus
	}
	return providers.Result{ProviderReference: providers.Or(a.TransactionRef, ref), Status: st, Amount: int64(a.TransactionAmount),
		Fee: int64(a.TransactionFees), Message: msg, ClientReference: a.AppTransactionRef}, nil
}

// Balances implements batch.Balancer: GET /{public_key}/balance.
func (c *Client) Balances(ctx context.Context) ([]providers.Balance, error) {
	resp, a, err := c.do(ctx, "balance", http.MethodGet, "/balance", nil, true)
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusOK || a.Status != "success" {
		return nil, resp.Error(providers.ErrTransient, providers.Or(a.Message, resp.Snippet()))
	}
	return []providers.Balance{{Amount: int64(a.Balance), Currency: "XAF"}}, nil
}

// statusOf reduces a transaction_status: SUCCESS, FAILED, CANCELED or (not
// final) PENDING.
func statusOf(s string) providers.Status {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "SUCCESS":
		return providers.StatusSucceeded
	case "FAILED", "CANCELED", "CANCELLED":
		return providers.StatusFailed
	default:
		return providers.StatusPending
	}
}
