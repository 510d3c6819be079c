package main

import (
	"time"

	"github.com/spf13/cobra"
)

func newWebhooksResendCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "resend EVENT_ID",
		Short: "Send a webhook event again to every endpoint that subscribes to it, retried for 24 h from now",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openLedger(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			d, err := a.deliverer(st)
			if err != nil {
				return err
			}
			if err := st.Resend(cmd.Context(), args[0], time.Now()); err != nil {
				return err
			}
			a.say("event %s is due again at every endpoint that subscribes to it", args[0])
			p, err := d.Deliver(cmd.Context())
			a.sayPass(p)
			return err
		},
	}
}
