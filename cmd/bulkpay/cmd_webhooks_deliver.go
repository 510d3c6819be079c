package main

import (
	"context"

	"github.com/spf13/cobra"

	"bulkpay/webhooks"
)

func newWebhooksDeliverCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "deliver",
		Short: "Deliver the webhook events that are due, once each, then exit (for cron)",
		Long: `Make one pass over the ledger's outbox: post every event that is due to the endpoints that
subscribe to it, give up those not delivered within 24 h of the event, and exit. What
failed is due again after its backoff: run it from cron every few minutes.`,
		Args: cobra.NoArgs,
		RunE: a.onWebhooks(true, func(ctx context.Context, _ webhooks.Journal, d *webhooks.Deliverer, _ []string) error {
			return a.deliverPass(ctx, d)
		}),
	}
}
