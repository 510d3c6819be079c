package batch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"bulkpay/providers"
)

// PlanRequest is a sheet's valid rows and what planning them into a batch needs.
type PlanRequest struct {
	SheetPath string // the file the rows were read from: it names the batch and may give the period
	Reference string // the batch's; default: the file's name without its extension
	Period    string // the pay period YYYY-MM; default: found in the reference or the file name, else Now's month
	Currency  string
	Rows      []Row
	Tally     Tally // the sheet's counts; refusals found while planning are added to them
	Router    Router
	Fees      Fees
	Endpoint  Endpoint // where it will be paid
	By        string   // who plans it
	Policy    Policy   // the approval rules of the config in force
	Now       time.Time
	PayBy     string // PayByLink: every row is paid by link (its mode link); "": as each row says
}

// payBy is r as the request pays it: by link when it says so.
func (req PlanRequest) payBy(r Row) Row {
	if req.PayBy == PayByLink {
		r.Mode = ModeLink
	}
	return r
}

// PlannedSheet is a sheet planned into a batch, not stored yet.
type PlannedSheet struct {
	Batch Batch
	Items []Item // nil when the sheet was planned as it was read (PlanStream)
	Rows  []Row
	Tally Tally      // the sheet's counts with the planning refusals (a charge too large)
	Lines []PlanLine // what it pays per provider and carrier
	Cost  int64      // what it costs the organisation under its fees
	Links int        // items paid by link: a link is issued for each once stored
}

// PlanSheet plans a sheet's valid rows into a batch: routes, charges, pay
// period, fingerprints, plan hash, where it is paid, who planned it and the
// approval rules it is held to.
func PlanSheet(req PlanRequest) PlannedSheet {
	p := newPlanner(req.base(), req.Router, req.period())
	rows := req.Rows
	if req.PayBy == PayByLink {
		rows = make([]Row, len(req.Rows))
		for i, r := range req.Rows {
			rows[i] = req.payBy(r)
		}
	}
	b, items := p.plan(rows)
	tally := req.Tally
	tally.Refuse(rows, p.refused)
	return PlannedSheet{Batch: b, Items: items, Rows: rows, Tally: tally, Lines: p.byCarrier(), Cost: p.cost, Links: p.links}
}

// reference is the batch's: as given, else the sheet's file name without
// its extension.
func (req PlanRequest) reference() string {
	if req.Reference != "" {
		return req.Reference
	}
	return strings.TrimSuffix(filepath.Base(req.SheetPath), filepath.Ext(req.SheetPath))
}

// period is the pay period: as given, else found in the reference or the
// file name, else Now's month.
func (req PlanRequest) period() string {
	if req.Period != "" {
		return req.Period
	}
	return PeriodOf(req.reference(), req.SheetPath, req.Now)
}

// base is the batch before any row: what the request says of it.
func (req PlanRequest) base() Batch {
	return Batch{Reference: req.reference(), SheetName: filepath.Base(req.SheetPath), Currency: req.Currency, Fees: req.Fees,
		Endpoint: req.Endpoint, Sandbox: req.Endpoint.IsSandbox(), CreatedBy: req.By, Policy: req.Policy, Period: req.period()}
}

var periodRE = regexp.MustCompile(`(20\d\d)[-_ .]?(0[1-9]|1[0-2])`)

// PeriodOf finds the pay period (YYYY-MM) in a batch reference or a sheet's
// file name, else it is the month of now (UTC).
func PeriodOf(reference, path string, now time.Time) string {
	for _, s := range []string{reference, filepath.Base(path)} {
		if m := periodRE.FindStringSubmatch(s); m != nil {
			return m[1] + "-" + m[2]
		}
	}
	return now.UTC().Format("2006-01")
}

// SaveRequest says how a planned batch is stored.
type SaveRequest struct {
	AllowRepeat bool   // pay rows another batch already pays for the same period
	Planning    bool   // `plan` (not `run`): an existing batch records its planner again
	Login       string // the operating-system user, for the events
	// Links: how long the links of rows paid by link are valid (0: 7 days)
	// and whether their beneficiaries may give another number.
	LinkExpiry      time.Duration
	LinkOtherNumber bool
}

// issueLinks issues the links of a stored batch's rows paid by link, as
// save says, when the store keeps links.
func issueLinks(ctx context.Context, st PlanStore, b Batch, save SaveRequest, now time.Time) error {
	ls, ok := st.(LinkStore)
	if !ok {
		return fmt.Errorf("batch %s pays by link but its store keeps no links", b.Reference)
	}
	if now.IsZero() {
		now = time.Now()
	}
	_, err := IssueLinks(ctx, ls, st, b, now, save.LinkExpiry, save.LinkOtherNumber, b.CreatedBy)
	return err
}

// RepeatError refuses rows of a new batch that another batch already pays for
// the same period: the payroll uploaded twice under two references.
type RepeatError struct {
	Sheet   string
	Period  string
	Repeats []Repeat
	More    int // repeats found beyond those listed
}

func (e *RepeatError) Error() string {
	var b strings.Builder
	n := len(e.Repeats) + e.More
	fmt.Fprintf(&b, "%d row(s) of %s were already paid or planned for period %s in another batch:\n", n, e.Sheet, e.Period)
	for i, r := range e.Repeats {
		if i == 10 {
			fmt.Fprintf(&b, "  ... and %d more\n", n-10)
			break
		}
		b.WriteString("  " + r.String() + "\n")
	}
	b.WriteString("refusing to pay them again; if this is really a new payment, pass --allow-repeat (or --period for another pay period)")
	return b.String()
}

// Is makes a RepeatError count as ErrRefused.
func (e *RepeatError) Is(target error) bool { return target == ErrRefused }

// SavePlan finds or creates the planned batch in the ledger and says whether
// it created it. A new batch whose rows another batch already pays for the
// same period is refused with a *RepeatError unless req.AllowRepeat; the same
// reference over a changed sheet with a *ChangedError. An existing batch's
// stored approval rules are made stricter by the plan's, and planning it
// again (req.Planning) records its planner. Rows paid by link have their
// links issued.
func SavePlan(ctx context.Context, st PlanStore, p PlannedSheet, req SaveRequest) (Batch, bool, error) {
	if _, err := st.Batch(ctx, p.Batch.Reference); errors.Is(err, ErrBatchNotFound) && !req.AllowRepeat {
		repeats, err := Repeats(ctx, st, p.Batch, p.Items)
		if err != nil {
			return Batch{}, false, err
		}
		if len(repeats) > 0 {
			return Batch{}, false, &RepeatError{Sheet: p.Batch.SheetName, Period: p.Batch.Period, Repeats: repeats}
		}
	}
	b, created, err := Prepare(ctx, st, p.Batch, p.Items, p.Rows)
	if err != nil {
		return b, created, err
	}
	if !created {
		if b, err = planAgain(ctx, st, p.Batch, b, req); err != nil {
			return b, false, err
		}
	}
	if p.Links > 0 {
		if err := issueLinks(ctx, st, b, req, time.Time{}); err != nil {
			return b, created, err
		}
	}
	return b, created, nil
}

// planAgain records a plan of a stored batch made again: its planner when
// planning (req.Planning), else only its approval rules, made at least as
// strict as the plan's.
func planAgain(ctx context.Context, st PlanStore, plan, b Batch, req SaveRequest) (Batch, error) {
	var err error
	if req.Planning {
		detail := "login " + req.Login
		if plan.PlanHash != b.PlanHash {
			detail += fmt.Sprintf("; this plan's hash %s differs from the stored one (fees, routes or period changed)", plan.PlanHash)
		}
		err = st.RecordPlan(ctx, b.ID, plan.CreatedBy, b.PlanHash, detail, plan.Policy)
	} else {
		err = st.RecordPolicy(ctx, b.ID, plan.Policy, plan.CreatedBy)
	}
	if err != nil {
		return Batch{}, fmt.Errorf("record the plan of batch %s: %w", b.Reference, err)
	}
	b.Policy = b.Policy.Or(plan.Policy)
	return b, nil
}

// Preview stores a planned batch so that it can be approved (planning it again
// records its planner: req.Planning) and checks the provider balances that
// connect reaches against its planned items. Nothing is sent.
func Preview(ctx context.Context, st PlanStore, p PlannedSheet, req SaveRequest, connect func(context.Context) (*Connection, error),
	clock providers.Clock) ([]Need, error) {
	b, _, err := SavePlan(ctx, st, p, req)
	if err != nil {
		return nil, err
	}
	items, err := st.Items(ctx, b.ID)
	if err != nil {
		return nil, fmt.Errorf("read the items of batch %s: %w", b.Reference, err)
	}
	conn, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	if conn.Close != nil {
		defer conn.Close()
	}
	return CheckBalances(ctx, conn.Lanes, items, conn.Costs, clock)
}
