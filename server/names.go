package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"bulkpay/batch"
	"bulkpay/identity"
	"bulkpay/internal/render"
)

// namesView is a batch's name check on its page: the rows that are not a
// plain match, with the registered name for those who may see it, and the
// approver's button for each row that waits for a confirmation.
type namesView struct {
	Policy         string
	Summary        string
	ShowRegistered bool
	Rows           []nameRowView
}

type nameRowView struct {
	render.NameJSON
	Result     string // in words
	CanConfirm bool
}

// namesOf is b's name check as the user rq sees it; nil when the batch has
// none.
func (s *Server) namesOf(ctx context.Context, rq *request, b batch.Batch, items []batch.Item) (*namesView, error) {
	ns, ok := s.opt.Store.(batch.NameStore)
	if !ok {
		return nil, nil
	}
	checks, err := ns.NameChecks(ctx, b.ID)
	if err != nil || len(checks) == 0 {
		return nil, err
	}
	policy := s.opt.Config.NamePolicy()
	j := render.NewNamesJSON(policy, checks, seesNames(rq.User.Role))
	if j == nil {
		j = render.NewNamesJSON(batch.NamesWarn, checks, seesNames(rq.User.Role))
	}
	var sum strings.Builder
	render.Names(&sum, &render.NamesJSON{Policy: j.Policy, Counts: j.Counts})
	v := &namesView{Policy: j.Policy, Summary: strings.TrimSpace(sum.String()), ShowRegistered: seesNames(rq.User.Role)}
	waiting := map[int]bool{}
	for _, it := range items {
		if it.State == batch.ToConfirm {
			waiting[it.Row] = true
		}
	}
	for _, r := range j.Rows {
		v.Rows = append(v.Rows, nameRowView{NameJSON: r, Result: batch.NameResult(r.Result).Text(),
			CanConfirm: rq.User.Role == identity.Approver && waiting[r.Row] && !batch.NameResult(r.Result).NeverPay()})
	}
	return v, nil
}

// confirmForm is an approver's confirmation of one row's name, with a note
// (batch.ConfirmName); the row is then paid by the next start or resume.
func (s *Server) confirmForm(w http.ResponseWriter, r *http.Request, rq *request) {
	b, items, ok := s.loadBatch(w, r, rq)
	if !ok {
		return
	}
	ns, ok := s.opt.Store.(batch.NameStore)
	if !ok {
		s.showBatch(w, r, rq, http.StatusConflict, "this ledger keeps no name checks", b, items)
		return
	}
	row, err := strconv.Atoi(r.PathValue("row"))
	if err != nil {
		s.fail(w, rq, http.StatusNotFound, rq.T["not_found"])
		return
	}
	if strings.TrimSpace(r.PostFormValue("note")) == "" {
		s.showBatch(w, r, rq, http.StatusBadRequest, rq.T["confirm_needs_note"], b, items)
		return
	}
	if _, err := batch.ConfirmName(r.Context(), ns, b, batch.ConfirmRequest{Row: row, By: rq.User.Name, Note: r.PostFormValue("note"),
		Policy: s.opt.Policy}); err != nil {
		status := http.StatusConflict
		if errors.Is(err, batch.ErrInvalid) {
			status = http.StatusBadRequest
		}
		s.showBatch(w, r, rq, status, err.Error(), b, items)
		return
	}
	s.opt.Log.Info("name confirmed", "batch", b.Reference, "row", row, "user", rq.User.Name)
	http.Redirect(w, r, "/batches/"+url.PathEscape(b.Reference), http.StatusSeeOther)
}

// checkUploadNames asks the names of an uploaded sheet's rows under the
// config's policy, before the batch is stored: nil checks when the policy is
// off or the batch is stored already with its own; a *batch.NameRefusal
// under block.
func (s *Server) checkUploadNames(ctx context.Context, p batch.PlannedSheet) ([]batch.NameCheck, error) {
	policy := s.opt.Config.NamePolicy()
	if policy == batch.NamesOff {
		return nil, nil
	}
	if b, err := s.opt.Store.Batch(ctx, p.Batch.Reference); err == nil {
		if ns, ok := s.opt.Store.(batch.NameStore); ok {
			if checks, err := ns.NameChecks(ctx, b.ID); err != nil || len(checks) > 0 {
				return nil, err
			}
		}
	} else if !errors.Is(err, batch.ErrBatchNotFound) {
		return nil, err
	}
	conn, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	if conn.Close != nil {
		defer conn.Close()
	}
	checks := batch.CheckNames(ctx, p.Rows, conn.Names, s.opt.Now)
	return checks, batch.Blocked(policy, checks)
}

// saveUploadNames records the checks of the batch an upload stored.
func (s *Server) saveUploadNames(ctx context.Context, ref string, checks []batch.NameCheck, by string) error {
	ns, ok := s.opt.Store.(batch.NameStore)
	if !ok || len(checks) == 0 {
		return nil
	}
	b, err := s.opt.Store.Batch(ctx, ref)
	if err != nil {
		return err
	}
	_, err = batch.SaveNames(ctx, ns, b, s.opt.Config.NamePolicy(), checks, by)
	return err
}
