package main

import (
	"context"
	"os"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/internal/door"
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
		RunE: a.ledger().Run(func(ctx context.Context, st *ledger.Store, _ []string) error {
			events, err := st.List(ctx, limit)
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
		RunE: a.ledger().Run(func(ctx context.Context, st *ledger.Store, _ []string) error {
			return a.hooks().Deliver(ctx, st)
		}),
	}
	resend := &cobra.Command{
		Use:   "resend EVENT_ID",
		Short: "Send a webhook event again to every endpoint that subscribes to it, retried for 24 h from now",
		Args:  cobra.ExactArgs(1),
		RunE: a.ledger().Run(func(ctx context.Context, st *ledger.Store, args []string) error {
			return a.hooks().Resend(ctx, st, args[0], time.Now())
		}),
	}
	cmd.AddCommand(list, deliver, resend)
	return cmd
}

// hooks delivers the ledger's outbox to the config's webhooks.
func (a *app) hooks() door.Hooks {
	return door.Hooks{Config: a.cfg, Getenv: os.Getenv, Log: a.log, Say: a.say}
}
