package main

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/render"
	"bulkpay/providers"
	"bulkpay/sheet"
)

// sheetLimits bound what reading a sheet may cost; zero fields take
// sheet.DefaultLimits. Only a build for benchmarks (-tags benchlimits) raises
// them, to measure sheets beyond the rows a batch may hold.
var sheetLimits sheet.Limits

// sheetFlags are the reading options every sheet-taking command shares.
type sheetFlags struct {
	sheetName       string
	region          string
	allowDuplicates bool
	expectTotal     int64
	sandboxURL      string // routing knows the providers of this sandbox (all of them)
}

func (f *sheetFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.sheetName, "sheet", "", "xlsx sheet to read (default: the first)")
	fs.StringVar(&f.region, "region", "", "default country of national phone numbers (default CM, or the config's)")
	fs.BoolVar(&f.allowDuplicates, "allow-duplicates", false, "allow the same phone on several rows")
	fs.Int64Var(&f.expectTotal, "expect-total", 0, "the total the sheet must add up to (the approved amount); refused when it differs")
}

// readSheet reads the sheet at path and screens each valid row (a configured
// provider pays it, the config's limits, --expect-total): a refused row counts
// as invalid. keep returns the rows that pass (plan and run).
func (a *app) readSheet(ctx context.Context, path string, f sheetFlags, keep bool) (sheet.Result, []batch.Row, error) {
	opt := sheet.Options{Region: providers.Or(f.region, a.cfg.Region), Sheet: f.sheetName, AllowDuplicates: f.allowDuplicates, Limits: sheetLimits}
	scr := batch.Screen{Router: a.cfg.Router(a.cfg.Configured(f.sandboxURL)), Limits: a.cfg.Limits, ExpectTotal: f.expectTotal}
	return sheet.Screened(ctx, path, opt, &scr, keep)
}

// printSheet shows a sheet's validation for people.
func printSheet(w io.Writer, path string, res sheet.Result, t batch.Tally) {
	render.SheetErrors(w, filepath.Base(path), res.Describe(), t)
}

// planFlags are what run and plan share.
type planFlags struct {
	sheetFlags
	reference, period, by string
	allowRepeat           bool
}

func (pf *planFlags) register(fs *pflag.FlagSet) {
	pf.sheetFlags.register(fs)
	fs.StringVar(&pf.reference, "reference", "", "batch reference (default: the sheet's file name without extension)")
	fs.StringVar(&pf.sandboxURL, "sandbox", "", "pay through the sandbox at this `URL` (a running bulkpay sandbox)")
	fs.StringVar(&pf.period, "period", "", "pay period YYYY-MM (default: the year-month in the reference or file name, else this month)")
	fs.BoolVar(&pf.allowRepeat, "allow-repeat", false, "pay rows that another batch already pays for the same period")
	fs.StringVar(&pf.by, "by", "", "who plans the batch (default: the login name)")
}

// planSheet reads and screens a sheet as it plans its batch (routes, fees,
// period, plan hash) and, when the sheet is valid, stores it in the ledger
// open gives (batch.PlanStream), holding no row. Row errors are in the plan's
// tally; err is for what stops reading (a sheet without a header row gives
// the tally read so far) or storing.
func (a *app) planSheet(ctx context.Context, path string, pf planFlags, open func(context.Context) (batch.PlanStore, error),
	early bool, save batch.SaveRequest) (batch.Streamed, sheet.Result, error) {
	var res sheet.Result
	read := func(ctx context.Context, fn func(batch.Row) error) (batch.Tally, error) {
		opt := sheet.Options{Region: providers.Or(pf.region, a.cfg.Region), Sheet: pf.sheetName, AllowDuplicates: pf.allowDuplicates, Limits: sheetLimits}
		scr := batch.Screen{Router: a.cfg.Router(a.cfg.Configured(pf.sandboxURL)), Limits: a.cfg.Limits, ExpectTotal: pf.expectTotal}
		var err error
		res, err = sheet.ScreenedEach(ctx, path, opt, &scr, fn)
		return res.Tally(), err
	}
	out, err := batch.PlanStream(ctx, batch.StreamPlan{Rows: read, Store: open, Early: early, Save: save,
		Request: batch.PlanRequest{SheetPath: path, Reference: pf.reference, Period: pf.period, Currency: a.cfg.Currency,
			Router: a.cfg.Router(a.cfg.Configured(pf.sandboxURL)), Fees: a.cfg.Fees(), Endpoint: a.cfg.Endpoint(a.target(pf.sandboxURL)),
			By: providers.Or(pf.by, cli.Login()), Policy: a.cfg.Policy(), Now: time.Now()}})
	var he *sheet.HeaderError
	if errors.As(err, &he) {
		out.Plan = batch.PlannedSheet{Batch: batch.Batch{Reference: pf.reference}, Tally: res.Tally()}
	}
	return out, res, err
}
