package main

import (
	"errors"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/render"
	"bulkpay/sheet"
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
			var he *sheet.HeaderError
			if err != nil && !errors.As(err, &he) {
				return err
			}
			if err := render.Validation(a.stdout, args[0], res, asJSON); err != nil {
				return err
			}
			if len(res.Errors) > 0 || err != nil {
				return batch.ErrInvalid
			}
			return nil
		},
	}
	sf.Register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().StringVar(&sf.SandboxURL, "sandbox", "", "validate for the providers of the sandbox at this URL")
	return cmd
}
