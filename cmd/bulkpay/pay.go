package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"bulkpay/batch"
	"bulkpay/ledger"
	"bulkpay/reports"
)

// pay runs a stored batch to the end it can reach now, then prints the summary,
// writes the report and returns the error that gives the exit code.
func (a *app) pay(ctx context.Context, st *ledger.Store, b batch.Batch, sandboxURL string, asJSON bool) error {
	p, release, err := a.session(ctx, st, b, sandboxURL)
	if err != nil {
		return err
	}
	defer release()
	items, err := st.Items(ctx, b.ID)
	if err != nil {
		return fmt.Errorf("read items: %w", err)
	}
	before := batch.Summarize(b, items)
	var runErr error
	var hold map[int64]bool
	if before.Counts[batch.Planned] > 0 {
		needs, err := a.checkBalances(ctx, p.lanes, items)
		if err != nil {
			return err
		}
		if short(needs) {
			fmt.Fprintf(a.stderr, "Provider balances cannot cover batch %s:\n", b.Reference)
			printNeeds(a.stderr, needs, b.Currency)
			if !a.allowPartial {
				a.note(ctx, st, b.ID, "run refused", "provider balance short; nothing sent")
				return fmt.Errorf("balance short: fund the accounts above, or pass --allow-partial to pay in row order while money lasts")
			}
			hold = a.holds(items, needs)
			a.note(ctx, st, b.ID, "partial run", fmt.Sprintf("%d item(s) held: provider balance short", len(hold)))
			a.say("--allow-partial: %d item(s) wait for the accounts to be funded", len(hold))
		}
	}
	if before.Complete() {
		a.say("batch %s is already complete: nothing to pay", b.Reference)
	} else {
		prog := a.newProgress(b, items, p.lanes)
		r := &batch.Runner{
			Store:        st,
			Lanes:        p.lanes,
			Observer:     prog,
			Log:          a.log,
			Description:  a.cfg.Description,
			PendingWait:  a.cfg.PendingWait,
			PollInterval: a.cfg.PollInterval,
			Crash:        a.crash.at,
			Hold:         hold,
		}
		if p.sandbox && a.cfg.PollInterval == defaultConfig().PollInterval {
			r.PollInterval = 500 * time.Millisecond
		}
		_, runErr = r.Run(ctx, b)
		prog.done()
		for id := range hold {
			if err := st.Apply(context.WithoutCancel(ctx), batch.Change{ItemID: id, Message: "held: the provider's balance could not cover it; resume once the account is funded"}); err != nil {
				a.log.Warn("could not record why an item was held", "item", id, "err", err)
			}
		}
		if runErr != nil && ledgerWriteFailed(runErr) {
			runErr = fmt.Errorf("the ledger %s could not record a step (%w); nothing is sent without its intent recorded: free disk space or fix the file's permissions, then run `%s`", st.Path(), runErr, a.resumeCommand(b))
		}
	}
	return a.finish(ctx, st, b, runErr, asJSON)
}

// finish prints the summary and writes the report, whatever happened in the run.
func (a *app) finish(ctx context.Context, st *ledger.Store, b batch.Batch, runErr error, asJSON bool) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	items, err := st.Items(rctx, b.ID)
	if err != nil {
		return errors.Join(runErr, fmt.Errorf("read items: %w", err))
	}
	sum := batch.Summarize(b, items)
	out := a.stdout
	if asJSON {
		out = a.stderr
	}
	interrupted := errors.Is(runErr, batch.ErrInterrupted)
	view := a.view(rctx, st, b, items)
	view.interrupted = interrupted
	if !asJSON || !a.quiet {
		printSummary(out, sum, view)
	}
	// the payments decide the exit code: a report that cannot be written is a
	// warning, the ledger holds everything needed to write it later
	if dir, err := a.writeReports(rctx, st, b, items, a.cfg.ReportsDir); err != nil {
		fmt.Fprintf(a.stderr, "WARNING: the reports of batch %s could not be written to %s: %v\n"+
			"The payments are recorded in the ledger %s; write the reports into a folder you can write to with `%s`\n",
			b.Reference, a.cfg.ReportsDir, err, st.Path(), a.reportCommand(b))
	} else {
		fmt.Fprintf(out, "Reports: %s (reconciliation.xlsx, reconciliation.csv, summary.json)\n", dir)
	}
	if asJSON {
		rec, err := st.Reconciliation(rctx, b.ID)
		if err != nil {
			return errors.Join(runErr, fmt.Errorf("read reconciliation: %w", err))
		}
		if err := writeStatusJSON(a.stdout, sum, rec); err != nil {
			return err
		}
	}
	if runErr != nil {
		if interrupted {
			fmt.Fprintf(a.stderr, "Interrupted: what was sent is recorded; run `%s` to finish. Nobody is paid twice.\n",
				view.next("resume"))
		} else {
			fmt.Fprintf(a.stderr, "The run stopped before the end. Every step taken is in the ledger: once the cause below is dealt with, run `%s` to finish; nobody is paid twice.\n", view.next("resume"))
		}
		return runErr
	}
	return outcome(sum)
}

// view gathers what a summary shows beyond the counts: the items, what became
// of the failed ones retried since, and the next commands with the flags in use.
func (a *app) view(ctx context.Context, st *ledger.Store, b batch.Batch, items []batch.Item) summaryView {
	v := summaryView{items: items, next: func(verb string, extra ...string) string {
		return a.command(verb, b.Reference, b, extra...)
	}, other: func(ref, verb string, extra ...string) string {
		return a.command(verb, ref, b, extra...)
	}}
	r, err := retriesOf(ctx, st, b)
	if err != nil {
		a.log.Warn("could not read the retry batches", "batch", b.Reference, "err", err)
	}
	v.retries = r
	return v
}

// outcome gives the exit error for a batch's standing.
func outcome(sum batch.Summary) error {
	switch {
	case sum.Counts.Open() > 0:
		return fmt.Errorf("%w: %d pending, %d unknown, %d in review, %d not sent yet", errUnfinished,
			sum.Counts[batch.Pending], sum.Counts[batch.Unknown]+sum.Counts[batch.Submitting], sum.Counts[batch.Review], sum.Counts[batch.Planned])
	case sum.Counts[batch.Failed] > 0:
		return fmt.Errorf("%w: %d failed", errFailed, sum.Counts[batch.Failed])
	}
	return nil
}

type statusJSON struct {
	BatchID         int64          `json:"batch_id"`
	Reference       string         `json:"reference"`
	Items           int            `json:"items"`
	Counts          map[string]int `json:"counts"`
	TotalAmount     int64          `json:"total_amount"`
	SucceededAmount int64          `json:"succeeded_amount"`
	// Reconciliation is what the latest `bulkpay reconcile` found; absent when
	// the batch was never reconciled.
	Reconciliation *reconciliationJSON `json:"reconciliation,omitempty"`
}

func writeStatusJSON(w io.Writer, sum batch.Summary, rec batch.Reconciliation) error {
	counts := map[string]int{}
	for _, s := range batch.States {
		counts[string(s)] = sum.Counts[s]
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(statusJSON{BatchID: sum.Batch.ID, Reference: sum.Batch.Reference, Items: sum.Items,
		Counts: counts, TotalAmount: sum.TotalAmount, SucceededAmount: sum.SucceededAmount, Reconciliation: toReconciliationJSON(rec)})
}

// ledgerWriteFailed recognises SQLite refusing a write: a full disk or a
// read-only file.
func ledgerWriteFailed(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "disk is full") || strings.Contains(msg, "readonly database") || strings.Contains(msg, "disk I/O error")
}

// writeReports writes the batch's reports from the ledger, with the findings of
// its latest reconciliation, and on each failed item retried since, where it went.
func (a *app) writeReports(ctx context.Context, st *ledger.Store, b batch.Batch, items []batch.Item, root string) (string, error) {
	rec, err := st.Reconciliation(ctx, b.ID)
	if err != nil {
		return "", fmt.Errorf("read reconciliation: %w", err)
	}
	if r, err := retriesOf(ctx, st, b); err == nil && len(r) > 0 {
		items = withRetryNotes(items, r)
	}
	in := reports.Input{Batch: b, Items: items, Attempts: map[int64][]batch.Attempt{}, Mismatches: rec.Mismatches, Unchecked: rec.Unchecked}
	for _, it := range items {
		if it.State == batch.Review || it.State == batch.Unknown {
			atts, err := st.Attempts(ctx, it.ID)
			if err != nil {
				return "", err
			}
			in.Attempts[it.ID] = atts
		}
	}
	return reports.WriteAll(root, in)
}

// withRetryNotes returns items with, on each failed item paid again since,
// where and how: "retried in REF-retry-1 (succeeded); <the provider's answer>".
func withRetryNotes(items []batch.Item, r retries) []batch.Item {
	out := make([]batch.Item, len(items))
	for i, it := range items {
		if note := r.note(it.ID); note != "" && it.State == batch.Failed {
			it.Message = strings.TrimSuffix(note+"; "+it.Message, "; ")
		}
		out[i] = it
	}
	return out
}

// session checks the ledger file's integrity, connects to the batch's providers
// (refusing to mix sandbox and live) and takes the batch's lock; release undoes
// both. Every command that may send money goes through it.
func (a *app) session(ctx context.Context, st *ledger.Store, b batch.Batch, sandboxURL string) (*payees, func(), error) {
	a.current, a.sandboxURL = &b, sandboxURL
	if err := st.Check(ctx); err != nil {
		return nil, nil, err
	}
	if err := a.checkEndpoint(ctx, st, b, sandboxURL); err != nil {
		return nil, nil, err
	}
	p, err := a.connect(ctx, sandboxURL)
	if err != nil {
		return nil, nil, err
	}
	if p.sandbox {
		a.say("SANDBOX: no real money moves (%s)", p.where)
	}
	a.sandboxFees = p.sandbox
	host, _ := os.Hostname()
	owner := batch.Owner{PID: os.Getpid(), Host: host, Start: ledger.ProcessStart(os.Getpid()), At: time.Now()}
	var since time.Time // when waiting began
	for {
		err := st.Lock(ctx, b.ID, owner)
		var le *batch.LockedError
		if err == nil {
			a.paying = true
			break
		}
		if !errors.As(err, &le) || !a.wait.on {
			p.close()
			return nil, nil, err
		}
		pause := 2 * time.Second
		if since.IsZero() {
			since = time.Now()
			if a.wait.bound > 0 {
				a.say("%v: waiting for it to finish (at most %s)", err, a.wait.bound)
			} else {
				a.say("%v: waiting for it to finish", err)
			}
		}
		if a.wait.bound > 0 {
			left := a.wait.bound - time.Since(since)
			if left <= 0 {
				p.close()
				return nil, nil, fmt.Errorf("%w; still running after waiting %s: try again later, or wait longer with --wait", err, a.wait.bound)
			}
			pause = min(pause, left)
		}
		select {
		case <-ctx.Done():
			p.close()
			return nil, nil, batch.ErrInterrupted
		case <-time.After(pause):
		}
	}
	return p, func() {
		st.Unlock(context.WithoutCancel(ctx), b.ID, owner)
		p.close()
	}, nil
}

// note appends a batch event; the command goes on if the ledger cannot take it,
// but says so in the logs.
func (a *app) note(ctx context.Context, st *ledger.Store, batchID int64, cause, detail string) {
	if err := st.Note(context.WithoutCancel(ctx), batchID, cause, detail); err != nil {
		a.log.Warn("could not record an event", "cause", cause, "err", err)
	}
}
