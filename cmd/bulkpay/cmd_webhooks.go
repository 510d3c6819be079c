package main

import (
	"context"
	"os"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/internal/door"
	"bulkpay/internal/render"
	"bulkpay/ledger"
	"bulkpay/webhooks"
)

func newWebhooksCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhooks",
		Short: "The signed events sent to your systems: list them, deliver what is due, send one again",
		Long:  long("webhooks"),
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var limit int
	var log bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the webhook events, newest first: each endpoint's state, attempts and last answer",
		Args:  cobra.NoArgs,
		RunE: a.onWebhooks(false, func(ctx context.Context, j webhooks.Journal, _ *webhooks.Deliverer, _ []string) error {
			events, err := j.List(ctx, limit)
			if err != nil {
				return err
			}
			return webhooks.WriteList(a.stdout, events, log)
		}),
	}
	list.Flags().IntVar(&limit, "limit", 50, "show at most `N` events")
	list.Flags().BoolVar(&log, "log", false, "show every delivery attempt: time, HTTP status, error")
	deliver := &cobra.Command{
		Use:   "deliver",
		Short: "Deliver the webhook events that are due, once each, then exit (for cron)",
		Long:  long("webhooks_deliver"),
		Args:  cobra.NoArgs,
		RunE: a.onWebhooks(true, func(ctx context.Context, _ webhooks.Journal, d *webhooks.Deliverer, _ []string) error {
			return a.deliverPass(ctx, d)
		}),
	}
	resend := &cobra.Command{
		Use:   "resend EVENT_ID",
		Short: "Send a webhook event again to every endpoint that subscribes to it, retried for 24 h from now",
		Args:  cobra.ExactArgs(1),
		RunE: a.onWebhooks(true, func(ctx context.Context, j webhooks.Journal, d *webhooks.Deliverer, args []string) error {
			if err := j.Resend(ctx, args[0], time.Now()); err != nil {
				return err
			}
			a.say("event %s is due again at every endpoint that subscribes to it", args[0])
			return a.deliverPass(ctx, d)
		}),
	}
	cmd.AddCommand(list, deliver, resend)
	return cmd
}

// onWebhooks is the RunE of a webhooks command: run gets the ledger's outbox
// and, with deliver, a deliverer to the config's endpoints (nil without).
func (a *app) onWebhooks(deliver bool, run func(ctx context.Context, j webhooks.Journal, d *webhooks.Deliverer, args []string) error) func(*cobra.Command, []string) error {
	return a.onLedger(func(ctx context.Context, st *ledger.Store, args []string) error {
		var d *webhooks.Deliverer
		if deliver {
			var err error
			if d, err = door.Deliverer(a.cfg, st, os.Getenv, a.log); err != nil {
				return err
			}
		}
		return run(ctx, st, d, args)
	})
}

// deliverPass makes one delivery pass and says what it did.
func (a *app) deliverPass(ctx context.Context, d *webhooks.Deliverer) error {
	p, err := d.Deliver(ctx)
	a.say("%s", render.Pass(p))
	return err
}

// deliverAfterRun delivers what is due when webhooks are configured: best
// effort, within door.AfterRunDelivery; a failure is a warning, never the
// run's outcome (the events stay in the outbox for the next delivery).
func (a *app) deliverAfterRun(ctx context.Context, st webhooks.Store) {
	p, err := door.DeliverDue(ctx, a.cfg, st, os.Getenv, a.log, door.AfterRunDelivery)
	if p.Attempted+p.GaveUp > 0 {
		a.say("%s", render.Pass(p))
	}
	if err != nil {
		a.log.Warn("webhooks not delivered now; they stay in the ledger's outbox for `bulkpay webhooks deliver`", "err", err)
	}
}
