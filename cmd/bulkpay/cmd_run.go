package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"bulkpay/sheet"
)

func newRunCmd(a *app) *cobra.Command {
	var pf planFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "run SHEET",
		Short: "Validate, plan and pay a sheet; the same sheet again resumes its batch",
		Long: `Validate, plan and pay every row of SHEET, poll pending payouts, print a summary and
write the report. Any invalid row stops the run before anything is sent (exit 2).
The same sheet again resumes its batch and pays nobody twice; the same reference
with a changed sheet is refused. Without --config or --sandbox, a sandbox is
started in this process and no real money moves.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			path := args[0]
			p, err := a.planSheet(ctx, &pf, path)
			var he *sheet.HeaderError
			if errors.As(err, &he) {
				printErrors(a.stderr, path, p.sc)
				return errInvalid
			}
			if err != nil {
				return err
			}
			if len(p.sc.Errors) > 0 {
				printErrors(a.stderr, path, p.sc)
				return fmt.Errorf("%w: fix the rows above and run again (`bulkpay validate %s` lists them)", errInvalid, path)
			}
			if len(p.items) == 0 {
				return fmt.Errorf("%w: %s has no beneficiary rows", errInvalid, path)
			}
			st, err := a.openLedger(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			b, created, err := a.store(ctx, st, p, path, pf.allowRepeat, false)
			if err != nil {
				return err
			}
			if created {
				a.say("planned batch %s: %d items, %s %s, charges %s, period %s (ledger %s)", b.Reference, b.ItemCount,
					money(b.TotalAmount), b.Currency, money(b.Charge), b.Period, st.Path())
			} else {
				a.say("resuming batch %s (id %d)", b.Reference, b.ID)
			}
			if err := a.approved(ctx, st, b, p.b.PlanHash); err != nil {
				return err
			}
			return a.pay(ctx, st, b, pf.sandboxURL, asJSON)
		},
	}
	f := cmd.Flags()
	pf.register(f)
	f.BoolVar(&asJSON, "json", false, "print the batch status as JSON at the end (as status --json)")
	registerWait(f, &a.wait)
	f.BoolVar(&a.allowPartial, "allow-partial", false, "when a provider's balance is short, pay in row order while money lasts and leave the rest planned")
	a.registerChangeEndpoint(f)
	return cmd
}

func newResumeCmd(a *app) *cobra.Command {
	var sandboxURL string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "resume BATCH",
		Short: "Finish a batch from the ledger: settle what is in doubt, send what is left, poll what is pending",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := a.loadBatch(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer l.st.Close()
			if err := a.approved(cmd.Context(), l.st, l.b, l.b.PlanHash); err != nil {
				return err
			}
			return a.pay(cmd.Context(), l.st, l.b, sandboxURL, asJSON)
		},
	}
	cmd.Flags().StringVar(&sandboxURL, "sandbox", "", "pay through the sandbox at this `URL` (the one the batch was paid through)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the batch status as JSON at the end")
	registerWait(cmd.Flags(), &a.wait)
	cmd.Flags().BoolVar(&a.allowPartial, "allow-partial", false, "when a provider's balance is short, pay in row order while money lasts")
	a.registerChangeEndpoint(cmd.Flags())
	return cmd
}
