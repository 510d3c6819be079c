package camoosms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"bulkpay/notify"
	"bulkpay/providers"
	"bulkpay/providers/camoo/account"
)

// Name is the SMS provider's key in config.
const Name = "camoo"

// DefaultBaseURL is Camoo's API, up to and including /v1.
const DefaultBaseURL = "https://api.camoo.cm/v1"

// DefaultSender is the sender name when none is given.
const DefaultSender = "bulkpay"

// maxAttempts bounds the sends of one message whatever the retry policy says.
const maxAttempts = 10

var _ notify.SMS = (*Client)(nil)

// Client sends SMS through one Camoo account. Safe for concurrent use.
type Client struct {
	account.Account
	sender string
	route  string
	retry  providers.Retry
	clock  providers.Clock
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL points the client at another Camoo (a simulator): up to and
// including /v1.
func WithBaseURL(u string) Option { return func(c *Client) { c.SetURL(u) } }

// WithHTTPClient sets the http.Client (its Timeout bounds every call).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.HTTP = h } }

// WithKeys sets the API key and secret, sent as X-Api-Key and X-Api-Secret.
func WithKeys(key, secret string) Option { return func(c *Client) { c.SetKeys(key, secret) } }

// WithSender sets the sender shown on the phone: a name of at most 11
// characters, or a number.
func WithSender(s string) Option { return func(c *Client) { c.sender = s } }

// WithRoute sets Camoo's route: premium (Camoo's default) or classic (cheaper,
// for Cameroonian numbers, the sender name replaced).
func WithRoute(r string) Option { return func(c *Client) { c.route = r } }

// WithNotifyURL sets where Camoo sends its delivery reports.
func WithNotifyURL(u string) Option { return func(c *Client) { c.SetNotifyURL(u) } }

// WithRetry sets when a message that was not sent is sent again: only what
// Camoo did not accept (never sent, 429) is resent, never a message that may
// have gone out.
func WithRetry(r providers.Retry) Option { return func(c *Client) { c.retry = r } }

// WithClock sets the clock the waits between resends go through (tests).
func WithClock(k providers.Clock) Option { return func(c *Client) { c.clock = k } }

// New returns a client for Camoo's SMS API unless told otherwise.
func New(opts ...Option) *Client {
	return providers.Apply(&Client{Account: account.New(DefaultBaseURL), sender: DefaultSender, clock: providers.SystemClock}, opts)
}

// CheckSender refuses a sender Camoo would refuse: empty, or a name longer
// than 11 characters.
func CheckSender(s string) error {
	digits := strings.TrimPrefix(s, "+")
	switch {
	case s == "":
		return errors.New("no sender: give a name of at most 11 characters, or a number")
	case digits != "" && strings.Trim(digits, "0123456789") == "":
		return nil
	case len([]rune(s)) > 11:
		return fmt.Errorf("sender %q is longer than 11 characters: phones show at most 11; shorten it", s)
	}
	return nil
}

type sent struct {
	ID     account.Text    `json:"message_id"`
	ID2    account.Text    `json:"message-id"`
	Status account.Text    `json:"status"`
	Price  json.RawMessage `json:"message-price"`
}

type answer struct {
	Message  string         `json:"message"`
	Message2 string         `json:"_message"`
	Errors   map[string]any `json:"errors"`
	SMS      *struct {
		Messages []sent `json:"messages"`
	} `json:"sms"`
	Messages  []sent          `json:"messages"`
	MessageID account.Text    `json:"message_id"`
	Balance   json.RawMessage `json:"balance"`
}

// Text is what the answer says went wrong.
func (a answer) Text() string {
	msg := providers.Or(a.Message, a.Message2)
	for field, e := range a.Errors {
		b, _ := json.Marshal(e)
		msg += "; " + field + ": " + strings.Trim(string(b), `"`)
	}
	return strings.TrimPrefix(msg, "; ")
}

// first is the first message the answer names, or nil.
func (a answer) first() *sent {
	switch {
	case a.SMS != nil && len(a.SMS.Messages) > 0:
		return &a.SMS.Messages[0]
	case len(a.Messages) > 0:
		return &a.Messages[0]
	case a.MessageID != "":
		return &sent{ID: a.MessageID}
	}
	return nil
}

// do sends one request through providers.Exchange; 401 and 403 are refused
// credentials. Only an SMS can be delivered twice: the balance is safe.
func (c *Client) do(ctx context.Context, op, method, path string, body any) (*providers.Response, answer, error) {
	req := c.Request(Name, op, method, path, body)
	req.Safe, req.Limit = op != "send", 64<<10
	return account.Call[answer](ctx, &c.Account, req, http.StatusUnauthorized, http.StatusForbidden)
}

// SendSMS implements notify.SMS: POST /sms.json. A message Camoo did not
// accept is sent again as the retry policy allows (after a 429's Retry-After,
// or a connection never made); one that may have gone out (a timeout, a 5xx,
// an answer unreadable) is never resent here: its error is notify.ErrMaybeSent.
func (c *Client) SendSMS(ctx context.Context, m notify.Message) (notify.Receipt, error) {
	body, err := c.request(m)
	if err != nil {
		return notify.Receipt{}, err
	}
	for attempt := 1; ; attempt++ {
		rec, err := c.sendOnce(ctx, body)
		if err == nil {
			return rec, nil
		}
		d := c.retry.Decide(attempt, err, false)
		if !d.Retry || attempt >= maxAttempts {
			return notify.Receipt{}, classify("send", err)
		}
		if serr := c.clock.Sleep(ctx, d.Wait); serr != nil {
			return notify.Receipt{}, classify("send", err)
		}
	}
}

// request is the body of m, or an ErrRefused naming what is wrong with it
// (nothing is sent).
func (c *Client) request(m notify.Message) (map[string]any, error) {
	refuse := func(msg string) error {
		return &notify.Error{Class: notify.ErrRefused, Channel: "sms", Provider: Name, Op: "send", Message: msg}
	}
	to := strings.TrimPrefix(strings.TrimSpace(m.To), "+")
	if len(to) < 8 || len(to) > 15 || strings.Trim(to, "0123456789") != "" {
		return nil, refuse(fmt.Sprintf("to %q is not a phone number in E.164 (+237677123456): correct the number", m.To))
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, refuse("the message has no text")
	}
	if len(m.Reference) > 32 {
		return nil, refuse(fmt.Sprintf("reference %q is longer than 32 characters, which Camoo refuses", m.Reference))
	}
	if err := CheckSender(c.sender); err != nil {
		return nil, refuse(err.Error())
	}
	body := map[string]any{"from": c.sender, "to": "+" + to, "message": m.Text, "datacoding": "auto"}
	if m.Reference != "" {
		body["reference"] = m.Reference
	}
	if c.route != "" {
		body["route"] = c.route
	}
	if c.NotifyURL() != "" {
		body["notify_url"] = c.NotifyURL()
	}
	return body, nil
}

func (c *Client) sendOnce(ctx context.Context, body map[string]any) (notify.Receipt, error) {
	resp, a, err := c.do(ctx, "send", http.MethodPost, "/sms.json", body)
	if err != nil {
		return notify.Receipt{}, err
	}
	switch st := resp.Status; {
	case st == http.StatusOK || st == http.StatusCreated:
		s := a.first()
		if s == nil || providers.Or(string(s.ID), string(s.ID2)) == "" {
			return notify.Receipt{}, resp.Unreadable("answer", resp.Body)
		}
		var cost providers.WholeAmount
		json.Unmarshal(s.Price, &cost)
		return notify.Receipt{ID: providers.Or(string(s.ID), string(s.ID2)), Status: providers.Or(string(s.Status), "sent"),
			Cost: int64(cost)}, nil
	case st == http.StatusBadRequest, st == http.StatusPaymentRequired, st == http.StatusUnprocessableEntity:
		return notify.Receipt{}, resp.Error(providers.ErrRejected, providers.Or(a.Text(), resp.Snippet()))
	default: // a 5xx, or an acceptance we cannot read: it may have gone out
		return notify.Receipt{}, resp.Error(providers.ErrUnknownOutcome, providers.Or(a.Text(), resp.Snippet()))
	}
}

// Balance is what the SMS account holds: GET /sms/balance.json.
func (c *Client) Balance(ctx context.Context) (providers.Balance, error) {
	resp, a, err := c.do(ctx, "balance", http.MethodGet, "/sms/balance.json", nil)
	if err != nil {
		return providers.Balance{}, classify("balance", err)
	}
	var nested struct {
		Balance  providers.WholeAmount `json:"balance"`
		Currency string                `json:"currency"`
	}
	var flat providers.WholeAmount
	switch {
	case resp.Status != http.StatusOK || len(a.Balance) == 0:
	case json.Unmarshal(a.Balance, &nested) == nil:
		return providers.Balance{Amount: int64(nested.Balance), Currency: providers.Or(nested.Currency, "XAF")}, nil
	case json.Unmarshal(a.Balance, &flat) == nil:
		return providers.Balance{Amount: int64(flat), Currency: "XAF"}, nil
	}
	return providers.Balance{}, classify("balance", resp.Error(providers.ErrTransient, providers.Or(a.Text(), resp.Snippet())))
}

// classify turns a provider error into the notify class that says whether the
// message may have gone out; refused credentials are ErrRefused (a person
// must fix them).
func classify(op string, err error) error {
	var pe *providers.Error
	if !errors.As(err, &pe) {
		return &notify.Error{Class: notify.ErrMaybeSent, Channel: "sms", Provider: Name, Op: op, Err: err}
	}
	class := notify.ErrMaybeSent
	switch providers.Classify(err) {
	case providers.ErrTransient:
		class = notify.ErrNotSent
		if errors.Is(err, providers.ErrAuth) {
			class = notify.ErrRefused
		}
	case providers.ErrRejected, providers.ErrNotFound, providers.ErrDuplicate:
		class = notify.ErrRefused
	}
	return &notify.Error{Class: class, Channel: "sms", Provider: Name, Op: op, Status: pe.HTTPStatus, Message: pe.Message,
		RetryAfter: pe.RetryAfter, Err: pe.Err}
}
