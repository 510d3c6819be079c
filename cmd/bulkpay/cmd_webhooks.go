package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/ledger"
	"bulkpay/webhooks"
)

func newWebhooksCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhooks",
		Short: "The signed events sent to your systems: list them, deliver what is due, send one again",
		Long: `Every batch and item event the config's webhooks subscribe to waits in the ledger's outbox
until each endpoint has taken it (a 2xx), retried with backoff for 24 h from the event.
` + "`bulkpay run`" + ` delivers what is due when it ends; ` + "`bulkpay webhooks deliver`" + ` does it from cron.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newWebhooksListCmd(a), newWebhooksDeliverCmd(a), newWebhooksResendCmd(a))
	return cmd
}

// deliverer delivers st's outbox to the config's webhooks, their secrets read
// from the environment.
func (a *app) deliverer(st webhooks.Store) (*webhooks.Deliverer, error) {
	if len(a.cfg.Webhooks) == 0 {
		return nil, fmt.Errorf("the config has no webhooks: list the endpoints under `webhooks:` in the config (--config FILE)")
	}
	eps, err := a.cfg.WebhookEndpoints(os.Getenv)
	if err != nil {
		return nil, err
	}
	return &webhooks.Deliverer{Store: st, Endpoints: eps, Log: a.log}, nil
}

// onWebhooks is the RunE of a webhooks command: run gets the ledger's outbox
// and, with deliver, a deliverer to the config's endpoints (nil without).
func (a *app) onWebhooks(deliver bool, run func(ctx context.Context, j webhooks.Journal, d *webhooks.Deliverer, args []string) error) func(*cobra.Command, []string) error {
	return a.onLedger(func(ctx context.Context, st *ledger.Store, args []string) error {
		var d *webhooks.Deliverer
		if deliver {
			var err error
			if d, err = a.deliverer(st); err != nil {
				return err
			}
		}
		return run(ctx, st, d, args)
	})
}

// deliverPass makes one delivery pass and says what it did.
func (a *app) deliverPass(ctx context.Context, d *webhooks.Deliverer) error {
	p, err := d.Deliver(ctx)
	a.sayPass(p)
	return err
}

// sayPass tells people what a delivery pass did.
func (a *app) sayPass(p webhooks.Pass) {
	line := fmt.Sprintf("webhooks: %d delivered, %d failed, %d given up", p.Delivered, p.Failed, p.GaveUp)
	if p.Waiting > 0 {
		line += fmt.Sprintf("; %d waiting, the next due at %s", p.Waiting, p.NextDue.UTC().Format(time.RFC3339))
	}
	a.say("%s", line)
}

// AfterRunDelivery bounds the delivery `run` makes when it ends.
const AfterRunDelivery = 30 * time.Second

// deliverAfterRun delivers what is due when webhooks are configured: best
// effort, within AfterRunDelivery; a failure is a warning, never the run's
// outcome (the events stay in the outbox for the next delivery).
func (a *app) deliverAfterRun(ctx context.Context, st webhooks.Store) {
	if len(a.cfg.Webhooks) == 0 || ctx.Err() != nil {
		return
	}
	d, err := a.deliverer(st)
	if err == nil {
		dctx, cancel := context.WithTimeout(ctx, AfterRunDelivery)
		defer cancel()
		var p webhooks.Pass
		if p, err = d.Deliver(dctx); p.Attempted+p.GaveUp > 0 {
			a.sayPass(p)
		}
	}
	if err != nil {
		a.log.Warn("webhooks not delivered now; they stay in the ledger's outbox for `bulkpay webhooks deliver`", "err", err)
	}
}
