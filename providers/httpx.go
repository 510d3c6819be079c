package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Doer sends one HTTP request; an *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// MaxAnswer is the largest answer Exchange reads unless a Request says
// otherwise: providers answer with small JSON, and a larger answer is a fault.
const MaxAnswer = 1 << 20

// Request is one HTTP exchange with a provider, as a client describes it to
// Exchange.
type Request struct {
	Provider string // campay, cinetpay, ... (named in errors)
	Op       string // withdraw, status, token, ... (named in errors)
	Method   string
	URL      string      // the whole URL, query included
	Header   http.Header // Accept: application/json is added when absent
	Body     []byte      // sent as is; nil for none
	// Safe marks a request that moves no money (a lookup, a balance, a login,
	// a contact): an answer lost or unreadable is then ErrTransient, since
	// sending it again cannot pay anyone. Unmarked requests are payouts: an
	// answer lost after sending is ErrUnknownOutcome.
	Safe bool
	// Secrets are values that never appear in an error: keys, tokens,
	// passwords. Whatever it holds, the query string is dropped from every URL
	// in an error. Values shorter than 4 bytes are not searched for (they would
	// match ordinary words).
	Secrets []string
	// Limit is the largest answer read, in bytes; MaxAnswer when 0. A larger
	// answer is an error, never silently cut.
	Limit int64
	// Explain reads the provider's own words from an error answer (used for
	// 429); nil when the answer has none.
	Explain func(body []byte) string
}

// Response is a provider's answer, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	req    Request
}

// Exchange sends r through d with ctx and reads the answer. Its error is
// always an *Error that says whether money may have moved:
//
//   - a request that could not be built, a connection never made (refused,
//     unreachable, DNS): ErrTransient, nothing was sent;
//   - anything after the request may have left (reset, timeout, an answer cut
//     off or larger than r.Limit): ErrUnknownOutcome, or ErrTransient when
//     r.Safe;
//   - HTTP 429: ErrTransient with the Retry-After, and the Response as well.
//
// Any other status is the caller's to read from the Response. No error names
// the URL's query string or any of r.Secrets.
func Exchange(ctx context.Context, d Doer, r Request) (*Response, error) {
	return exchange(ctx, d, r, nil)
}

// Stream is Exchange for an answer of any length (a history of many payouts):
// the body of a 200 answer is handed to read as it arrives, never read whole,
// and the Response returned has no Body. Any other status is read whole, up
// to r.Limit, and returned as Exchange returns it, without calling read. An
// error of EachJSON in read (the answer cut off, unreadable, or holding an
// entry larger than its limit) is the request's *Error, as Exchange classes
// an answer cut off; any other error of read is returned as it is.
func Stream(ctx context.Context, d Doer, r Request, read func(body io.Reader) error) (*Response, error) {
	return exchange(ctx, d, r, read)
}

func exchange(ctx context.Context, d Doer, r Request, stream func(io.Reader) error) (*Response, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, r.fail(ErrTransient, 0, "request not built, nothing was sent", err)
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := d.Do(req)
	if err != nil {
		class := ErrUnknownOutcome
		if NeverSent(err) {
			class = ErrTransient
		}
		return nil, r.fail(class, 0, "", err)
	}
	defer resp.Body.Close()
	if stream != nil && resp.StatusCode == http.StatusOK {
		if err := stream(resp.Body); err != nil {
			var u *unreadable
			if !errors.As(err, &u) {
				return nil, err
			}
			var large *EntryTooLarge
			if errors.As(err, &large) {
				return nil, r.fail(ErrUnknownOutcome, resp.StatusCode, large.Error(), nil)
			}
			msg := "answer cut off"
			if !u.cut {
				msg = "answer unreadable"
			}
			return nil, r.fail(ErrUnknownOutcome, resp.StatusCode, msg, u.err)
		}
		return &Response{Status: resp.StatusCode, Header: resp.Header, req: r}, nil
	}
	limit := r.Limit
	if limit <= 0 {
		limit = MaxAnswer
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, r.fail(ErrUnknownOutcome, resp.StatusCode, "answer cut off", err)
	}
	if int64(len(b)) > limit {
		return nil, r.fail(ErrUnknownOutcome, resp.StatusCode,
			fmt.Sprintf("answer larger than %d bytes, not read: ask the provider what became of the request", limit), nil)
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: b, req: r}
	if resp.StatusCode == http.StatusTooManyRequests {
		msg := "too many requests"
		if r.Explain != nil {
			msg = Or(r.Explain(b), msg)
		}
		pe := r.fail(ErrTransient, resp.StatusCode, msg, nil)
		pe.RetryAfter = RetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return out, pe
	}
	return out, nil
}

// fail builds the request's error of class (an outcome in doubt on a safe
// request is transient), with every secret taken out.
func (r Request) fail(class error, status int, msg string, err error) *Error {
	if r.Safe && class == ErrUnknownOutcome {
		class = ErrTransient
	}
	return &Error{Class: class, Provider: r.Provider, Op: r.Op, HTTPStatus: status, Message: r.redact(msg), Err: r.scrub(err)}
}

// redact replaces each secret in s, as written and as escaped in a URL.
func (r Request) redact(s string) string {
	for _, sec := range r.Secrets {
		if len(sec) < 4 {
			continue
		}
		for _, form := range []string{sec, url.PathEscape(sec), url.QueryEscape(sec)} {
			s = strings.ReplaceAll(s, form, "{redacted}")
		}
	}
	return s
}

// scrub takes the query string and the secrets out of a transport error,
// keeping what it wraps for errors.Is (a refused connection, a deadline).
func (r Request) scrub(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		u, _, _ := strings.Cut(ue.URL, "?")
		ue.URL = r.redact(u)
	}
	msg := err.Error()
	if clean := queries.ReplaceAllString(r.redact(msg), "$1"); clean != msg {
		return &redacted{msg: clean, err: err}
	}
	return err
}

// queries matches a URL's query string, to drop it from any error text.
var queries = regexp.MustCompile(`(https?://[^\s"?]*)\?[^\s"]*`)

// redacted is a transport error whose text has had its secrets taken out; it
// still unwraps to the error it stands for.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// Error returns an error of class about this answer: the provider, the
// operation and the HTTP status filled in, an outcome in doubt on a safe
// request made transient, and msg free of the request's secrets. The caller
// may set Code, Err or ProviderSide on it.
func (a *Response) Error(class error, msg string) *Error {
	return a.req.fail(class, a.Status, msg, nil)
}

// AuthError is the error for an answer that refused our credentials: of
// class ErrTransient (nothing was processed) with ErrAuth inside, so that the
// run stops for a fix instead of sending again.
func (a *Response) AuthError(msg string) *Error {
	pe := a.Error(ErrTransient, msg)
	pe.Err = ErrAuth
	return pe
}

// Snippet is the start of the answer for messages, free of the request's secrets.
func (a *Response) Snippet() string { return a.req.redact(Snippet(a.Body)) }

// JSON decodes the answer into v; an answer that is not JSON is an error of
// this request ("answer unreadable", in doubt unless the request is safe).
func (a *Response) JSON(v any) error {
	if err := json.Unmarshal(a.Body, v); err != nil {
		return a.Unreadable("answer", a.Body)
	}
	return nil
}

// Unreadable is the error for a part of the answer (what: "answer",
// "transfers", ...) that could not be read: the request may have been
// processed, so it is ErrUnknownOutcome, or ErrTransient on a safe request.
func (a *Response) Unreadable(what string, raw []byte) *Error {
	return a.Error(ErrUnknownOutcome, what+" unreadable: "+a.req.redact(Snippet(raw)))
}

// Snippet shortens an answer body for messages.
func Snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// Or returns a unless it is empty, else b.
func Or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// SplitE164 splits E.164 digits into the country calling code and the national
// number: "2250701020304" → "225", "0701020304".
func SplitE164(e164 string) (string, string) {
	num, err := phonenumbers.Parse("+"+e164, "")
	if err != nil {
		return "", e164
	}
	prefix := strings.TrimPrefix(phonenumbers.Format(num, phonenumbers.E164), "+")
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	return prefix[:len(prefix)-len(nsn)], nsn
}

// RegionOf returns the ISO region of E.164 digits ("2250701020304" → "CI"), or
// "" when they are not a number.
func RegionOf(e164 string) string {
	num, err := phonenumbers.Parse("+"+strings.TrimPrefix(e164, "+"), "")
	if err != nil {
		return ""
	}
	if r := phonenumbers.GetRegionCodeForNumber(num); r != "" && r != "ZZ" {
		return r
	}
	return ""
}
