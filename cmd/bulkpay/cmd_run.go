package main

import (
	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/render"
)

func newRunCmd(a *app) *cobra.Command {
	var pf cli.PlanFlags
	var f cli.PayFlags
	cmd := &cobra.Command{
		Use:   "run SHEET",
		Short: "Validate, plan and pay a sheet; the same sheet again resumes its batch",
		Long:  long("run"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, path := cmd.Context(), args[0]
			save := batch.SaveRequest{AllowRepeat: pf.AllowRepeat, Login: cli.Login()}
			// a ledger there already is opened first: a batch it holds is
			// then found with one reading of the sheet
			early := a.LedgerThere(a.cfg)
			s, res, st, names, err := a.ledger().Plan(ctx, a.cfg, a.target(pf.SandboxURL), path, pf, early, save)
			var paying *batch.Batch // a crash while delivering after the payment names its batch
			if st != nil {
				defer st.Close()
				defer func() { // the events of what was recorded, whatever the outcome
					if paying == nil {
						a.hooks().AfterRun(ctx, st)
						return
					}
					_ = a.payment(f.SessionFlags).Guard(*paying, func() error { a.hooks().AfterRun(ctx, st); return nil })
				}()
			}
			p := s.Plan
			if err := render.Unplanned(a.stderr, path, res, p, err); err != nil {
				return err
			}
			b := s.Batch
			a.say("%s", render.Starting(b, s.Created, st.Path()))
			if !a.Quiet {
				// stderr may end in a log: the registered names are for plan
				render.Names(a.stderr, render.NewNamesJSON(names.Policy, names.Checks, false))
			}
			if err := batch.AuthorizeRun(ctx, st, b, a.cfg.Policy(), p.Batch.PlanHash); err != nil {
				return err
			}
			f.SandboxURL = pf.SandboxURL // run's --sandbox routes the sheet and pays it
			paying = &b
			return a.pay(ctx, st, b, f)
		},
	}
	pf.Register(cmd.Flags())
	f.Register(cmd.Flags(), "", "print the batch status as JSON at the end (as status --json)", true)
	return cmd
}
