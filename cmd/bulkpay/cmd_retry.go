package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/render"
)

func newRetryCmd(a *app) *cobra.Command {
	var failed bool
	var f cli.PayFlags
	cmd := &cobra.Command{
		Use:   "retry BATCH --failed",
		Short: "Pay a batch's failed items again, on purpose: a new batch of new references, each linked to the item it retries",
		Long:  long("retry"),
		Args:  cobra.ExactArgs(1),
		PreRunE: func(_ *cobra.Command, args []string) error {
			if !failed {
				return cli.Usagef("say what to retry: bulkpay retry %s --failed", args[0])
			}
			return nil
		},
		RunE: a.ledger().Batch(func(ctx context.Context, st batch.Store, b batch.Batch, items []batch.Item) error {
			p, err := batch.PlanRetry(ctx, st, b, items, cli.Login())
			if err != nil {
				return err
			}
			switch {
			case len(p.Items) == 0 && len(p.Already) == 0:
				fmt.Fprintf(a.stdout, "batch %s has no failed item: nothing to retry\n", b.Reference)
				return nil
			case len(p.Items) == 0:
				fmt.Fprintf(a.stdout, "batch %s: every failed item was already retried (%s); nothing is paid twice.\n", b.Reference, p.AlreadyIn())
				now, err := batch.Status(ctx, st, b)
				if err != nil {
					return err
				}
				render.Retried(a.stdout, b, now.Items, a.commands().View(b, now, f.SandboxURL))
				return nil
			case len(p.Already) > 0:
				a.say("%s; the other failed items are paid again in %s", p.AlreadyIn(), p.Batch.Reference)
			}
			a.say("planned batch %s: %s", p.Batch.Reference, p.Detail)
			err = a.pay(ctx, st, p.Batch, f)
			// the original batch's report says where its failed items went
			return a.payment(f.SessionFlags).Retried(ctx, st, b, p.Batch, a.cfg.ReportsDir, err)
		}),
	}
	cmd.Flags().BoolVar(&failed, "failed", false, "pay the failed items again")
	f.Register(cmd.Flags(), "pay through the sandbox at this `URL`", "print the retry batch's status as JSON at the end", false)
	return cmd
}
