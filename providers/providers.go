package providers

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
)

// IsUUID4 reports whether s is a version 4 UUID in its usual form
// (2ceefe04-1a79-4914-9dd0-c61748c2aecb): what bulkpay sends as its reference,
// and what CamPay requires as external_reference.
func IsUUID4(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && len(s) == 36 && u.Version() == 4 && u.Variant() == uuid.RFC4122
}

// Payout is one transfer to one beneficiary, as a client sends it.
type Payout struct {
	Reference   string // our own reference (UUID4), sent as the provider's idempotency key
	Phone       string // E.164 digits without '+', e.g. 237677123456
	Country     string // ISO 3166 region, e.g. CM
	Operator    string // carrier as detected: MTN, Orange, ...
	Amount      int64  // minor units of Currency (XAF has none)
	Currency    string
	Name        string
	Email       string
	Description string
}

// Balance is what one provider account holds; Account names a sub-account where
// the provider keeps several (CamPay keeps MTN and Orange apart), else it is empty.
type Balance struct {
	Account  string
	Amount   int64
	Currency string
}

// Contact is a payee to register with a provider that pays only known contacts.
type Contact struct {
	Phone   string // E.164 digits
	Country string
	Name    string
	Email   string
}

// IsProviderSide reports whether err is a definite refusal about the provider
// itself, after which another provider may be tried.
func IsProviderSide(err error) bool {
	var pe *Error
	return errors.As(err, &pe) && pe.ProviderSide && errors.Is(err, ErrRejected)
}

// Status is a provider's answer about a payout, reduced to what bulkpay acts on.
type Status string

const (
	StatusPending   Status = "pending"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
)

// Result is what a provider said about a payout.
type Result struct {
	ProviderReference string
	Status            Status
	Message           string // provider's own words, for people
	Amount            int64  // as the provider reports it, 0 when it did not say
	Fee               int64  // provider-reported fee, 0 when it did not say
	NetAmount         int64  // what the beneficiary receives per the provider, 0 when it did not say
	// ClientReference is our reference as the provider reports it with the
	// payout, "" when it did not say: what ties a payout the provider names
	// to the item it pays.
	ClientReference string
	// NotifyToken is the token the provider will send with its callback about
	// this payout (CinetPay's 2026 notify_token), "" when it gave none: the
	// ledger keeps its digest to authenticate that callback.
	NotifyToken string
}

// Error classes. Every error a client returns wraps exactly one of them.
var (
	// ErrRejected: the provider definitely refused; no money moved.
	ErrRejected = errors.New("rejected by provider")
	// ErrTransient: the request was not processed (never sent, or refused before
	// processing such as 429); the same request may be sent again.
	ErrTransient = errors.New("not processed, may be retried")
	// ErrUnknownOutcome: the request may have been processed; only the provider can tell.
	ErrUnknownOutcome = errors.New("outcome unknown")
	// ErrNotFound: a lookup found no such payout.
	ErrNotFound = errors.New("payout not found")
	// ErrDuplicate: the provider refused our reference as already used, without
	// saying what became of the first request. The payout exists; a person decides.
	ErrDuplicate = errors.New("reference already used at provider")
	// ErrAuth: the provider refused our credentials. It travels inside an Error of
	// class ErrTransient (nothing was processed); the run cannot go on without a fix.
	ErrAuth = errors.New("credentials refused")
	// ErrInsufficientFunds: the provider account cannot cover the payout. It
	// travels inside an Error of class ErrRejected: nothing moved, and nothing more
	// will through that account until it is funded.
	ErrInsufficientFunds = errors.New("provider balance too low")
)

// Error is a classified provider error with what travels with it.
type Error struct {
	Class      error  // one of the Err* classes above
	Provider   string // campay, cinetpay, ...
	Op         string // withdraw, status, token, ...
	HTTPStatus int
	Code       string // provider's error code, e.g. ER301
	Message    string
	RetryAfter time.Duration
	Err        error // underlying transport error, if any
	// ProviderSide marks a refusal about this provider, not the beneficiary
	// (operator unavailable, carrier unsupported, account not allowed): another
	// provider of the route may pay. Only meaningful with ErrRejected.
	ProviderSide bool
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %v", e.Provider, e.Op, e.Class)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.HTTPStatus)
		if e.Code != "" {
			fmt.Fprintf(&b, " %s", e.Code)
		}
		b.WriteString(")")
	} else if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap lets errors.Is match both the class and the transport error.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Class, e.Err}
	}
	return []error{e.Class}
}

// Classify returns which class err belongs to: ErrRejected, ErrTransient,
// ErrUnknownOutcome, ErrNotFound, ErrDuplicate, or ErrUnknownOutcome for anything
// unclassified (an unclassified error never proves that no money moved).
func Classify(err error) error {
	for _, c := range []error{ErrRejected, ErrTransient, ErrNotFound, ErrDuplicate, ErrUnknownOutcome} {
		if errors.Is(err, c) {
			return c
		}
	}
	return ErrUnknownOutcome
}

// NeverSent reports whether err proves the request never reached the server:
// a failed dial (refused, unreachable, DNS) before any byte was written, or a
// request held back by a shared rate limit (ErrHeldBack).
func NeverSent(err error) bool {
	if errors.Is(err, ErrHeldBack) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		var op *net.OpError
		return errors.As(err, &op) && op.Op == "dial"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	// the TLS handshake comes before the request: a certificate refused means
	// nothing was sent
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) {
		return true
	}
	var ue *url.Error
	if errors.As(err, &ue) && strings.Contains(ue.Err.Error(), "unsupported protocol scheme") {
		return true
	}
	return false
}

// RetryAfter reads a Retry-After header: seconds, or an HTTP date counted
// from now. Absent, it is 0; unreadable, one second; it is never more than a
// day (a larger value is no reason to overflow).
func RetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	const most = 24 * time.Hour
	if n, err := strconv.ParseInt(h, 10, 64); err == nil && n >= 0 {
		return min(time.Duration(min(n, int64(most/time.Second)))*time.Second, most)
	}
	if t, err := http.ParseTime(h); err == nil {
		return min(max(t.Sub(now), 0), most)
	}
	return time.Second
}

// Record is one line of a provider's own history of payouts.
type Record struct {
	ProviderReference string
	Phone             string
	Amount            int64
	Status            Status
	At                time.Time
}
