package providers

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Caller makes the calls to one provider: every call a door or the runner
// makes to a client (Send, Check, Settle, Balances, AddContacts, ...) goes
// through the provider's Caller, which paces, bounds, retries and logs it.
// Stack builds one.
type Caller interface {
	// Call runs fn, the call itself, as op says, and returns its last error.
	Call(ctx context.Context, op Op, fn func(context.Context) error) error
}

// Op describes one call to the wrappers of a Caller.
type Op struct {
	Name string // send, status, settle, balance, contacts, ... (for logs)
	// Idempotent: sending the same request again cannot pay twice (a read, a
	// contact, a payout the provider recognises by our reference). Only then
	// is an outcome in doubt sent again; what was not processed always may be.
	Idempotent bool
	// Retries overrides the resends allowed for this call: 0 keeps the
	// Caller's Retry.Max, a negative number allows none.
	Retries int
	// BeforeRetry, when set, runs before each resend, after the wait, with the
	// attempt that failed (1 for the first) and its error: the runner closes
	// that attempt in the ledger and opens the next one here. An error from it
	// ends the call with that error.
	BeforeRetry func(ctx context.Context, attempt int, err error) error
}

// Options says how the calls to one provider are paced and retried.
type Options struct {
	Provider    string
	Rate        float64 // requests per second; unlimited when 0
	Burst       int     // 1 when 0
	Concurrency int     // calls in flight at once; 1 when 0
	Retry       Retry
	Log         *slog.Logger // discarded when nil
	Clock       Clock        // SystemClock when nil
	// Gate, when set, gives each attempt its turn after the pace and bound of
	// the process: the rate and concurrency kept for several processes
	// together (a ledger shared by several workers). An error from it means
	// no turn: the attempt does not leave. release gives the turn's slot back.
	Gate func(ctx context.Context) (release func(), err error)
}

// Stack returns the Caller of one provider, its wrappers stacked here and
// nowhere else, from the outside in:
//
//	retry   sends again what Retry.Decide allows, waiting on the clock
//	log     one debug line per attempt: provider, op, attempt, time, class
//	pace    the rate limit (x/time/rate); after a Retry-After no call before
//	        it has passed, and the rate halves until calls go through again
//	bound   at most Concurrency calls in flight
//	gate    when set, a turn under the pace several processes keep together
//	fn      the client's method, which sends through Exchange
//
// How the doors and the runner use it (one Caller per provider, shared by
// everything that calls that provider in the process, so that its rate limit
// holds):
//
//	lane := providers.Stack(providers.Options{Provider: "campay", Rate: 5, Concurrency: 2, Log: log})
//
//	// runner, a payout: only what was not processed is resent; each resend
//	// is a new attempt in the ledger
//	res, err := providers.Call(ctx, lane, providers.Op{Name: "send",
//		BeforeRetry: func(ctx context.Context, n int, err error) error { /* end attempt n, start the next */ }},
//		func(ctx context.Context) (providers.Result, error) { return p.Send(ctx, payout) })
//
//	// runner, contacts: adding one twice is harmless
//	errs, err := providers.Call(ctx, lane, providers.Op{Name: "contacts", Idempotent: true}, ...)
//
//	// balances before a run: a read, three attempts at most
//	bs, err := providers.Call(ctx, lane, providers.Op{Name: "balance", Idempotent: true, Retries: 2}, ...)
//
//	// status polling: the next round asks again, so no resend here
//	res, err := providers.Call(ctx, lane, providers.Op{Name: "status", Idempotent: true, Retries: -1}, ...)
//
// The error that comes back is the last attempt's, its class intact: a
// transient one means the provider kept refusing to process (retries spent,
// credentials refused, a Retry-After too long): its lane should claim nothing
// more this run. An error from the Caller itself (the context ended while
// waiting for the rate limit or a slot) is ErrTransient: nothing was sent.
func Stack(o Options) Caller {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = SystemClock
	}
	var c Caller = direct{}
	if o.Gate != nil {
		c = gated{next: c, provider: o.Provider, gate: o.Gate}
	}
	c = bound(c, o.Provider, o.Concurrency)
	c = pace(c, o.Provider, o.Rate, o.Burst, o.Clock)
	c = logged(c, o.Provider, o.Log, o.Clock)
	c = retrying(c, o.Retry, o.Clock, func(op Op, attempt int, err error, d Decision) {
		o.Log.Warn("provider call failed, sending it again", "provider", o.Provider, "op", op.Name,
			"attempt", attempt, "wait", d.Wait, "why", d.Why, "err", err)
	})
	return c
}

// Call runs fn through c and returns the value of its last attempt.
func Call[T any](ctx context.Context, c Caller, op Op, fn func(context.Context) (T, error)) (T, error) {
	var out T
	err := c.Call(ctx, op, func(ctx context.Context) error {
		v, err := fn(ctx)
		out = v
		return err
	})
	return out, err
}

// Attempt is the attempt a call made through a Caller is on: 1 for the
// first, 0 outside a Caller.
func Attempt(ctx context.Context) int {
	n, _ := ctx.Value(attemptKey{}).(int)
	return n
}

type attemptKey struct{}

// direct runs the call.
type direct struct{}

func (direct) Call(ctx context.Context, _ Op, fn func(context.Context) error) error { return fn(ctx) }

// notSent is the error of a call that never left because ctx ended first.
func notSent(provider string, op Op, why string, err error) error {
	return &Error{Class: ErrTransient, Provider: provider, Op: op.Name, Message: "not sent: " + why, Err: err}
}

// gated waits for a turn from a gate shared with other processes.
type gated struct {
	next     Caller
	provider string
	gate     func(ctx context.Context) (func(), error)
}

func (g gated) Call(ctx context.Context, op Op, fn func(context.Context) error) error {
	release, err := g.gate(ctx)
	if err != nil {
		return notSent(g.provider, op, "waited for a turn under the shared rate limit", err)
	}
	defer release()
	return g.next.Call(ctx, op, fn)
}

// bounded lets at most n calls run at once.
type bounded struct {
	next     Caller
	provider string
	slots    chan struct{}
}

func bound(next Caller, provider string, n int) Caller {
	return &bounded{next: next, provider: provider, slots: make(chan struct{}, max(n, 1))}
}

func (b *bounded) Call(ctx context.Context, op Op, fn func(context.Context) error) error {
	select {
	case b.slots <- struct{}{}:
	case <-ctx.Done():
		return notSent(b.provider, op, "waited for a free slot", ctx.Err())
	}
	defer func() { <-b.slots }()
	return b.next.Call(ctx, op, fn)
}

// paced holds calls to the rate limit, pauses them after a Retry-After, and
// halves the rate until calls go through again.
type paced struct {
	next     Caller
	provider string
	clock    Clock
	full     rate.Limit
	lim      *rate.Limiter

	mu    sync.Mutex
	pause time.Time // no call before this
}

func pace(next Caller, provider string, perSecond float64, burst int, clock Clock) *paced {
	full := rate.Inf
	if perSecond > 0 {
		full = rate.Limit(perSecond)
	}
	return &paced{next: next, provider: provider, clock: clock, full: full, lim: rate.NewLimiter(full, max(burst, 1))}
}

func (p *paced) Call(ctx context.Context, op Op, fn func(context.Context) error) error {
	if err := p.wait(ctx); err != nil {
		return notSent(p.provider, op, "waited for the rate limit", err)
	}
	err := p.next.Call(ctx, op, fn)
	var pe *Error
	switch {
	case errors.As(err, &pe) && pe.RetryAfter > 0:
		p.slowDown(pe.RetryAfter)
	case err == nil || Classify(err) != ErrTransient:
		p.speedUp() // the provider took the call
	}
	return err
}

// wait blocks until the pause is over and the limiter lets one call through,
// on the clock.
func (p *paced) wait(ctx context.Context) error {
	p.mu.Lock()
	until := p.pause
	p.mu.Unlock()
	if d := until.Sub(p.clock.Now()); d > 0 {
		if err := p.clock.Sleep(ctx, d); err != nil {
			return err
		}
	}
	now := p.clock.Now()
	r := p.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		if err := p.clock.Sleep(ctx, d); err != nil {
			r.CancelAt(p.clock.Now())
			return err
		}
	}
	return ctx.Err()
}

// slowDown honours a Retry-After: no call before d has passed, and half the
// rate, never below a tenth of the configured one (the lane must still move).
func (p *paced) slowDown(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := p.clock.Now().Add(d); until.After(p.pause) {
		p.pause = until
	}
	if p.full == rate.Inf {
		return
	}
	floor := rate.Limit(max(0.2, float64(p.full)/10))
	p.lim.SetLimitAt(p.clock.Now(), max(p.lim.Limit()/2, floor))
}

// speedUp gives back a tenth of the configured rate per call that goes through.
func (p *paced) speedUp() {
	if cur := p.lim.Limit(); cur < p.full {
		p.lim.SetLimitAt(p.clock.Now(), min(p.full, cur+p.full/10))
	}
}

// logger writes one debug line per attempt. Errors are already free of
// secrets (Exchange took them out).
type logger struct {
	next     Caller
	provider string
	log      *slog.Logger
	clock    Clock
}

func logged(next Caller, provider string, log *slog.Logger, clock Clock) Caller {
	return &logger{next: next, provider: provider, log: log, clock: clock}
}

func (l *logger) Call(ctx context.Context, op Op, fn func(context.Context) error) error {
	start := l.clock.Now()
	err := l.next.Call(ctx, op, fn)
	attrs := []any{"provider", l.provider, "op", op.Name, "attempt", Attempt(ctx), "took", l.clock.Now().Sub(start)}
	if err != nil {
		attrs = append(attrs, "class", Classify(err), "err", err)
	}
	l.log.DebugContext(ctx, "provider call", attrs...)
	return err
}

// retrier sends again what its policy allows.
type retrier struct {
	next   Caller
	policy Retry
	clock  Clock
	report func(op Op, attempt int, err error, d Decision)
}

func retrying(next Caller, policy Retry, clock Clock, report func(Op, int, error, Decision)) Caller {
	return &retrier{next: next, policy: policy, clock: clock, report: report}
}

func (r *retrier) Call(ctx context.Context, op Op, fn func(context.Context) error) error {
	policy := r.policy
	if op.Retries != 0 {
		policy.Max = op.Retries
	}
	for attempt := 1; ; attempt++ {
		err := r.next.Call(context.WithValue(ctx, attemptKey{}, attempt), op, fn)
		if err == nil || ctx.Err() != nil {
			return err
		}
		d := policy.Decide(attempt, err, op.Idempotent)
		if !d.Retry {
			return err
		}
		r.report(op, attempt, err, d)
		if r.clock.Sleep(ctx, d.Wait) != nil {
			return err
		}
		if op.BeforeRetry != nil {
			if berr := op.BeforeRetry(ctx, attempt, err); berr != nil {
				return berr
			}
		}
	}
}
