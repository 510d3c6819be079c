package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"bulkpay/batch"
	"bulkpay/ledger"
	"bulkpay/providers"
)

// planFlags are what run and plan share.
type planFlags struct {
	sheetFlags
	reference, sandboxURL, period, by string
	allowRepeat                       bool
}

func (pf *planFlags) register(fs *pflag.FlagSet) {
	pf.sheetFlags.register(fs)
	fs.StringVar(&pf.reference, "reference", "", "batch reference (default: the sheet's file name without extension)")
	fs.StringVar(&pf.sandboxURL, "sandbox", "", "pay through the sandbox at this `URL` (a running bulkpay sandbox)")
	fs.StringVar(&pf.period, "period", "", "pay period YYYY-MM (default: the year-month in the reference or file name, else this month)")
	fs.BoolVar(&pf.allowRepeat, "allow-repeat", false, "pay rows that another batch already pays for the same period")
	fs.StringVar(&pf.by, "by", "", "who plans the batch (default: the login name)")
}

// plannedSheet is a sheet read, checked and planned, not yet stored.
type plannedSheet struct {
	sc    sheetCheck
	b     batch.Batch
	items []batch.Item
}

// planSheet reads and checks a sheet and plans its batch: routes, fees, period,
// plan hash. Row errors are in sc.Errors; err is for what stops reading.
func (a *app) planSheet(ctx context.Context, pf *planFlags, path string) (*plannedSheet, error) {
	ck := a.checks(pf.sandboxURL, pf.sheetFlags)
	sc, err := checkSheet(ctx, path, pf.options(a.cfg), ck, true)
	if err != nil {
		return &plannedSheet{sc: sc}, err
	}
	if pf.reference == "" {
		pf.reference = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if pf.period == "" {
		pf.period = periodOf(pf.reference, path)
	}
	b, items, rerrs := batch.PlanWithFees(pf.reference, filepath.Base(path), a.cfg.Currency, sc.rows, ck.router, a.cfg.fees())
	if len(rerrs) > 0 { // fee refusals (a beneficiary-borne charge too large)
		bad := map[int]bool{}
		for _, e := range rerrs {
			bad[e.Row] = true
			sc.Errors = append(sc.Errors, e)
		}
		for _, r := range sc.rows {
			if bad[r.Row] {
				sc.Valid--
				sc.Invalid++
				sc.TotalAmount -= r.Amount
			}
		}
		sort.SliceStable(sc.Errors, func(i, j int) bool { return sc.Errors[i].Row < sc.Errors[j].Row })
	}
	b.Endpoint = a.endpoint(pf.sandboxURL)
	b.Sandbox = b.Endpoint.IsSandbox()
	b.CreatedBy = providers.Or(pf.by, whoami())
	b.Policy = a.cfg.policy()
	batch.WithPeriod(&b, items, sc.rows, pf.period)
	return &plannedSheet{sc: sc, b: b, items: items}, nil
}

// store finds or creates the planned batch in the ledger, refusing rows that
// another batch already pays for the same period unless allowRepeat. The
// config's approval rules are added to the batch's stored ones; planning
// (plan, not run) an existing batch records its planner too.
func (a *app) store(ctx context.Context, st *ledger.Store, p *plannedSheet, path string, allowRepeat, planning bool) (batch.Batch, bool, error) {
	b, created, err := a.prepare(ctx, st, p, path, allowRepeat)
	if err != nil || created {
		return b, created, err
	}
	if planning {
		detail := "login " + whoami()
		if p.b.PlanHash != b.PlanHash {
			detail += fmt.Sprintf("; this plan's hash %s differs from the stored one (fees, routes or period changed)", p.b.PlanHash)
		}
		err = st.RecordPlan(ctx, b.ID, p.b.CreatedBy, b.PlanHash, detail, p.b.Policy)
	} else {
		err = st.RecordPolicy(ctx, b.ID, p.b.Policy, p.b.CreatedBy)
	}
	if err != nil {
		return batch.Batch{}, false, fmt.Errorf("record the plan of batch %s: %w", b.Reference, err)
	}
	b.Policy = b.Policy.Or(p.b.Policy)
	return b, false, nil
}

func (a *app) prepare(ctx context.Context, st *ledger.Store, p *plannedSheet, path string, allowRepeat bool) (batch.Batch, bool, error) {
	if _, err := st.Batch(ctx, p.b.Reference); errors.Is(err, batch.ErrBatchNotFound) && !allowRepeat {
		repeats, err := batch.Repeats(ctx, st, p.b, p.items)
		if err != nil {
			return batch.Batch{}, false, err
		}
		if len(repeats) > 0 {
			fmt.Fprintf(a.stderr, "%d row(s) of %s were already paid or planned for period %s in another batch:\n", len(repeats), filepath.Base(path), p.b.Period)
			for i, r := range repeats {
				if i == 10 {
					fmt.Fprintf(a.stderr, "  ... and %d more\n", len(repeats)-10)
					break
				}
				fmt.Fprintln(a.stderr, "  "+r.String())
			}
			return batch.Batch{}, false, fmt.Errorf("%w: refusing to pay them again; if this is really a new payment, pass --allow-repeat (or --period for another pay period)", errInvalid)
		}
	}
	return batch.Prepare(ctx, st, p.b, p.items, p.sc.rows)
}

var periodRE = regexp.MustCompile(`(20\d\d)[-_ .]?(0[1-9]|1[0-2])`)

// periodOf finds the pay period in the reference or the file name, else this month.
func periodOf(reference, path string) string {
	for _, s := range []string{reference, filepath.Base(path)} {
		if m := periodRE.FindStringSubmatch(s); m != nil {
			return m[1] + "-" + m[2]
		}
	}
	return time.Now().UTC().Format("2006-01")
}

// approved refuses a batch that needs approval and lacks it: unapproved, a plan
// hash changed since approval, or approved by one of its planners under four
// eyes. The rules are the batch's stored ones made stricter by the config in
// force: leaving out --config relaxes nothing.
func (a *app) approved(ctx context.Context, st *ledger.Store, b batch.Batch, planHash string) error {
	pol := b.Policy.Or(a.cfg.policy())
	if !pol.RequireApproval {
		return nil
	}
	recorded, err := st.Planners(ctx, b.ID)
	if err != nil {
		return fmt.Errorf("read who planned batch %s: %w", b.Reference, err)
	}
	if err := batch.CheckRun(b, pol, batch.Planners(b, recorded), planHash); err != nil {
		a.note(ctx, st, b.ID, "run refused", err.Error())
		return err
	}
	return nil
}

// timeNow is the clock for approvals.
var timeNow = func() time.Time { return time.Now().UTC() }
