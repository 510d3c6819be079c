package main

import (
	"context"

	"github.com/spf13/cobra"

	"bulkpay/webhooks"
)

func newWebhooksListCmd(a *app) *cobra.Command {
	var limit int
	var log bool
	cmd := &cobra.Command{
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
	cmd.Flags().IntVar(&limit, "limit", 50, "show at most `N` events")
	cmd.Flags().BoolVar(&log, "log", false, "show every delivery attempt: time, HTTP status, error")
	return cmd
}
