package batch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"bulkpay/providers"
)

// WorkStore is what a worker reads to find the batches to pay.
type WorkStore interface {
	BatchReader
	// Totals counts a batch's items by state (ItemReader.Totals).
	Totals(ctx context.Context, batchID int64) (map[State]Total, error)
}

// WorkRequest is how a worker goes about the batches of a shared ledger.
type WorkRequest struct {
	// Mine says whether this worker may pay b: it pays through the
	// providers b was paid through (its endpoint).
	Mine func(b Batch) bool
	// Pay pays one batch to the end it can reach now (a session of the door's).
	Pay func(ctx context.Context, b Batch) error
	// Idle is how long the worker waits after a pass over the batches before
	// looking again; 2s when 0.
	Idle  time.Duration
	Clock providers.Clock // SystemClock when nil
	Log   *slog.Logger    // discarded when nil
}

// Workable reports whether a worker takes up a batch with these totals: it
// has started paying (an item has left planned: a run, the server or the API
// started it) and something is left that a run can move (planned, in doubt,
// pending, or submitting under a claim that may have run out). A batch that
// waits only for a person (review) or is finished is left alone, and so is
// one nobody started: a worker does not start a batch on its own.
func Workable(totals map[State]Total) bool {
	started := false
	for s, t := range totals {
		if t.Items > 0 && s != Planned && s != Rejected && s != Cancelled {
			started = true
		}
	}
	moving := totals[Planned].Items + totals[Submitting].Items + totals[Pending].Items + totals[Unknown].Items
	return started && moving > 0
}

// Work pays every batch of st that has started and is not finished, one
// after the other, again and again, until ctx ends: it is what `bulkpay
// worker` does beside the other workers of a shared ledger. A batch that
// cannot be paid now (a balance short, a provider refusing) is logged and
// looked at again on the next pass. It returns nil once ctx ended, or the
// ledger's error when the batches cannot be read.
func Work(ctx context.Context, st WorkStore, req WorkRequest) error {
	log := req.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	clock := req.Clock
	if clock == nil {
		clock = providers.SystemClock
	}
	idle := req.Idle
	if idle <= 0 {
		idle = 2 * time.Second
	}
	for ctx.Err() == nil {
		bs, err := st.Batches(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return fmt.Errorf("list batches: %w", err)
		}
		for _, b := range bs {
			if ctx.Err() != nil {
				break
			}
			if req.Mine != nil && !req.Mine(b) {
				continue
			}
			totals, err := st.Totals(ctx, b.ID)
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				return fmt.Errorf("count items of batch %s: %w", b.Reference, err)
			}
			if !Workable(totals) {
				continue
			}
			log.Info("paying batch", "batch", b.Reference)
			err = req.Pay(ctx, b)
			switch {
			case err == nil, errors.Is(err, ErrUnfinished), errors.Is(err, ErrFailed), errors.Is(err, ErrInterrupted) && ctx.Err() != nil:
			default:
				log.Warn("batch not paid on this pass; looked at again on the next", "batch", b.Reference, "err", err)
			}
		}
		if clock.Sleep(ctx, idle) != nil {
			break
		}
	}
	return nil
}
