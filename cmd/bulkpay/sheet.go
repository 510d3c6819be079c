package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
	"bulkpay/ledger"
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

// sheet is the sheet at path, read as f asks.
func (f sheetFlags) sheet(path string) door.Sheet {
	return door.Sheet{Path: path, Name: f.sheetName, Region: f.region, AllowDuplicates: f.allowDuplicates, ExpectTotal: f.expectTotal, Limits: sheetLimits}
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
	payBy                 string // link: every row paid by link
}

func (pf *planFlags) register(fs *pflag.FlagSet) {
	pf.sheetFlags.register(fs)
	fs.StringVar(&pf.reference, "reference", "", "batch reference (default: the sheet's file name without extension)")
	fs.StringVar(&pf.sandboxURL, "sandbox", "", "pay through the sandbox at this `URL` (a running bulkpay sandbox)")
	fs.StringVar(&pf.period, "period", "", "pay period YYYY-MM (default: the year-month in the reference or file name, else this month)")
	fs.BoolVar(&pf.allowRepeat, "allow-repeat", false, "pay rows that another batch already pays for the same period")
	fs.StringVar(&pf.by, "by", "", "who plans the batch (default: the login name)")
	fs.StringVar(&pf.payBy, "pay-by", "", "link: pay every row by link (the beneficiary claims it; see bulkpay links)")
}

// planSheet reads, screens and plans a sheet and stores its batch when it is
// valid (door.PlanStream), as pf asks under the config. The ledger is opened
// only then, or with early before reading: st is it, to be closed, or nil.
func (a *app) planSheet(ctx context.Context, path string, pf planFlags, early bool, save batch.SaveRequest) (
	s batch.Streamed, res sheet.Result, st *ledger.Store, names door.Names, err error) {
	open := func(ctx context.Context) (batch.PlanStore, error) {
		var err error
		st, err = a.openLedger(ctx)
		return st, err
	}
	p := door.Plan{Sheet: pf.sheet(path), Reference: pf.reference, Period: pf.period, By: providers.Or(pf.by, cli.Login()),
		Fees: a.cfg.Fees(), Policy: a.cfg.Policy(), Now: time.Now(), PayBy: pf.payBy}
	if pf.payBy != "" && pf.payBy != batch.PayByLink {
		return s, res, nil, names, fmt.Errorf("--pay-by %q: write --pay-by link, or leave it out to pay as each row says: %w", pf.payBy, batch.ErrInvalid)
	}
	s, res, names, err = door.PlanStreamNames(ctx, a.cfg, a.target(pf.sandboxURL), p, open, early, save)
	return s, res, st, names, err
}
