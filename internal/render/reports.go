package render

import (
	"io"

	"bulkpay/batch"
	"bulkpay/sheet"
)

// PlanReport shows a plan, as JSON with asJSON.
func PlanReport(w io.Writer, p PlanJSON, currency string, asJSON bool) error {
	if asJSON {
		return JSON(w, p)
	}
	Plan(w, p, currency)
	return nil
}

// Validation shows the validation of the sheet at path, as JSON with asJSON.
func Validation(w io.Writer, path string, res sheet.Result, asJSON bool) error {
	if asJSON {
		return JSON(w, NewValidateJSON(res.Tally(), res.Encoding, res.Delimiter, res.Sheet))
	}
	Sheet(w, path, res, res.Tally())
	return nil
}

// ListReport shows the batches of a ledger, as JSON with asJSON.
func ListReport(w io.Writer, sums []batch.Summary, asJSON bool) error {
	if asJSON {
		return JSON(w, NewList(sums))
	}
	return List(w, NewList(sums))
}

// StatusReport shows the standing of b with the totals of its links, as
// JSON with asJSON; v writes the commands people are told to run.
func StatusReport(w io.Writer, b batch.Batch, s batch.Standing, links batch.LinkTotals, v View, asJSON bool) error {
	if asJSON {
		return StatusWithLinks(w, s.Summary, s.Reconciliation, links)
	}
	Summary(w, s.Summary, v)
	LinkTotals(w, links, b)
	Reconciliation(w, s.Reconciliation)
	return nil
}
