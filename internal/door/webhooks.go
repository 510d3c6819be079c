package door

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"bulkpay/config"
	"bulkpay/internal/render"
	"bulkpay/webhooks"
)

// ErrNoWebhooks: the config lists no webhook endpoint.
var ErrNoWebhooks = errors.New("the config has no webhooks: list the endpoints under `webhooks:` in the config (--config FILE)")

// Deliverer delivers st's outbox to cfg's webhooks, their signing secrets
// read with getenv (the environment).
func Deliverer(cfg config.Config, st webhooks.Store, getenv func(string) string, log *slog.Logger) (*webhooks.Deliverer, error) {
	if len(cfg.Webhooks) == 0 {
		return nil, ErrNoWebhooks
	}
	eps, err := cfg.WebhookEndpoints(getenv)
	if err != nil {
		return nil, err
	}
	return &webhooks.Deliverer{Store: st, Endpoints: eps, Log: log}, nil
}

// AfterRunDelivery bounds the delivery a run makes when it ends.
const AfterRunDelivery = 30 * time.Second

// DeliverDue makes one delivery pass of what is due when cfg has webhooks,
// within bound: after a run, best effort (the events stay in the outbox for
// the next pass whatever happens). Without webhooks, or once ctx is done,
// it does nothing.
func DeliverDue(ctx context.Context, cfg config.Config, st webhooks.Store, getenv func(string) string, log *slog.Logger,
	bound time.Duration) (webhooks.Pass, error) {
	if len(cfg.Webhooks) == 0 || ctx.Err() != nil {
		return webhooks.Pass{}, nil
	}
	d, err := Deliverer(cfg, st, getenv, log)
	if err != nil {
		return webhooks.Pass{}, err
	}
	dctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	return d.Deliver(dctx)
}

// Hooks delivers a ledger's outbox to the config's webhooks for a door that
// says what each pass did.
type Hooks struct {
	Config config.Config
	Getenv func(string) string // where the signing secrets are read: the environment
	Log    *slog.Logger
	Say    func(format string, args ...any)
}

// Deliver makes one delivery pass of st's outbox and says what it did;
// without webhooks in the config, ErrNoWebhooks.
func (h Hooks) Deliver(ctx context.Context, st webhooks.Store) error {
	d, err := Deliverer(h.Config, st, h.Getenv, h.Log)
	if err != nil {
		return err
	}
	p, err := d.Deliver(ctx)
	h.Say("%s", render.Pass(p))
	return err
}

// Resend makes the event eventID due again at every endpoint that
// subscribes to it, at, and makes a delivery pass (Deliver); without
// webhooks in the config, nothing is changed.
func (h Hooks) Resend(ctx context.Context, j webhooks.Journal, eventID string, at time.Time) error {
	if _, err := Deliverer(h.Config, j, h.Getenv, h.Log); err != nil {
		return err
	}
	if err := j.Resend(ctx, eventID, at); err != nil {
		return err
	}
	h.Say("event %s is due again at every endpoint that subscribes to it", eventID)
	return h.Deliver(ctx, j)
}

// AfterRun delivers what is due when webhooks are configured: best effort,
// within AfterRunDelivery; a failure is a warning, never the run's outcome
// (the events stay in the outbox for the next delivery).
func (h Hooks) AfterRun(ctx context.Context, st webhooks.Store) {
	p, err := DeliverDue(ctx, h.Config, st, h.Getenv, h.Log, AfterRunDelivery)
	if p.Attempted+p.GaveUp > 0 {
		h.Say("%s", render.Pass(p))
	}
	if err != nil {
		h.Log.Warn("webhooks not delivered now; they stay in the ledger's outbox for `bulkpay webhooks deliver`", "err", err)
	}
}
