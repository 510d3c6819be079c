package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/webhooks"
)

func newWebhooksResendCmd(a *app) *cobra.Command {
	return &cobra.Command{
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
}
