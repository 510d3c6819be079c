package providers

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"
)

// Clock tells the time and waits. Every wait of the call stack goes through
// one, so tests inject a clock that never sleeps (providerstest.Clock).
type Clock interface {
	Now() time.Time
	// Sleep waits d, or returns ctx.Err() as soon as ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the wall clock.
var SystemClock Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Retry says when a failed call is sent again. It follows stripe-go's
// shouldRetry, with bulkpay's error classes in place of HTTP statuses: what
// decides is whether money may have moved, and whether sending the same
// request again can pay twice.
type Retry struct {
	Max  int           // resends after the first attempt; 4 when 0, none when negative
	Base time.Duration // the first backoff; 500ms when 0
	Cap  time.Duration // the longest backoff; 30s when 0
	// MaxRetryAfter is the longest Retry-After waited for; a provider asking
	// for more is not retried (its items wait for the next run). 2m when 0.
	MaxRetryAfter time.Duration
	// Jitter returns a number in [0, n); math/rand/v2 when nil. Tests set it.
	Jitter func(n int64) int64
}

// Decision is what Decide says about one failed attempt.
type Decision struct {
	Retry bool
	Wait  time.Duration // before the resend
	Why   string        // for logs: why it is, or is not, sent again
}

// Decide says whether a call that failed with err on its attempt-th try (1
// for the first) is sent again, and after how long. idempotent says that
// sending the same request again cannot pay twice: a read, or a payout the
// provider recognises by our reference (CamPay's external_reference).
//
//   - ErrTransient (never sent, or refused before processing such as 429):
//     sent again, idempotent or not, after the Retry-After the provider asked
//     for or an exponential backoff with jitter;
//   - ErrUnknownOutcome (it may have been processed): sent again only when
//     idempotent; otherwise it is settled by a lookup, never resent blindly;
//   - ErrRejected, ErrDuplicate, ErrNotFound: definite answers, never resent;
//   - never resent either: credentials refused (ErrAuth), a certificate
//     refused or a URL the client cannot use (resending changes nothing), a
//     cancelled call, a Retry-After longer than MaxRetryAfter, and anything
//     once Max resends are spent.
func (p Retry) Decide(attempt int, err error, idempotent bool) Decision {
	p.defaults()
	if err == nil {
		return Decision{Why: "succeeded"}
	}
	if errors.Is(err, context.Canceled) {
		return Decision{Why: "cancelled"}
	}
	if p.Max < 0 || attempt > p.Max {
		return Decision{Why: fmt.Sprintf("gave up after %d attempts", attempt)}
	}
	if why := permanent(err); why != "" {
		return Decision{Why: why}
	}
	var after time.Duration
	var pe *Error
	if errors.As(err, &pe) {
		after = pe.RetryAfter
	}
	switch Classify(err) {
	case ErrTransient:
	case ErrUnknownOutcome:
		if !idempotent {
			return Decision{Why: "it may have been processed: settle it by reference, never resend it blindly"}
		}
	default:
		return Decision{Why: "the provider answered definitely"}
	}
	if after > 0 {
		if after > p.MaxRetryAfter {
			return Decision{Why: fmt.Sprintf("the provider asks to wait %s, longer than %s", after, p.MaxRetryAfter)}
		}
		return Decision{Retry: true, Wait: after, Why: "the provider asked to wait"}
	}
	return Decision{Retry: true, Wait: p.backoff(attempt), Why: "not processed, safe to send again"}
}

// backoff is exponential from Base, capped at Cap, with the upper half
// jittered so that lanes that failed together do not resend together.
func (p Retry) backoff(attempt int) time.Duration {
	d := p.Base
	for i := 1; i < attempt && d < p.Cap; i++ {
		d *= 2
	}
	d = min(d, p.Cap)
	return d/2 + time.Duration(p.Jitter(int64(d/2)+1))
}

func (p *Retry) defaults() {
	if p.Max == 0 {
		p.Max = 4
	}
	if p.Base <= 0 {
		p.Base = 500 * time.Millisecond
	}
	if p.Cap <= 0 {
		p.Cap = 30 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 2 * time.Minute
	}
	if p.Jitter == nil {
		p.Jitter = rand.Int64N
	}
}

// permanent says why resending err would change nothing, or "".
func permanent(err error) string {
	if errors.Is(err, ErrAuth) {
		return "credentials refused: a person must fix them"
	}
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var hn x509.HostnameError
	if errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &hn) {
		return "the provider's certificate was refused"
	}
	var ue *url.Error
	if errors.As(err, &ue) && (strings.Contains(ue.Err.Error(), "unsupported protocol scheme") || strings.Contains(ue.Err.Error(), "stopped after")) {
		return "the URL cannot be used: " + ue.Err.Error()
	}
	return ""
}
