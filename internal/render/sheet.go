package render

import (
	"fmt"
	"io"

	"bulkpay/batch"
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
