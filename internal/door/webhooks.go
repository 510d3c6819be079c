package door

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"bulkpay/config"
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
