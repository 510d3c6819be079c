package main

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

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
}

func (f *sheetFlags) options(cfg Config) sheet.Options {
	region := f.region
	if region == "" {
		region = cfg.Region
	}
	return sheet.Options{Region: region, Sheet: f.sheetName, AllowDuplicates: f.allowDuplicates}
}

// checkSheet reads a sheet, routes each valid row, and counts a row no provider
// can pay as invalid. keep holds the valid rows in memory (for run).
func checkSheet(path string, opt sheet.Options, router batch.Router, keep bool) (sheetCheck, error) {
	var sc sheetCheck
	var routeErrs []batch.RowError
	var unroutedAmount int64
	res, err := sheet.Read(path, opt, func(r batch.Row) error {
		if _, err := router.Route(r); err != nil {
			routeErrs = append(routeErrs, batch.RouteRowError(r, err))
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
	sc.Valid -= len(routeErrs)
	sc.Invalid += len(routeErrs)
	sc.TotalAmount -= unroutedAmount
	for _, e := range routeErrs {
		if name, ok := res.Columns[sheet.Field(e.Column)]; ok {
			e.Column = name // as the sheet spells it
		}
		sc.Errors = append(sc.Errors, e)
	}
	sort.SliceStable(sc.Errors, func(i, j int) bool { return sc.Errors[i].Row < sc.Errors[j].Row })
	return sc, nil
}

// printErrors writes row errors for people.
func printErrors(w io.Writer, path string, sc sheetCheck) {
	fmt.Fprintf(w, "%s: %d row(s), %d valid, %d invalid; valid rows total %s\n",
		filepath.Base(path), sc.Rows, sc.Valid, sc.Invalid, money(sc.TotalAmount))
	for _, e := range sc.Errors {
		fmt.Fprintln(w, "  "+e.Error())
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
