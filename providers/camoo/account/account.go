// Package account is what every call to Camoo carries, whichever of its APIs
// is called: the payouts (providers/camoo) and the SMS (notify/camoosms). It
// stands apart from both so that the SMS client does not depend on the
// payout client.
package account

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"bulkpay/providers"
)

// Account is one Camoo account: where its calls go (providers.Base), the API
// key and secret, and where Camoo sends its notifications.
type Account struct {
	providers.Base
	key, secret string
	notifyURL   string
}

// New is an account at url, without keys.
func New(url string) Account { return Account{Base: providers.NewBase(url)} }

// SetKeys sets the API key and secret.
func (a *Account) SetKeys(key, secret string) { a.key, a.secret = key, secret }

// SetNotifyURL sets where Camoo sends its notifications.
func (a *Account) SetNotifyURL(u string) { a.notifyURL = u }

// NotifyURL is where Camoo sends its notifications, "" when unset.
func (a *Account) NotifyURL() string { return a.notifyURL }

// Request is a call to path (below the account's URL) as op of provider:
// body as JSON (none when nil), the key and secret sent as X-Api-Key and
// X-Api-Secret and kept out of every error.
func (a *Account) Request(provider, op, method, path string, body any) providers.Request {
	var b []byte
	h := http.Header{}
	if body != nil {
		b, _ = json.Marshal(body)
		h.Set("Content-Type", "application/json")
	}
	h.Set("X-Api-Key", a.key)
	h.Set("X-Api-Secret", a.secret)
	return providers.Request{Provider: provider, Op: op, Method: method, URL: a.URL + path, Header: h, Body: b,
		Secrets: []string{a.key, a.secret}}
}

// Answer is one of Camoo's answers: what it says went wrong, in words.
type Answer interface{ Text() string }

// Call sends req from the account's http.Client through providers.Exchange
// and reads the answer into an A, whose words explain an error; an answer
// whose status is one of refused is credentials refused (providers.ErrAuth:
// nothing was processed).
func Call[A Answer](ctx context.Context, a *Account, req providers.Request, refused ...int) (*providers.Response, A, error) {
	var zero A
	req.Explain = func(b []byte) string {
		var ans A
		json.Unmarshal(b, &ans)
		return ans.Text()
	}
	resp, err := providers.Exchange(ctx, a.HTTP, req)
	if err != nil {
		return nil, zero, err
	}
	var ans A
	json.Unmarshal(resp.Body, &ans)
	if slices.Contains(refused, resp.Status) {
		return nil, ans, resp.AuthError(providers.Or(ans.Text(), "credentials refused"))
	}
	return resp, ans, nil
}

// Text is a string Camoo may also write as a number (an id, a phone number),
// in its payouts' answers and its SMS answers alike.
type Text string

// UnmarshalJSON accepts a string, a number or null.
func (t *Text) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "null":
		*t = ""
	case strings.HasPrefix(s, `"`):
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		*t = Text(str)
	default: // a number, kept as written
		*t = Text(s)
	}
	return nil
}
