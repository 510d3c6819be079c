package camoo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"bulkpay/providers"
)

// Callbacks reads and verifies Camoo's notifications. Safe for concurrent use.
// Camoo sends again until it gets a 200.
type Callbacks struct {
	providers.CallbackName
	secret []byte
}

var _ providers.CallbackParser = (*Callbacks)(nil)

// NewCallbacks verifies Camoo's notifications with the API secret (read from
// the environment variable the config names).
func NewCallbacks(apiSecret string) (*Callbacks, error) {
	if apiSecret == "" {
		return nil, errors.New("camoo callbacks: no API secret")
	}
	return &Callbacks{CallbackName: Name, secret: []byte(apiSecret)}, nil
}

// ParseCallback reads a Camoo notification: a GET to the cashout's
// notification_url with payment_id, status, status_time, trx (our
// external_reference) and sig, the hex HMAC-SHA256 keyed with the API secret
// of every other parameter, sorted by name, written k=v (RFC 3986 encoded)
// and joined with &. The item the URL names (/callbacks/camoo/{item}) must be
// the one trx names when both do.
func (c *Callbacks) ParseCallback(r *http.Request) (providers.Callback, error) {
	raw, q, err := providers.CallbackValues(r) // a POST's form is read as a GET's query
	refuse := func(class error, reason string) (providers.Callback, error) {
		return providers.Callback{}, providers.RefuseCallback(Name, r, raw, class, reason)
	}
	if err != nil {
		return refuse(providers.ErrCallbackMalformed, err.Error())
	}
	sig := q.Get("sig")
	if sig == "" {
		return refuse(providers.ErrCallbackSignature, "no sig")
	}
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, c.mac(q)) {
		return refuse(providers.ErrCallbackSignature, "sig does not match the API secret")
	}
	id := q.Get("payment_id")
	if id == "" {
		return refuse(providers.ErrCallbackMalformed, "no payment_id")
	}
	item := q.Get("trx")
	if p := providers.PathItem(r, Name); p != "" {
		if item != "" && item != p {
			return refuse(providers.ErrCallbackMalformed, "the URL and trx name different items")
		}
		item = p
	}
	cb := providers.Callback{Provider: Name, ItemReference: item, ProviderReference: id, ProviderStatus: q.Get("status"),
		Signed: true, SourceAddr: providers.SourceIP(r), Method: r.Method, Raw: raw}
	if cb.ProviderStatus != "" {
		cb.Status = StatusOf(cb.ProviderStatus)
	}
	return cb, nil
}

// mac is the HMAC-SHA256 of the parameters other than sig, as Camoo signs them.
func (c *Callbacks) mac(q url.Values) []byte {
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "sig" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = providers.RFC3986Escape(k) + "=" + providers.RFC3986Escape(q.Get(k))
	}
	m := hmac.New(sha256.New, c.secret)
	m.Write([]byte(strings.Join(pairs, "&")))
	return m.Sum(nil)
}
