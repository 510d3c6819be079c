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
	cmd.AddCommand(newWebhooksListCmd(a), newWebhooksDeliverCmd(a), newWebhooksResendCmd(a))
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

// AfterRunDelivery bounds the delivery `run` makes when it ends.
const AfterRunDelivery = 30 * time.Second

// deliverAfterRun delivers what is due when webhooks are configured: best
// effort, within AfterRunDelivery; a failure is a warning, never the run's
// outcome (the events stay in the outbox for the next delivery).
func (a *app) deliverAfterRun(ctx context.Context, st webhooks.Store) {
	p, err := door.DeliverDue(ctx, a.cfg, st, os.Getenv, a.log, AfterRunDelivery)
	if p.Attempted+p.GaveUp > 0 {
		a.say("%s", render.Pass(p))
	}
	if err != nil {
		a.log.Warn("webhooks not delivered now; they stay in the ledger's outbox for `bulkpay webhooks deliver`", "err", err)
	}
}
