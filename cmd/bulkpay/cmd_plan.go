package main

import (
	"errors"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
	"bulkpay/sheet"
)

func newPlanCmd(a *app) *cobra.Command {
	var pf cli.PlanFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plan SHEET",
		Short: "Show what a run would do and what it costs, and store the plan for approval; moves no money",
		Long:  long("plan"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, path := cmd.Context(), args[0]
			req := batch.SaveRequest{AllowRepeat: pf.AllowRepeat, Planning: true, Login: cli.Login()}
			// the ledger is opened once the sheet is valid
			s, _, st, names, err := a.ledger().Plan(ctx, a.cfg, a.target(pf.SandboxURL), path, pf, false, req)
			if st != nil {
				defer st.Close()
			}
			var he *sheet.HeaderError
			if err != nil && !errors.As(err, &he) {
				return err
			}
			p := s.Plan
			invalid := err != nil || len(p.Tally.Errors) > 0
			needs, err := door.Needs(ctx, a.cfg, a.target(pf.SandboxURL), st, s)
			if err != nil {
				return err
			}
			out := render.NewPlanJSON(p, a.cfg.Fees(), needs)
			// the command line acts as the local user, who may see the registered names
			out.Names = render.NewNamesJSON(names.Policy, names.Checks, true)
			if err := render.PlanReport(a.stdout, out, a.cfg.Currency, asJSON); err != nil {
				return err
			}
			if invalid {
				return batch.ErrInvalid
			}
			return nil
		},
	}
	pf.Register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	return cmd
}
