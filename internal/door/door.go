// Package door is what bulkpay's doors, the command line and the server, do
// alike between reading what people ask and calling the use cases in batch:
// how a sheet is read, screened and planned under the config in force; how
// a payment session is opened, paid and reconciled, and what a crash in it
// names; the workers' loop; the links' expiry and messages; the users; the
// balances; the webhooks' delivery; the sandbox's setup and the ledger's
// migration.
package door

import (
	"context"
	"errors"
	"time"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/providers"
	"bulkpay/sheet"
)

// Sheet is a sheet to read, and how people asked it read.
type Sheet struct {
	Path            string
	Name            string // the xlsx sheet to read; "": the first
	Region          string // the default country of national numbers; "": the config's
	AllowDuplicates bool   // the same phone may be on several rows
	ExpectTotal     int64  // the total the sheet must add up to; 0: any
	Limits          sheet.Limits
}

// Reading is how s is read when it is paid under cfg through t: the
// sheet's options, and the screen each valid row passes (a configured
// provider pays it, the config's limits, the expected total).
func (s Sheet) Reading(cfg config.Config, t config.Target) (sheet.Options, *batch.Screen) {
	opt := sheet.Options{Region: providers.Or(s.Region, cfg.Region), Sheet: s.Name, AllowDuplicates: s.AllowDuplicates, Limits: s.Limits}
	return opt, &batch.Screen{Router: router(cfg, t), Limits: cfg.Limits, ExpectTotal: s.ExpectTotal}
}

// Screened reads s and screens each valid row (see Reading): a refused row
// counts as invalid. keep returns the rows that pass.
func (s Sheet) Screened(ctx context.Context, cfg config.Config, t config.Target, keep bool) (sheet.Result, []batch.Row, error) {
	opt, scr := s.Reading(cfg, t)
	return sheet.Screened(ctx, s.Path, opt, scr, keep)
}

// Plan is a sheet to plan into a batch, and what the batch is planned with.
type Plan struct {
	Sheet
	Reference, Period string // "": from the file's name (see batch.PlanRequest)
	By                string // who plans it
	Fees              batch.Fees
	Policy            batch.Policy
	Now               time.Time
	PayBy             string // batch.PayByLink: every row paid by link
}

// request is the request that plans p's batch under cfg, paid through t.
func (p Plan) request(cfg config.Config, t config.Target) batch.PlanRequest {
	return batch.PlanRequest{SheetPath: p.Path, Reference: p.Reference, Period: p.Period, Currency: cfg.Currency,
		Router: router(cfg, t), Fees: p.Fees, Endpoint: cfg.Endpoint(t), By: p.By, Policy: p.Policy, Now: p.Now, PayBy: p.PayBy}
}

// PlanSheet reads and screens p's sheet and plans its batch (routes, fees,
// period, plan hash) with every row in memory; nothing is stored. Row
// errors are in the plan's tally; err is for what stops reading, with the
// tally read so far.
func PlanSheet(ctx context.Context, cfg config.Config, t config.Target, p Plan) (batch.PlannedSheet, sheet.Result, error) {
	res, rows, err := p.Screened(ctx, cfg, t, true)
	if err != nil {
		return batch.PlannedSheet{Tally: res.Tally()}, res, err
	}
	req := p.request(cfg, t)
	req.Rows, req.Tally = rows, res.Tally()
	return batch.PlanSheet(req), res, nil
}

// PlanStream reads and screens p's sheet as it plans its batch and, when
// the sheet is valid, stores it in the store open gives (batch.PlanStream:
// with early, opened before reading), holding no row. Row errors are in the
// plan's tally; err is for what stops reading (a sheet without a header row
// gives the tally read so far) or storing.
func PlanStream(ctx context.Context, cfg config.Config, t config.Target, p Plan, open func(context.Context) (batch.PlanStore, error),
	early bool, save batch.SaveRequest) (batch.Streamed, sheet.Result, error) {
	var res sheet.Result
	read := func(ctx context.Context, fn func(batch.Row) error) (batch.Tally, error) {
		opt, scr := p.Reading(cfg, t)
		var err error
		res, err = sheet.ScreenedEach(ctx, p.Path, opt, scr, fn)
		return res.Tally(), err
	}
	lc := cfg.Links() // the links of rows paid by link, as the config says
	save.LinkExpiry, save.LinkOtherNumber = lc.Expiry, lc.OtherNumber
	out, err := batch.PlanStream(ctx, batch.StreamPlan{Rows: read, Store: open, Early: early, Save: save, Request: p.request(cfg, t)})
	var he *sheet.HeaderError
	if errors.As(err, &he) {
		out.Plan = batch.PlannedSheet{Batch: batch.Batch{Reference: p.Reference}, Tally: res.Tally()}
	}
	return out, res, err
}

func router(cfg config.Config, t config.Target) batch.Routes {
	return cfg.Router(cfg.Configured(t.SandboxURL))
}

// Status is b's standing as a summary shows it (batch.Glance), with the
// totals of its links when the ledger keeps them.
func Status(ctx context.Context, st batch.Store, b batch.Batch) (batch.Standing, batch.LinkTotals, error) {
	s, err := batch.Glance(ctx, st, b)
	if err != nil {
		return s, batch.LinkTotals{}, err
	}
	var links batch.LinkTotals
	if ls, ok := st.(batch.LinkStore); ok {
		links, err = batch.LinkSummary(ctx, ls, b.ID)
	}
	return s, links, err
}
