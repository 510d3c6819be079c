package main

import (
	"github.com/spf13/cobra"

	"bulkpay/internal/cli"
	"bulkpay/internal/render"
)

func newValidateCmd(a *app) *cobra.Command {
	var sf cli.SheetFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate SHEET",
		Short: "Check a sheet and list every bad row; moves no money",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, _, err := sf.Sheet(args[0]).Screened(cmd.Context(), a.cfg, a.target(sf.SandboxURL), false)
			return render.Validation(a.stdout, args[0], res, err, asJSON)
		},
	}
	sf.Register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().StringVar(&sf.SandboxURL, "sandbox", "", "validate for the providers of the sandbox at this URL")
	return cmd
}
