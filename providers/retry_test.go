package providers_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
)

// upper is a jitter that always picks the top of the range: the wait is then
// the full backoff, 500ms, 1s, 2s, 4s, ...
func upper(n int64) int64 { return n - 1 }

// TestDecide crosses every class with idempotent or not, the attempt count and
// the Retry-After. What is resent at all depends only on the class and on
// idempotency (the first table); attempts beyond Max and a Retry-After beyond
// MaxRetryAfter stop any resend; the wait is the Retry-After when there is
// one, else the backoff of that attempt.
func TestDecide(t *testing.T) {
	t.Parallel()
	type class struct {
		name string
		err  func(retryAfter time.Duration) error
		// resent when idempotent / when not
		idem, blind bool
	}
	classed := func(c error, extra error) func(time.Duration) error {
		return func(ra time.Duration) error {
			return &providers.Error{Class: c, Provider: "campay", Op: "withdraw", RetryAfter: ra, Err: extra}
		}
	}
	classes := []class{
		{"transient (never sent, 429)", classed(providers.ErrTransient, nil), true, true},
		{"unknown outcome (5xx, timeout)", classed(providers.ErrUnknownOutcome, nil), true, false},
		{"rejected", classed(providers.ErrRejected, nil), false, false},
		{"rejected, insufficient funds", classed(providers.ErrRejected, providers.ErrInsufficientFunds), false, false},
		{"duplicate", classed(providers.ErrDuplicate, nil), false, false},
		{"not found", classed(providers.ErrNotFound, nil), false, false},
		{"credentials refused", classed(providers.ErrTransient, providers.ErrAuth), false, false},
		{"certificate refused", classed(providers.ErrTransient, x509.UnknownAuthorityError{}), false, false},
		{"unusable URL", classed(providers.ErrTransient, &url.Error{Op: "Post", URL: "ftp://x", Err: errors.New(`unsupported protocol scheme "ftp"`)}), false, false},
		{"unclassified (taken as unknown)", func(time.Duration) error { return errors.New("something") }, true, false},
		{"cancelled", func(time.Duration) error { return fmt.Errorf("send: %w", context.Canceled) }, false, false},
	}
	backoff := map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 3: 2 * time.Second, 4: 4 * time.Second}
	policy := providers.Retry{Jitter: upper} // Max 4, Base 500ms, Cap 30s, MaxRetryAfter 2m
	for _, c := range classes {
		for _, idempotent := range []bool{true, false} {
			for _, attempt := range []int{1, 2, 4, 5, 9} {
				for _, ra := range []time.Duration{0, 3 * time.Second, 2 * time.Minute, 10 * time.Minute} {
					name := fmt.Sprintf("%s/idempotent=%v/attempt=%d/retry-after=%s", c.name, idempotent, attempt, ra)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						err := c.err(ra)
						var pe *providers.Error
						if !errors.As(err, &pe) {
							ra = 0 // only a providers.Error carries a Retry-After
						}
						resent := c.blind || (idempotent && c.idem)
						wantRetry := resent && attempt <= 4 && ra <= 2*time.Minute
						d := policy.Decide(attempt, err, idempotent)
						assert.Equal(t, wantRetry, d.Retry, d.Why)
						assert.NotEmpty(t, d.Why)
						if !wantRetry {
							return
						}
						want := backoff[attempt]
						if ra > 0 {
							want = ra
						}
						assert.Equal(t, want, d.Wait)
					})
				}
			}
		}
	}
}

func TestDecideSuccessAndNoRetries(t *testing.T) {
	t.Parallel()
	transient := &providers.Error{Class: providers.ErrTransient}
	assert.False(t, providers.Retry{}.Decide(1, nil, true).Retry, "a success is not resent")
	assert.False(t, providers.Retry{Max: -1}.Decide(1, transient, true).Retry, "a negative Max allows none")
	assert.True(t, providers.Retry{Max: 1}.Decide(1, transient, false).Retry)
	assert.False(t, providers.Retry{Max: 1}.Decide(2, transient, false).Retry)
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	t.Parallel()
	transient := &providers.Error{Class: providers.ErrTransient}
	cases := []struct {
		name    string
		policy  providers.Retry
		attempt int
		want    time.Duration
	}{
		{"top of the jitter", providers.Retry{Max: 100, Jitter: upper}, 3, 2 * time.Second},
		{"bottom of the jitter is half", providers.Retry{Max: 100, Jitter: func(int64) int64 { return 0 }}, 3, time.Second},
		{"capped at 30s", providers.Retry{Max: 100, Jitter: upper}, 9, 30 * time.Second},
		{"capped after many attempts, no overflow", providers.Retry{Max: 1000, Jitter: upper}, 900, 30 * time.Second},
		{"own base and cap", providers.Retry{Max: 100, Base: time.Second, Cap: 5 * time.Second, Jitter: upper}, 4, 5 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := tc.policy.Decide(tc.attempt, transient, false)
			require.True(t, d.Retry)
			assert.Equal(t, tc.want, d.Wait)
		})
	}
	// the real jitter stays within [half, full]
	for range 200 {
		d := providers.Retry{}.Decide(2, transient, false)
		assert.GreaterOrEqual(t, d.Wait, 500*time.Millisecond)
		assert.LessOrEqual(t, d.Wait, time.Second)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"3", 3 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"99999999999999999", 24 * time.Hour},
		{now.Add(90 * time.Second).Format(http1123), 90 * time.Second},
		{now.Add(-time.Minute).Format(http1123), 0},
		{"soon", time.Second},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, providers.RetryAfter(tc.header, now), "%q", tc.header)
	}
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"
