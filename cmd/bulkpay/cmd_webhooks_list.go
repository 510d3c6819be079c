package main

import (
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openLedger(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			events, err := st.List(cmd.Context(), limit)
			if err != nil {
				return err
			}
			return webhooks.WriteList(a.stdout, events, log)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "show at most `N` events")
	cmd.Flags().BoolVar(&log, "log", false, "show every delivery attempt: time, HTTP status, error")
	return cmd
}
