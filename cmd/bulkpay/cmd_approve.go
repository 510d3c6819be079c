package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/render"
)

func newApproveCmd(a *app) *cobra.Command {
	var by, note string
	cmd := &cobra.Command{
		Use:   "approve BATCH --by NAME [--note TEXT]",
		Short: "Approve a planned batch's exact plan hash (needed by run when require_approval is set)",
		Args:  cobra.ExactArgs(1),
		PreRunE: func(*cobra.Command, []string) error {
			if by == "" {
				return cli.Usagef("--by NAME is required: an approval names its approver")
			}
			return nil
		},
		RunE: a.ledger().Batch(func(ctx context.Context, st batch.Store, b batch.Batch, items []batch.Item) error {
			ap, err := batch.Approve(ctx, st, b, items, batch.ApproveRequest{By: by, Note: note, Login: cli.Login(),
				At: time.Now().UTC(), Config: a.cfg.Policy()})
			if err != nil {
				return err
			}
			render.Approved(a.stdout, b, len(items), by, ap)
			return nil
		}),
	}
	cmd.Flags().StringVar(&by, "by", "", "who approves")
	cmd.Flags().StringVar(&note, "note", "", "why, or against what (e.g. the signed payroll summary)")
	return cmd
}
