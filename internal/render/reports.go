package render

import (
	"errors"
	"fmt"
	"io"

	"bulkpay/batch"
	"bulkpay/providers"
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

// Validation shows the validation of the sheet at path, as JSON with
// asJSON, and gives the error for the exit code: batch.ErrInvalid with a bad
// row or without a header row, else err, what stopped reading (nothing is
// shown then).
func Validation(w io.Writer, path string, res sheet.Result, err error, asJSON bool) error {
	var he *sheet.HeaderError
	if err != nil && !errors.As(err, &he) {
		return err
	}
	if asJSON {
		if err := JSON(w, NewValidateJSON(res.Tally(), res.Encoding, res.Delimiter, res.Sheet)); err != nil {
			return err
		}
	} else {
		Sheet(w, path, res, res.Tally())
	}
	if len(res.Errors) > 0 || err != nil {
		return batch.ErrInvalid
	}
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

// FeesReport shows the fees in force, borne by the sender unless f says
// otherwise, as JSON with asJSON.
func FeesReport(w io.Writer, f batch.Fees, currency string, asJSON bool) error {
	f.Bearer = providers.Or(f.Bearer, batch.BearerSender)
	if !asJSON {
		Fees(w, f, currency)
		return nil
	}
	if f.Configs == nil {
		f.Configs = []batch.ProfitConfig{}
	}
	return JSON(w, f)
}

// BalancesReport shows the providers' balances, as JSON with asJSON; in a
// sandbox (where), that no real money moves.
func BalancesReport(w io.Writer, lines []BalanceLine, currency string, sandbox bool, where string, asJSON bool) error {
	switch {
	case asJSON:
		return JSON(w, lines)
	case sandbox:
		fmt.Fprintf(w, "SANDBOX: no real money moves (%s)\n", where)
	}
	Balances(w, lines, currency)
	return nil
}
