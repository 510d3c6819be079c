package batch

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// ReconcileResult is the batch's standing after settling, with what the
// reconciliation found (Standing.Reconciliation).
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
		if _, err := Revisit(ctx, callbackStore{s.st, cs}, s.Conn.Lanes, s.Batch.ID, s.clock); err != nil {
			return ReconcileResult{}, err
		}
	}
	b := s.Batch
	items, err := s.st.Items(ctx, b.ID)
	if err != nil {
		return ReconcileResult{}, fmt.Errorf("read items: %w", err)
	}
	known, err := st.ProviderReferences(ctx)
	if err != nil {
		return ReconcileResult{}, fmt.Errorf("read the provider references: %w", err)
	}
	provs := map[string]Provider{}
	for name, lane := range s.Conn.Lanes {
		provs[name] = lane.Provider
	}
	at := now()
	mism, unchecked, err := Reconcile(ctx, provs, b, items, known, at, Lookups{Lanes: s.Conn.Lanes})
	if err != nil {
		return ReconcileResult{}, err
	}
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
	retries, err := RetriesOf(ctx, s.st, b)
	if err != nil {
		return ReconcileResult{}, err
	}
	return ReconcileResult{Standing{Summary: Summarize(b, items), Items: items, Retries: retries, Reconciliation: rec}}, nil
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
}

// ReconcileOutcome is the error a reconciliation's findings give: ErrMismatch
// when the records disagree, ErrUnfinished when some could not be checked or
// items are still open (failed items are settled: they need no person), nil
// when everything agrees.
func ReconcileOutcome(b Batch, res ReconcileResult) error {
	sum, rec := Summarize(b, res.Items), res.Reconciliation
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
