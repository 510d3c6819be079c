package main

import (
	"context"

	"github.com/spf13/cobra"

	"bulkpay/internal/cli"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
	"bulkpay/ledger"
	"bulkpay/providers"
)

func newLinksCmd(a *app) *cobra.Command {
	var send, expire, asJSON bool
	var status, publicURL, by, sandboxURL string
	cmd := &cobra.Command{
		Use:   "links SHEET|BATCH",
		Short: "List a batch's payment links by status; --send sends invitations and due reminders, --expire sweeps expired links",
		Long:  long("links"),
		Args:  cobra.ExactArgs(1),
		RunE: a.ledger().Run(func(ctx context.Context, st *ledger.Store, args []string) error {
			statuses, err := cli.LinkStatuses(status)
			if err != nil {
				return err
			}
			b, err := st.Batch(ctx, cli.BatchKey(args[0]))
			if err != nil {
				return err
			}
			res, err := door.Links(ctx, st, b, door.LinksRequest{Config: a.cfg, Target: a.target(sandboxURL), Messenger: a.messenger,
				Root: sandboxURL, Expire: expire, Send: send, PublicURL: publicURL, Actor: providers.Or(by, cli.Login()), Say: a.say,
				Statuses: statuses})
			if err != nil {
				return cli.LinksRefusal(err)
			}
			return render.LinksSent(a.stdout, b, res.Links, res.Shown, res.Totals, res.Failed, asJSON)
		}),
	}
	f := cmd.Flags()
	f.BoolVar(&send, "send", false, "send invitations not yet sent and the reminders due")
	f.BoolVar(&expire, "expire", false, "mark links past their expiry expired (their payouts cancelled, no money moves)")
	f.StringVar(&status, "status", "", "list only links in these statuses: sent, claimed, processed, expired (comma-separated)")
	f.StringVar(&publicURL, "public-url", "", "where bulkpay serve is reached: the links are URL/claim/ID (default: the config's public_url)")
	f.StringVar(&sandboxURL, "sandbox", "", "send the SMS to the sandbox at this `URL` (a running bulkpay sandbox keeps them at /_sandbox/messages)")
	f.StringVar(&by, "by", "", "who sends or sweeps, for the events (default: the login name)")
	f.BoolVar(&asJSON, "json", false, "print the links as JSON")
	return cmd
}
