package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"bulkpay/batch"
	"bulkpay/sheet"
)

// sheetCheck is a sheet read and routed: the validation result of `validate`,
// `run` and `plan`.
type sheetCheck struct {
	sheet.Result
	rows []batch.Row // valid, routable rows (only when kept)
}

// sheetFlags are the reading options every sheet-taking command shares.
type sheetFlags struct {
	sheetName       string
	region          string
	allowDuplicates bool
	expectTotal     int64
}

func (f *sheetFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.sheetName, "sheet", "", "xlsx sheet to read (default: the first)")
	fs.StringVar(&f.region, "region", "", "default country of national phone numbers (default CM, or the config's)")
	fs.BoolVar(&f.allowDuplicates, "allow-duplicates", false, "allow the same phone on several rows")
	fs.Int64Var(&f.expectTotal, "expect-total", 0, "the total the sheet must add up to (the approved amount); refused when it differs")
}

func (f *sheetFlags) options(cfg Config) sheet.Options {
	region := f.region
	if region == "" {
		region = cfg.Region
	}
	return sheet.Options{Region: region, Sheet: f.sheetName, AllowDuplicates: f.allowDuplicates}
}

// checks are what a sheet must satisfy besides its own rows: routing, the
// config's limits and an expected total.
type checks struct {
	router      batch.Router
	limits      Limits
	expectTotal int64
}

func (a *app) checks(sandboxURL string, sf sheetFlags) checks {
	return checks{router: a.cfg.routes(a.configuredProviders(sandboxURL)), limits: a.cfg.Limits, expectTotal: sf.expectTotal}
}

// checkSheet reads a sheet, routes each valid row, applies the limits, and
// counts a row no provider can pay or above a limit as invalid. keep holds the
// valid rows in memory (for run).
func checkSheet(ctx context.Context, path string, opt sheet.Options, ck checks, keep bool) (sheetCheck, error) {
	var sc sheetCheck
	var routeErrs []batch.RowError
	var unrouted, notKept int
	var unroutedAmount int64
	maxKept := opt.Limits.MaxErrors
	if maxKept <= 0 {
		maxKept = sheet.DefaultLimits.MaxErrors
	}
	refuse := func(e batch.RowError) { // keep the first errors, as the sheet does
		unrouted++
		if len(routeErrs) < maxKept {
			routeErrs = append(routeErrs, e)
		} else {
			notKept++
		}
	}
	res, err := sheet.Read(ctx, path, opt, func(r batch.Row) error {
		if _, err := ck.router.Route(r); err != nil {
			refuse(batch.RouteRowError(r, err))
			unroutedAmount += r.Amount
			return nil
		}
		if ck.limits.MaxPerRow > 0 && r.Amount > ck.limits.MaxPerRow {
			refuse(batch.RowError{Row: r.Row, Column: "amount", Value: fmt.Sprint(r.Amount),
				Message: fmt.Sprintf("amount %s is above the limit of %s per row (limits.max_per_row): check the amount, or raise the limit in the config",
					money(r.Amount), money(ck.limits.MaxPerRow))})
			unroutedAmount += r.Amount
			return nil
		}
		if keep {
			sc.rows = append(sc.rows, r)
		}
		return nil
	})
	sc.Result = res
	if err != nil {
		return sc, err
	}
	sc.Valid -= unrouted
	sc.Invalid += unrouted
	sc.MoreErrors += notKept
	sc.TotalAmount -= unroutedAmount
	for _, e := range routeErrs {
		if name, ok := res.Columns[sheet.Field(e.Column)]; ok {
			e.Column = name // as the sheet spells it
		}
		sc.Errors = append(sc.Errors, e)
	}
	if ck.limits.MaxPerBatch > 0 && sc.TotalAmount > ck.limits.MaxPerBatch {
		sc.Errors = append(sc.Errors, batch.RowError{Column: "amount", Value: fmt.Sprint(sc.TotalAmount),
			Message: fmt.Sprintf("the batch total %s is above the limit of %s per batch (limits.max_per_batch): split the sheet, or raise the limit in the config",
				money(sc.TotalAmount), money(ck.limits.MaxPerBatch))})
	}
	if ck.expectTotal > 0 && sc.TotalAmount != ck.expectTotal {
		sc.Errors = append(sc.Errors, batch.RowError{Column: "amount", Value: fmt.Sprint(sc.TotalAmount),
			Message: fmt.Sprintf("the valid rows add up to %s but --expect-total says %s (difference %s): check the sheet against the approved total",
				money(sc.TotalAmount), money(ck.expectTotal), money(sc.TotalAmount-ck.expectTotal))})
	}
	sort.SliceStable(sc.Errors, func(i, j int) bool { return sc.Errors[i].Row < sc.Errors[j].Row })
	if len(sc.Errors) > maxKept {
		sc.MoreErrors += len(sc.Errors) - maxKept
		sc.Errors = sc.Errors[:maxKept]
	}
	return sc, nil
}

// printErrors writes row errors for people.
func printErrors(w io.Writer, path string, sc sheetCheck) {
	name := filepath.Base(path)
	if how := sc.Describe(); how != "" {
		name += " (" + how + ")"
	}
	fmt.Fprintf(w, "%s: %d row(s), %d valid, %d invalid; valid rows total %s\n",
		name, sc.Rows, sc.Valid, sc.Invalid, money(sc.TotalAmount))
	for _, e := range sc.Errors {
		fmt.Fprintln(w, "  "+e.Error())
	}
	if sc.MoreErrors > 0 {
		fmt.Fprintf(w, "  ... and %d more row error(s) not shown: fix those above and validate again\n", sc.MoreErrors)
	}
}

// money writes an amount with spaces between thousands: 3 450 000.
func money(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
