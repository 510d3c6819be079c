package sheet

import (
	"context"

	"bulkpay/batch"
)

// Screened reads the sheet at path like Read and passes each valid row through
// scr, the checks the sheet cannot make by itself (a configured provider that
// pays the row, the config's limits, an expected total): a row scr refuses
// counts as invalid, with its error named as the sheet spells the column. The
// counts and errors of the Result include scr's. keep returns the rows that
// pass, in sheet order (nil otherwise).
func Screened(ctx context.Context, path string, opt Options, scr *batch.Screen, keep bool) (Result, []batch.Row, error) {
	var rows []batch.Row
	res, err := ScreenedEach(ctx, path, opt, scr, func(r batch.Row) error {
		if keep {
			rows = append(rows, r)
		}
		return nil
	})
	return res, rows, err
}

// ScreenedEach is Screened giving each row that passes to fn as it is read,
// holding none: an error from fn stops reading and is returned.
func ScreenedEach(ctx context.Context, path string, opt Options, scr *batch.Screen, fn func(batch.Row) error) (Result, error) {
	if scr.MaxErrors == 0 {
		scr.MaxErrors = opt.Limits.withDefaults().MaxErrors // keep as many as the sheet keeps
	}
	res, err := Read(ctx, path, opt, func(r batch.Row) error {
		if scr.Row(r) {
			return fn(r)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	t := scr.Tally(res.Tally(), func(field string) string { return res.Columns[Field(field)] })
	res.Valid, res.Invalid, res.TotalAmount, res.Errors, res.MoreErrors = t.Valid, t.Invalid, t.TotalAmount, t.Errors, t.MoreErrors
	return res, nil
}

// Tally is the Result's counts and errors, as batch counts a sheet.
func (r Result) Tally() batch.Tally {
	return batch.Tally{Rows: r.Rows, Valid: r.Valid, Invalid: r.Invalid, TotalAmount: r.TotalAmount, Errors: r.Errors, MoreErrors: r.MoreErrors}
}
