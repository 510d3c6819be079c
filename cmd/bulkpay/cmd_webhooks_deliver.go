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
		Long:  long("webhooks_deliver"),
		Args:  cobra.NoArgs,
		RunE: a.onWebhooks(true, func(ctx context.Context, _ webhooks.Journal, d *webhooks.Deliverer, _ []string) error {
			return a.deliverPass(ctx, d)
		}),
	}
}
