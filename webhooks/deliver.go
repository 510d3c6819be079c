package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"bulkpay/batch"
	"bulkpay/providers"
)

// Endpoint is one of the customer's receivers: where events go, which ones,
// and the secret they are signed with. The URL (which may hold a token in its
// query) and the secret are held behind a pointer, so that printing an
// Endpoint shows neither.
type Endpoint struct {
	Events []string // the types it subscribes to; empty: every type
	conf   *endpointConf
}

type endpointConf struct {
	url    string
	secret []byte
}

// NewEndpoint is an endpoint at url for events, signed with secret.
func NewEndpoint(url string, events []string, secret []byte) Endpoint {
	return Endpoint{Events: events, conf: &endpointConf{url: url, secret: bytes.Clone(secret)}}
}

// Key names the endpoint in the ledger, the delivery log and lists: its URL
// without query, fragment or credentials (a token in the URL stays out).
func (e Endpoint) Key() string { return batch.CleanURL(e.conf.url) }

// Wants reports whether the endpoint subscribes to events of type t.
func (e Endpoint) Wants(t string) bool { return len(e.Events) == 0 || slices.Contains(e.Events, t) }

// Defaults of a Deliverer.
const (
	DefaultWindow  = 24 * time.Hour
	DefaultTimeout = 10 * time.Second
	DefaultBase    = 10 * time.Second // the wait after the first failed attempt
	DefaultMax     = time.Hour        // the longest wait between attempts
	pageSize       = 200
)

// Deliverer posts the outbox's events to the endpoints: at least once each,
// retried with exponential backoff and jitter for Window from the event's
// creation, every attempt logged.
type Deliverer struct {
	Store     Store
	Endpoints []Endpoint
	Client    *http.Client    // nil: one that follows no redirect, with Timeout
	Timeout   time.Duration   // per attempt; 0: DefaultTimeout
	Clock     providers.Clock // nil: the wall clock
	Window    time.Duration   // 0: DefaultWindow
	Base, Max time.Duration   // the backoff; 0: DefaultBase, DefaultMax
	// Jitter gives a number in [0, 1) that stretches each wait by up to a
	// quarter; nil: random.
	Jitter func() float64
	Log    *slog.Logger // nil: discarded
}

// Pass is what one pass over the outbox did.
type Pass struct {
	Attempted, Delivered, Failed, GaveUp int
	// Waiting counts the deliveries still pending after the pass; NextDue is
	// when the first of them is due (zero: none).
	Waiting int
	NextDue time.Time
}

// Delay is how long to wait after the n-th failed attempt (n >= 1): Base
// doubled each time up to Max, stretched by jitter j in [0, 1) by up to a
// quarter.
func Delay(base, maxWait time.Duration, n int, j float64) time.Duration {
	d := base
	for i := 1; i < n && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	return d + time.Duration(float64(d)*j/4)
}

func (d *Deliverer) defaults() {
	if d.Clock == nil {
		d.Clock = providers.SystemClock
	}
	if d.Window == 0 {
		d.Window = DefaultWindow
	}
	if d.Timeout == 0 {
		d.Timeout = DefaultTimeout
	}
	if d.Base == 0 {
		d.Base = DefaultBase
	}
	if d.Max == 0 {
		d.Max = DefaultMax
	}
	if d.Jitter == nil {
		d.Jitter = rand.Float64
	}
	if d.Client == nil {
		d.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
}

// Deliver makes one pass over the outbox: every delivery that is due is
// attempted once, every one whose window has passed is given up. It stops
// early, without recording the attempt in flight, when ctx is done.
func (d *Deliverer) Deliver(ctx context.Context) (Pass, error) {
	d.defaults()
	var p Pass
	var after int64
	for {
		events, err := d.Store.Open(ctx, after, pageSize)
		if err != nil {
			return p, fmt.Errorf("read the webhook outbox: %w", err)
		}
		if len(events) == 0 {
			return p, nil
		}
		for _, e := range events {
			after = e.Seq
			if err := d.event(ctx, e, &p); err != nil {
				return p, err
			}
		}
	}
}

// Run delivers until ctx is done: a pass, then a wait until the next delivery
// is due or idle has passed, whichever comes first. A pass that fails (the
// ledger busy) is logged and tried again after idle. It returns nil when ctx
// is done.
func (d *Deliverer) Run(ctx context.Context, idle time.Duration) error {
	d.defaults()
	for {
		p, err := d.Deliver(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := idle
		if err != nil {
			d.Log.Warn("webhook delivery pass failed", "err", err)
		} else if !p.NextDue.IsZero() {
			wait = min(wait, max(p.NextDue.Sub(d.Clock.Now()), 0))
		}
		if d.Clock.Sleep(ctx, wait) != nil {
			return nil
		}
	}
}

// event attempts each of e's due deliveries and marks e done once none is
// pending.
func (d *Deliverer) event(ctx context.Context, e Event, p *Pass) error {
	open := false
	deadline := e.WindowFrom.Add(d.Window)
	for _, ep := range d.Endpoints {
		if !ep.Wants(e.Type) {
			continue
		}
		dl := e.delivery(ep.Key())
		if dl.State != Pending {
			continue
		}
		now := d.Clock.Now()
		switch {
		case !now.Before(deadline):
			dl.State = GaveUp
			dl.LastError = fmt.Sprintf("gave up: not delivered within %s of the event", d.Window)
			if err := d.Store.Record(ctx, dl, nil); err != nil {
				return fmt.Errorf("record webhook delivery: %w", err)
			}
			p.GaveUp++
		case now.Before(dl.NextAt):
			open = true
			p.wait(dl.NextAt)
		default:
			var err error
			if dl, err = d.attempt(ctx, e, ep, dl, deadline, p); err != nil {
				return err
			}
			if dl.State == Pending {
				open = true
				p.wait(dl.NextAt)
			}
		}
	}
	if open {
		return nil
	}
	if err := d.Store.Done(ctx, e.ID); err != nil {
		return fmt.Errorf("mark webhook event %s done: %w", e.ID, err)
	}
	return nil
}

func (p *Pass) wait(next time.Time) {
	p.Waiting++
	if p.NextDue.IsZero() || next.Before(p.NextDue) {
		p.NextDue = next
	}
}

// attempt posts e to ep once and records what came of it.
func (d *Deliverer) attempt(ctx context.Context, e Event, ep Endpoint, dl Delivery, deadline time.Time, p *Pass) (Delivery, error) {
	now := d.Clock.Now()
	status, short := d.post(ctx, e, ep, now)
	if short != "" && ctx.Err() != nil {
		return dl, ctx.Err() // cut short: not an attempt the endpoint failed
	}
	ctx = context.WithoutCancel(ctx) // what the endpoint answered is recorded, even when ctx has just ended
	p.Attempted++
	a := Attempt{EventID: e.ID, Endpoint: dl.Endpoint, At: now, Status: status, Error: short}
	dl.Attempts++
	dl.LastStatus, dl.LastError = status, short
	if short == "" {
		dl.State, dl.DeliveredAt, dl.NextAt = Delivered, d.Clock.Now(), time.Time{}
		p.Delivered++
	} else {
		p.Failed++
		dl.NextAt = now.Add(Delay(d.Base, d.Max, dl.Attempts, d.Jitter()))
		if !dl.NextAt.Before(deadline) {
			dl.State = GaveUp
			dl.LastError = fmt.Sprintf("%s; gave up after %d attempts: not delivered within %s of the event", short, dl.Attempts, d.Window)
			p.GaveUp++
		}
	}
	if err := d.Store.Record(ctx, dl, &a); err != nil {
		return dl, fmt.Errorf("record webhook attempt: %w", err)
	}
	d.Log.Info("webhook attempt", "event", e.ID, "type", e.Type, "endpoint", dl.Endpoint, "status", status, "err", short)
	return dl, nil
}

// post sends e to ep; it gives the answer's status and, unless the endpoint
// took the event (a 2xx), a short error that holds neither the URL's query
// nor any secret.
func (d *Deliverer) post(ctx context.Context, e Event, ep Endpoint, now time.Time) (int, string) {
	body, err := Body(e)
	if err != nil {
		return 0, "the event's object is not JSON"
	}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.conf.url, bytes.NewReader(body))
	if err != nil {
		return 0, "the endpoint's URL cannot be used"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "bulkpay-webhooks")
	req.Header.Set(EventIDHeader, e.ID)
	req.Header.Set(EventTypeHeader, e.Type)
	req.Header.Set(SignatureHeader, Signature(ep.conf.secret, now.Unix(), body))
	resp, err := d.Client.Do(req)
	if err != nil {
		return 0, shortError(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if resp.StatusCode/100 == 2 {
		return resp.StatusCode, ""
	}
	return resp.StatusCode, "HTTP " + strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
}

// shortError is a transport error without the URL it was about, at most 200
// characters.
func shortError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	s := err.Error()
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(s, "Client.Timeout") {
		s = "timeout: no answer in time"
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
