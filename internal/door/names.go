package door

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/sheet"
)

// Names is what the name check found for a planned sheet.
type Names struct {
	Policy batch.NamePolicy
	Checks []batch.NameCheck // in sheet order; nil when the policy is off or the sheet invalid
	Stored bool              // the checks are the ledger's, from an earlier plan of the batch
}

// PlanStreamNames plans p's sheet as PlanStream does, with the name check
// of the config's policy: unless the batch is stored already with its checks
// (then those are kept), every checkable row of a valid sheet is asked of the
// providers that can tell names (through t) before anything is stored. Under
// block a doubtful row refuses the whole sheet (a *batch.NameRefusal: nothing
// stored); otherwise the plan is stored and its checks recorded with the
// policy's moves (rejected accounts, rows to confirm).
func PlanStreamNames(ctx context.Context, cfg config.Config, t config.Target, p Plan, open func(context.Context) (batch.PlanStore, error),
	early bool, save batch.SaveRequest) (batch.Streamed, sheet.Result, Names, error) {
	names := Names{Policy: cfg.NamePolicy()}
	if names.Policy == batch.NamesOff {
		s, res, err := PlanStream(ctx, cfg, t, p, open, early, save)
		return s, res, names, err
	}
	var st batch.PlanStore
	once := func(ctx context.Context) (batch.PlanStore, error) {
		if st != nil {
			return st, nil
		}
		var err error
		st, err = open(ctx)
		return st, err
	}
	ref := batch.ReferenceOf(p.request(cfg, t))
	if _, err := once(ctx); err != nil {
		return batch.Streamed{}, sheet.Result{}, names, err
	}
	ns, _ := st.(batch.NameStore)
	if ns == nil {
		return batch.Streamed{}, sheet.Result{}, names, errors.New("this ledger keeps no name checks")
	}
	if b, err := st.Batch(ctx, ref); err == nil {
		if names.Checks, err = ns.NameChecks(ctx, b.ID); err != nil {
			return batch.Streamed{}, sheet.Result{}, names, err
		}
		names.Stored = len(names.Checks) > 0
	} else if !errors.Is(err, batch.ErrBatchNotFound) {
		return batch.Streamed{}, sheet.Result{}, names, fmt.Errorf("find batch: %w", err)
	}
	if !names.Stored {
		rows, res, err := checkableRows(ctx, cfg, t, p)
		if err != nil || len(res.Errors) > 0 || res.Valid == 0 {
			// an invalid sheet is shown as planning shows it; nothing is asked
			s, res, err := PlanStream(ctx, cfg, t, p, once, true, save)
			return s, res, names, err
		}
		if names.Checks, err = AskNames(ctx, cfg, t, rows); err != nil {
			return batch.Streamed{}, res, names, err
		}
		if err := batch.Blocked(names.Policy, names.Checks); err != nil {
			return batch.Streamed{}, res, names, err
		}
	}
	s, res, err := PlanStream(ctx, cfg, t, p, once, true, save)
	if err != nil || !s.Stored || names.Stored {
		return s, res, names, err
	}
	names.Checks, err = batch.SaveNames(ctx, ns, s.Batch, names.Policy, names.Checks, p.By)
	names.Stored = err == nil
	return s, res, names, err
}

// checkableRows reads p's sheet for the rows a name check asks about: every
// valid row (each is checked, or said not checkable).
func checkableRows(ctx context.Context, cfg config.Config, t config.Target, p Plan) ([]batch.Row, sheet.Result, error) {
	opt, scr := p.Reading(cfg, t)
	var rows []batch.Row
	res, err := sheet.ScreenedEach(ctx, p.Path, opt, scr, func(r batch.Row) error {
		rows = append(rows, r)
		return nil
	})
	return rows, res, err
}

// AskNames asks the providers t reaches that can tell names about rows.
func AskNames(ctx context.Context, cfg config.Config, t config.Target, rows []batch.Row) ([]batch.NameCheck, error) {
	conn, err := cfg.Connect(ctx, t)
	if err != nil {
		return nil, err
	}
	if conn.Close != nil {
		defer conn.Close()
	}
	return batch.CheckNames(ctx, rows, conn.Names, time.Now), nil
}

// ConfirmName confirms, as an approver, a row of b whose registered name did
// not match (batch.ConfirmName), in a ledger that keeps name checks.
func ConfirmName(ctx context.Context, st batch.Store, b batch.Batch, req batch.ConfirmRequest) (batch.NameCheck, error) {
	ns, ok := st.(batch.NameStore)
	if !ok {
		return batch.NameCheck{}, errors.New("this ledger keeps no name checks")
	}
	return batch.ConfirmName(ctx, ns, b, req)
}
