package main

import (
	"encoding/json"
	"errors"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/sheet"
)

func newValidateCmd(a *app) *cobra.Command {
	var sf sheetFlags
	var asJSON bool
	var sandboxURL string
	cmd := &cobra.Command{
		Use:   "validate SHEET",
		Short: "Check a sheet and list every bad row; moves no money",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := checkSheet(cmd.Context(), args[0], sf.options(a.cfg), a.checks(sandboxURL, sf), false)
			var he *sheet.HeaderError
			if err != nil && !errors.As(err, &he) {
				return err
			}
			if asJSON {
				if err := writeValidateJSON(a, sc); err != nil {
					return err
				}
			} else {
				printErrors(a.stdout, args[0], sc)
			}
			if len(sc.Errors) > 0 || err != nil {
				return errInvalid
			}
			return nil
		},
	}
	sf.register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().StringVar(&sandboxURL, "sandbox", "", "validate for the providers of the sandbox at this URL")
	return cmd
}

type validateJSON struct {
	Rows           int              `json:"rows"`
	Valid          int              `json:"valid"`
	Invalid        int              `json:"invalid"`
	TotalAmount    int64            `json:"total_amount"`
	Errors         []batch.RowError `json:"errors"`
	ErrorsNotShown int              `json:"errors_not_shown,omitempty"`
	Encoding       string           `json:"encoding,omitempty"`  // csv
	Delimiter      string           `json:"delimiter,omitempty"` // csv
	Sheet          string           `json:"sheet,omitempty"`     // xlsx
}

func writeValidateJSON(a *app, sc sheetCheck) error {
	out := validateJSON{Rows: sc.Rows, Valid: sc.Valid, Invalid: sc.Invalid, TotalAmount: sc.TotalAmount, Errors: sc.Errors,
		ErrorsNotShown: sc.MoreErrors, Encoding: sc.Encoding, Delimiter: sc.Delimiter, Sheet: sc.Sheet}
	if out.Errors == nil {
		out.Errors = []batch.RowError{}
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
