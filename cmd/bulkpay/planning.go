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
	fs.StringVar(&pf.sandboxURL, "sandbox", "", "pay through the sandbox at this URL (a running `bulkpay sandbox`)")
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
	b.Sandbox = pf.sandboxURL != "" || len(a.cfg.Providers) == 0
	b.CreatedBy = providers.Or(pf.by, whoami())
	batch.WithPeriod(&b, items, sc.rows, pf.period)
	return &plannedSheet{sc: sc, b: b, items: items}, nil
}

// store finds or creates the planned batch in the ledger, refusing rows that
// another batch already pays for the same period unless allowRepeat.
func (a *app) store(ctx context.Context, st *ledger.Store, p *plannedSheet, path string, allowRepeat bool) (batch.Batch, bool, error) {
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
// hash changed since approval, or approved by its creator under four eyes.
func (a *app) approved(ctx context.Context, st *ledger.Store, b batch.Batch, planHash string) error {
	if !a.cfg.RequireApproval {
		return nil
	}
	var why string
	switch {
	case b.Approval.Hash == "":
		why = fmt.Sprintf("batch %s is not approved: run `bulkpay approve %s --by NAME` after checking `bulkpay plan`", b.Reference, b.Reference)
	case b.Approval.Hash != planHash:
		why = fmt.Sprintf("batch %s changed since %s approved it (plan hash %.12s, now %.12s: fees, routes or period): approve it again", b.Reference, b.Approval.By, b.Approval.Hash, planHash)
	case a.cfg.FourEyes && b.Approval.By == b.CreatedBy:
		why = fmt.Sprintf("batch %s was planned and approved by the same person (%s); four_eyes needs another approver", b.Reference, b.CreatedBy)
	default:
		return nil
	}
	a.note(ctx, st, b.ID, "run refused", why)
	return errors.New(why)
}

// timeNow is the clock for approvals.
var timeNow = func() time.Time { return time.Now().UTC() }
