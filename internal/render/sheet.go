package render

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"bulkpay/batch"
	"bulkpay/sheet"
)

// ValidateJSON is `validate --json`.
type ValidateJSON struct {
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

// NewValidateJSON is a sheet's validation as `validate --json` writes it.
func NewValidateJSON(t batch.Tally, encoding, delimiter, sheetName string) ValidateJSON {
	out := ValidateJSON{Rows: t.Rows, Valid: t.Valid, Invalid: t.Invalid, TotalAmount: t.TotalAmount, Errors: t.Errors,
		ErrorsNotShown: t.MoreErrors, Encoding: encoding, Delimiter: delimiter, Sheet: sheetName}
	if out.Errors == nil {
		out.Errors = []batch.RowError{}
	}
	return out
}

// SheetErrors shows a sheet's validation for people: its counts and total,
// then every row error kept. name is the file's; how, when set, says how it
// was read (its encoding, or the sheet chosen).
func SheetErrors(w io.Writer, name, how string, t batch.Tally) {
	if how != "" {
		name += " (" + how + ")"
	}
	fmt.Fprintf(w, "%s: %d row(s), %d valid, %d invalid; valid rows total %s\n",
		name, t.Rows, t.Valid, t.Invalid, batch.Money(t.TotalAmount))
	for _, e := range t.Errors {
		fmt.Fprintln(w, "  "+e.Error())
	}
	if t.MoreErrors > 0 {
		fmt.Fprintf(w, "  ... and %d more row error(s) not shown: fix those above and validate again\n", t.MoreErrors)
	}
}

// Sheet shows the validation of the sheet at path for people (SheetErrors,
// named by its file's name and how it was read).
func Sheet(w io.Writer, path string, res sheet.Result, t batch.Tally) {
	SheetErrors(w, filepath.Base(path), res.Describe(), t)
}

// Unplanned shows on errw why the sheet at path cannot be paid, when it
// cannot, and gives the error for the exit code: a sheet without a header
// row or with invalid rows (each listed), or without a beneficiary row, or
// err, the planning's. nil: plan p can be paid.
func Unplanned(errw io.Writer, path string, res sheet.Result, p batch.PlannedSheet, err error) error {
	var he *sheet.HeaderError
	switch {
	case errors.As(err, &he):
		Sheet(errw, path, res, p.Tally)
		return batch.ErrInvalid
	case err != nil:
		return err
	case len(p.Tally.Errors) > 0:
		Sheet(errw, path, res, p.Tally)
		return fmt.Errorf("%w: fix the rows above and run again (`bulkpay validate %s` lists them)", batch.ErrInvalid, path)
	case p.Batch.ItemCount == 0:
		return fmt.Errorf("%w: %s has no beneficiary rows", batch.ErrInvalid, path)
	}
	return nil
}
