package batch

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// ReconcileResult is the batch's standing after settling, with what the
// reconciliation found (Standing.Reconciliation): its counts, and of its items
// only those a summary lists (Glance).
type ReconcileResult struct {
	Standing
}

// Reconcile settles what is pending or in doubt (sending nothing new: as a
// run does, then by the callbacks kept in the ledger when st keeps them), then
// compares every item with the providers' own records, stores the findings
// (the latest replace the previous ones) and notes each in the events.
func (s *Session) Reconcile(ctx context.Context, st ReconcileStore, o RunOptions, now func() time.Time) (ReconcileResult, error) {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := s.runner(o)
	r.SettleOnly = true
	if err := s.run(ctx, r, s.Batch); err != nil {
		return ReconcileResult{}, err
	}
	if cs, ok := st.(callbackLog); ok { // the callbacks kept settle what the runs left in doubt after them
		if _, err := Revisit(ctx, callbackStore{s.st, cs, s.Batch.ID}, s.Conn.Lanes, s.Batch.ID, s.clock); err != nil {
			return ReconcileResult{}, err
		}
	}
	b := s.Batch
	provs := map[string]Provider{}
	for name, lane := range s.Conn.Lanes {
		provs[name] = lane.Provider
	}
	at := now()
	// the items are read and compared a page at a time; the references the
	// ledger knows only once they are, for the providers' histories
	var read bool
	found, err := reconcileFrom(ctx, provs, b, func(fn func(Item) error) error {
		err := EachItem(ctx, s.st, b.ID, fn)
		read = err != nil && ctx.Err() == nil
		return err
	}, knownReferences(ctx, st), at, Lookups{Lanes: s.Conn.Lanes})
	if read {
		return ReconcileResult{}, fmt.Errorf("read items: %w", err)
	}
	if err != nil {
		return ReconcileResult{}, err
	}
	mism, unchecked := found.mism, found.unchecked
	wctx := context.WithoutCancel(ctx)
	rec := Reconciliation{At: at, Mismatches: mism, Unchecked: unchecked}
	if err := st.SaveReconciliation(wctx, b.ID, rec); err != nil {
		return ReconcileResult{}, fmt.Errorf("record the findings: %w", err)
	}
	for _, m := range mism {
		if err := s.st.Note(wctx, b.ID, "reconcile: "+m.Kind+" mismatch", m.String()); err != nil {
			return ReconcileResult{}, fmt.Errorf("record a mismatch: %w", err)
		}
	}
	for _, u := range unchecked {
		s.note(wctx, log, "reconcile: could not check", u.String())
	}
	if len(mism) == 0 && len(unchecked) == 0 {
		s.note(wctx, log, "reconciled", "the providers' records agree with the ledger")
	}
	standing, err := Glance(ctx, s.st, b)
	if err != nil {
		return ReconcileResult{}, err
	}
	standing.Reconciliation = rec
	return ReconcileResult{standing}, nil
}

// knownReferences tells which references st knows of a provider: listed a
// row at a time into a refSet when st can (ReferenceLister), otherwise from
// every reference of the ledger, read once.
func knownReferences(ctx context.Context, st ReconcileStore) func(provider string) (func(string) bool, error) {
	var all map[string]map[string]bool
	return func(provider string) (func(string) bool, error) {
		if l, ok := st.(ReferenceLister); ok {
			var set refSet
			err := l.EachProviderReference(ctx, provider, func(ref string) error {
				set.add(ref)
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("read the provider references: %w", err)
			}
			return set.has, nil
		}
		if all == nil {
			var err error
			if all, err = st.ProviderReferences(ctx); err != nil {
				return nil, fmt.Errorf("read the provider references: %w", err)
			}
		}
		refs := all[provider]
		return func(ref string) bool { return refs[ref] }, nil
	}
}

// callbackLog is a store that keeps the callbacks and tells whether a run
// holds a batch.
type callbackLog interface {
	CallbackLog
	RunChecker
}

// callbackStore is a Store with its callback log.
type callbackStore struct {
	Store
	callbackLog
	held int64 // the batch this session holds: no other run pays it
}

// Running says no run pays the batch the session holds (its own settling
// run has ended), so that an unknown item of it is settled by its callback.
func (c callbackStore) Running(ctx context.Context, batchID int64) (bool, error) {
	if batchID == c.held {
		return false, nil
	}
	return c.callbackLog.Running(ctx, batchID)
}

// ReconcileOutcome is the error a reconciliation's findings give: ErrMismatch
// when the records disagree, ErrUnfinished when some could not be checked or
// items are still open (failed items are settled: they need no person), nil
// when everything agrees.
func ReconcileOutcome(b Batch, res ReconcileResult) error {
	sum, rec := res.Summary, res.Reconciliation
	if sum.Counts == nil { // a standing without its counts: the items'
		sum = Summarize(b, res.Items)
	}
	switch {
	case len(rec.Mismatches) > 0:
		return fmt.Errorf("%w: %d mismatch(es); they are in the events and the reports", ErrMismatch, len(rec.Mismatches))
	case len(rec.Unchecked) > 0:
		return fmt.Errorf("%w: %d record(s) could not be checked", ErrUnfinished, len(rec.Unchecked))
	case sum.Counts.Open() > 0:
		return Outcome(sum)
	}
	return nil
}
