package main

import (
	"github.com/spf13/cobra"
)

func newWebhooksDeliverCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "deliver",
		Short: "Deliver the webhook events that are due, once each, then exit (for cron)",
		Long: `Make one pass over the ledger's outbox: post every event that is due to the endpoints that
subscribe to it, give up those not delivered within 24 h of the event, and exit. What
failed is due again after its backoff: run it from cron every few minutes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openLedger(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			d, err := a.deliverer(st)
			if err != nil {
				return err
			}
			p, err := d.Deliver(cmd.Context())
			a.sayPass(p)
			return err
		},
	}
}
