package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"bulkpay/batch"
	"bulkpay/internal/door"
)

// The events the web app's run controls write, each with the signed-in user.
const (
	causeStarted   = "started in the web app"
	causeResumed   = "resumed in the web app"
	causePaused    = "paused in the web app"
	causeReconcile = "reconcile from the web app"
	// the same through the platform API
	causeStartedAPI = "started through the API"
	causeResumedAPI = "resumed through the API"
)

// startBatch pays b in the background once the approval rules allow it, as
// `bulkpay resume` would; cause is the event recorded with actor. A batch
// this server already pays gives ErrRunning; one another process holds, its
// *batch.LockedError.
func (s *Server) startBatch(ctx context.Context, b batch.Batch, actor, cause string) error {
	if err := batch.AuthorizeRun(ctx, s.opt.Store, b, s.opt.Policy, b.PlanHash); err != nil {
		return err
	}
	return s.runs.start(b, actor, cause)
}

// pauseBatch pauses the server's run of b: no new item is claimed, the
// payouts in flight finish and are recorded (the runner waits for their
// answers), and the batch stays resumable with startBatch. It returns once
// the pause is recorded, with a channel closed when the run has ended. A
// batch this server is not paying gives ErrNotRunning (a run of another
// process is paused from that process: Ctrl-C for the command line).
func (s *Server) pauseBatch(ctx context.Context, b batch.Batch, actor string) (<-chan struct{}, error) {
	done, err := s.runs.pause(b.ID)
	if err != nil {
		return nil, err
	}
	if err := s.opt.Store.NoteBy(ctx, b.ID, causePaused,
		"no new payout is sent; those in flight finish and are recorded", actor); err != nil {
		return done, err
	}
	return done, nil
}

// cancelBatch cancels b's items that were never sent (batch.Cancel). A run of
// b in this server is paused first and waited for (its payouts in flight
// finish and are recorded), so that nothing is claimed while items are
// cancelled; a batch another process holds is refused (*batch.LockedError)
// and nothing changes.
func (s *Server) cancelBatch(ctx context.Context, b batch.Batch, actor, note string) (batch.CancelResult, error) {
	if strings.TrimSpace(note) == "" {
		return batch.CancelResult{}, fmt.Errorf("%w: say why the batch is cancelled", batch.ErrInvalid)
	}
	if done, err := s.pauseBatch(ctx, b, actor); err == nil {
		select {
		case <-done:
		case <-ctx.Done():
			return batch.CancelResult{}, ctx.Err()
		}
	} else if !errors.Is(err, ErrNotRunning) {
		return batch.CancelResult{}, err
	}
	release, err := s.runs.hold(b.ID)
	if err != nil {
		return batch.CancelResult{}, err
	}
	defer release()
	owner := s.opt.Owner
	owner.At = s.opt.Now()
	return batch.Cancel(ctx, s.opt.Store, b, batch.CancelRequest{Actor: actor, Note: note, Owner: owner})
}

// resumeForm starts the batch's run again after a pause or an interruption.
func (s *Server) resumeForm(w http.ResponseWriter, r *http.Request, rq *request) {
	s.startAs(w, r, rq, causeResumed)
}

// pauseForm pauses the batch's run in this server.
func (s *Server) pauseForm(w http.ResponseWriter, r *http.Request, rq *request) {
	b, ok := s.findBatch(w, r, rq)
	if !ok {
		return
	}
	if _, err := s.pauseBatch(r.Context(), b, rq.User.Name); err != nil {
		if errors.Is(err, ErrNotRunning) {
			err = conflictError(rq.T["not_running"])
		}
		s.refusal(w, r, rq, b, err)
		return
	}
	s.backToBatch(w, r, b)
}

// cancelForm cancels the batch's items never sent, once the form's confirmation
// box is ticked and a note says why.
func (s *Server) cancelForm(w http.ResponseWriter, r *http.Request, rq *request) {
	b, ok := s.findBatch(w, r, rq)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.refusal(w, r, rq, b, inputError(rq.T["cancel_needs_confirm"]))
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if note == "" {
		s.refusal(w, r, rq, b, inputError(rq.T["cancel_needs_note"]))
		return
	}
	if _, err := s.cancelBatch(r.Context(), b, rq.User.Name, note); err != nil {
		s.refusal(w, r, rq, b, err)
		return
	}
	s.backToBatch(w, r, b)
}

// reconcileBatch settles what b has pending or in doubt (sending nothing
// new) and compares every item with the providers' own records, as `bulkpay
// reconcile` does (batch.Session.Reconcile), recording actor. A batch this
// server is paying gives ErrRunning; one another process holds, its
// *batch.LockedError.
func (s *Server) reconcileBatch(ctx context.Context, b batch.Batch, actor string) (batch.ReconcileResult, error) {
	release, err := s.runs.hold(b.ID)
	if err != nil {
		return batch.ReconcileResult{}, err
	}
	defer release()
	sess, err := s.openSession(ctx, b, actor, "bulkpay reconcile "+b.Reference)
	if err != nil {
		return batch.ReconcileResult{}, err
	}
	defer sess.Close()
	if err := s.opt.Store.NoteBy(ctx, b.ID, causeReconcile, "settle what is in doubt, then compare with the providers' records", actor); err != nil {
		return batch.ReconcileResult{}, err
	}
	return sess.Reconcile(ctx, s.opt.Store, s.opt.Config.SettleOptions(sess.Conn.Sandbox, s.opt.Log), s.opt.Now)
}

// reconcileForm reconciles the batch and shows its page with the findings.
func (s *Server) reconcileForm(w http.ResponseWriter, r *http.Request, rq *request) {
	b, ok := s.findBatch(w, r, rq)
	if !ok {
		return
	}
	if _, err := s.reconcileBatch(r.Context(), b, rq.User.Name); err != nil {
		s.refusal(w, r, rq, b, err)
		return
	}
	s.backToBatch(w, r, b)
}

// retryBatch proposes a retry batch of b's failed items, as `bulkpay retry
// --failed` plans it (batch.PlanRetry: new references, each linked to the
// item it retries; an item already retried is left out), planned by actor
// under the web app's approval rules: an approver approves it like any
// batch, then it is started. With nothing to retry, no batch is created
// (RetryPlan.Items empty).
func (s *Server) retryBatch(ctx context.Context, b batch.Batch, actor string) (batch.RetryPlan, error) {
	items, err := s.opt.Store.Items(ctx, b.ID)
	if err != nil {
		return batch.RetryPlan{}, err
	}
	p, err := batch.PlanRetry(ctx, s.opt.Store, b, items, actor)
	if err != nil || len(p.Items) == 0 {
		return p, err
	}
	if err := s.opt.Store.RecordPolicy(ctx, p.Batch.ID, s.opt.Policy, actor); err != nil {
		return p, err
	}
	return p, nil
}

// retryForm proposes a retry batch of the batch's failed items and opens it.
func (s *Server) retryForm(w http.ResponseWriter, r *http.Request, rq *request) {
	b, ok := s.findBatch(w, r, rq)
	if !ok {
		return
	}
	p, err := s.retryBatch(r.Context(), b, rq.User.Name)
	switch {
	case err != nil:
		s.refusal(w, r, rq, b, err)
	case len(p.Items) == 0 && len(p.Already) > 0:
		s.refusal(w, r, rq, b, fmt.Errorf("%w: %s", errNothingToRetry, p.AlreadyIn()))
	case len(p.Items) == 0:
		s.refusal(w, r, rq, b, errNothingToRetry)
	default:
		s.backToBatch(w, r, p.Batch)
	}
}

// errNothingToRetry: the batch has no failed item left to pay again.
var errNothingToRetry = errors.New("no failed item is left to retry")

// balancesPage shows each provider's balance as it answers now, CamPay's per
// carrier, as `bulkpay balance` does; a provider that does not answer is
// shown with why.
func (s *Server) balancesPage(w http.ResponseWriter, r *http.Request, rq *request) {
	bals, err := door.AskBalances(r.Context(), s.connect, s.opt.Config.Currency)
	if bals.Lines == nil && err != nil {
		s.internal(w, rq, err)
		return
	}
	if err != nil {
		s.opt.Log.Warn("balances", "err", err)
	}
	s.render(w, rq, http.StatusOK, "balances.html", "", bals.Lines)
}
