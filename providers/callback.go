package providers

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Callback is one notification a provider sent about a payout, read and
// verified as that provider signs it. Nothing in it is to be believed about
// money: Status is what the sender claims, and only a lookup by
// ProviderReference (or, for CinetPay, by ItemReference) moves an item.
type Callback struct {
	Provider string
	// ItemReference is ours: from the per-item notification URL
	// (/callbacks/{provider}/{item_reference}) or a field of the body that
	// carries it (CamPay external_reference, My-CoolPay app_transaction_ref,
	// Camoo trx, CinetPay client_transaction_id); empty when neither names it.
	ItemReference string
	// ProviderReference is the provider's own id of the payout, to look it up by.
	ProviderReference string
	// Status is what the callback says, reduced; empty when it says nothing
	// bulkpay knows. ProviderStatus is the provider's own word.
	Status         Status
	ProviderStatus string
	Amount         int64 // as the callback says; 0 when it does not
	// Ping marks a notification that carries nothing (CinetPay's empty GET
	// before the real one): acknowledge it and record nothing.
	Ping bool
	// Signed reports whether the provider signs its callbacks and the
	// signature was checked (CinetPay's are unsigned).
	Signed     bool
	SourceAddr string // the sender's IP address, from the connection
	Method     string
	// Raw is what was received, as evidence: the query string of a GET, else
	// the body (at most MaxCallbackBody bytes). It holds no secret of ours.
	Raw string
	// Token is what a provider that authenticates its callbacks with a token
	// per payout sends to prove it (CinetPay's 2026 notify_token, returned
	// when the payout was initiated), "" for the others: batch.Confirm
	// compares it with the digest the payout's item keeps. It is never in Raw.
	Token string
}

// The classes of a refused callback. Every error a ParseCallback returns
// wraps exactly one of them, inside a *CallbackError.
var (
	// ErrCallbackSignature: the signature is missing, wrong, made with an
	// algorithm bulkpay does not accept, or names another application. HTTP 401.
	ErrCallbackSignature = errors.New("callback signature not valid")
	// ErrCallbackSource: the callback came from an address the provider does
	// not send from. HTTP 403.
	ErrCallbackSource = errors.New("callback from an address not allowed")
	// ErrCallbackMalformed: the callback cannot be read, or lacks what it must
	// carry (the provider's reference). HTTP 400.
	ErrCallbackMalformed = errors.New("callback malformed")
)

// MaxCallbackBody is the most of a callback's body that is read: providers
// send a few hundred bytes.
const MaxCallbackBody = 64 << 10

// CallbackError is a refused callback. Reason says why in words that hold no
// secret (never the key, never the signature expected); SourceAddr and Raw are
// the evidence to keep.
type CallbackError struct {
	Class      error // ErrCallbackSignature, ErrCallbackSource or ErrCallbackMalformed
	Provider   string
	Reason     string
	SourceAddr string
	Raw        string
}

func (e *CallbackError) Error() string {
	return fmt.Sprintf("%s callback from %s: %v: %s", e.Provider, Or(e.SourceAddr, "an unknown address"), e.Class, e.Reason)
}

// Unwrap lets errors.Is match the class.
func (e *CallbackError) Unwrap() error { return e.Class }

// CallbackStatus is the HTTP status to answer a callback with after
// ParseCallback returned err: 200 for none, 401 for a bad signature, 403 for
// a wrong source, 400 for a malformed callback, 500 for anything else.
func CallbackStatus(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrCallbackSignature):
		return http.StatusUnauthorized
	case errors.Is(err, ErrCallbackSource):
		return http.StatusForbidden
	case errors.Is(err, ErrCallbackMalformed):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// CallbackParser reads and verifies one provider's callbacks. Each provider
// package has one (NewCallbacks); ParseCallback is pure: it reads the request
// and checks it, remembers nothing, so the same callback twice parses twice
// (recognising a repeat is the receiver's business).
type CallbackParser interface {
	Provider() string
	ParseCallback(r *http.Request) (Callback, error)
	// Answer is the status and body the provider expects in reply to a
	// callback that ParseCallback answered with err (My-CoolPay wants "OK"
	// or "KO").
	Answer(err error) (status int, body string)
}

// CallbackName is the part of a CallbackParser every provider's reader has
// the same: it names the provider and answers as CallbackAnswer does. A
// provider's Callbacks embeds it, set to the provider's Name.
type CallbackName string

// Provider implements CallbackParser.
func (n CallbackName) Provider() string { return string(n) }

// Answer implements CallbackParser: CallbackAnswer.
func (CallbackName) Answer(err error) (int, string) { return CallbackAnswer(err) }

// CallbackPath is where bulkpay receives a provider's callbacks, below its
// public URL: /callbacks/{provider}. Providers that take a notification URL
// per payout get CallbackPath(provider)+"/"+item reference.
func CallbackPath(provider string) string { return "/callbacks/" + provider }

// ItemCallbackURL is the notification URL bulkpay gives a provider for one
// item: {publicURL}/callbacks/{provider}/{item reference}; empty when
// publicURL is.
func ItemCallbackURL(publicURL, provider, itemReference string) string {
	if publicURL == "" {
		return ""
	}
	return strings.TrimRight(publicURL, "/") + CallbackPath(provider) + "/" + url.PathEscape(itemReference)
}

// PathItem is the item reference a callback's URL names, the segment after
// /callbacks/{provider}/, or "" when the URL names none. A ServeMux pattern
// with {item_reference} is read first.
func PathItem(r *http.Request, provider string) string {
	if v := r.PathValue("item_reference"); v != "" {
		return v
	}
	prefix := CallbackPath(provider) + "/"
	i := strings.Index(r.URL.Path, prefix)
	if i < 0 {
		return ""
	}
	rest := strings.Trim(r.URL.Path[i+len(prefix):], "/")
	if strings.Contains(rest, "/") {
		return ""
	}
	return rest
}

// SourceIP is the IP address a request came from, as the connection says
// (never a header a sender could write).
func SourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ReadCallbackBody reads at most MaxCallbackBody bytes of r's body; a longer
// body is malformed.
func ReadCallbackBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxCallbackBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxCallbackBody {
		return nil, fmt.Errorf("body longer than %d bytes", MaxCallbackBody)
	}
	return b, nil
}

// CallbackValues reads a callback's fields: the URL's query for a GET, else
// the form its body carries (at most MaxCallbackBody bytes). raw is what was
// read, the evidence to keep whatever is refused; an error says why the
// callback is malformed.
func CallbackValues(r *http.Request) (raw string, fields url.Values, err error) {
	if r.Method == http.MethodGet {
		fields, err = parseCallbackValues(r.URL.RawQuery, "query")
		return r.URL.RawQuery, fields, err
	}
	body, err := ReadCallbackBody(r)
	if err != nil {
		return "", nil, err
	}
	fields, err = parseCallbackValues(string(body), "form")
	return string(body), fields, err
}

// parseCallbackValues parses raw, a query or a form (what says which), and
// refuses a field given more than once: a signature over one of its values
// would say nothing of the other.
func parseCallbackValues(raw, what string) (url.Values, error) {
	fields, err := url.ParseQuery(raw)
	if err != nil {
		return nil, errors.New(what + " not readable")
	}
	for k, v := range fields {
		if len(v) > 1 {
			return nil, fmt.Errorf("field %s given %d times", k, len(v))
		}
	}
	return fields, nil
}

// AllowList is a set of source addresses; an empty list allows every address.
type AllowList []string

// Allows reports whether ip is on the list (or the list is empty).
func (l AllowList) Allows(ip string) bool {
	if len(l) == 0 {
		return true
	}
	addr := net.ParseIP(ip)
	for _, a := range l {
		if _, n, err := net.ParseCIDR(a); err == nil {
			if addr != nil && n.Contains(addr) {
				return true
			}
			continue
		}
		if want := net.ParseIP(a); want != nil && addr != nil && want.Equal(addr) {
			return true
		}
	}
	return false
}

// RFC3986Escape writes s with every byte other than the unreserved
// characters (A-Z a-z 0-9 - . _ ~) as %XX, upper case: PHP's rawurlencode,
// which signing schemes over sorted parameters use (a space is %20, never +).
func RFC3986Escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// RefuseCallback is the error for a callback from r refused as class.
func RefuseCallback(provider string, r *http.Request, raw string, class error, reason string) *CallbackError {
	return &CallbackError{Class: class, Provider: provider, Reason: reason, SourceAddr: SourceIP(r), Raw: raw}
}

// CallbackAnswer is the status and body that answer a callback ParseCallback
// answered with err: "OK" with 200, else "KO" with CallbackStatus(err) (the
// words My-CoolPay asks for; the others read only the status).
func CallbackAnswer(err error) (int, string) {
	if err == nil {
		return http.StatusOK, "OK"
	}
	return CallbackStatus(err), "KO"
}
