package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"bulkpay/batch"
	"bulkpay/identity"
	"bulkpay/internal/render"
	"bulkpay/reports"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ *request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// batchesPage lists every batch, newest first, optionally those whose
// reference or period holds the query q.
func (s *Server) batchesPage(w http.ResponseWriter, r *http.Request, rq *request) {
	sums, err := batch.List(r.Context(), s.opt.Store)
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	if q != "" {
		sums = slices.DeleteFunc(sums, func(sum batch.Summary) bool {
			return !strings.Contains(strings.ToLower(sum.Batch.Reference+" "+sum.Batch.Period), q)
		})
	}
	s.render(w, rq, http.StatusOK, "batches.html", "", struct {
		Q       string
		Batches []batch.Summary
		States  []batch.State
	}{q, sums, batch.States})
}

func (s *Server) newBatchPage(w http.ResponseWriter, r *http.Request, rq *request) {
	s.render(w, rq, http.StatusOK, "new.html", "", newBatchForm{})
}

// batchView is what the batch page shows.
type batchView struct {
	Names    *namesView // the name check, nil when none was made
	Batch    batch.Batch
	Standing batch.Standing
	Plan     render.PlanJSON
	Planners []string
	Events   []batch.Event
	Progress progress
	Started  bool
	Running  bool
	Awaiting bool // the approval rules want an approval of this plan first
	CanApprove,
	CanStart,
	CanPause,
	CanCancel bool
	CanReconcile bool
	CanRetry     bool     // failed items may be proposed for a retry batch
	Findings     []string // the latest reconciliation's mismatches, in words
	Unchecked    []string // and what it could not check
	Cancelled    int      // items cancelled before they were sent
	Unsettled    int      // items that may have been sent and are not final: a cancellation leaves them to finish or settle
}

// findBatch finds the batch the path's {ref} names; a batch not found is 404.
func (s *Server) findBatch(w http.ResponseWriter, r *http.Request, rq *request) (batch.Batch, bool) {
	b, err := s.opt.Store.Batch(r.Context(), r.PathValue("ref"))
	if errors.Is(err, batch.ErrBatchNotFound) {
		s.fail(w, rq, http.StatusNotFound, rq.T["no_batch"])
		return b, false
	}
	if err != nil {
		s.internal(w, rq, err)
		return b, false
	}
	return b, true
}

// loadBatch reads the batch the path's {ref} names, with its items.
func (s *Server) loadBatch(w http.ResponseWriter, r *http.Request, rq *request) (batch.Batch, []batch.Item, bool) {
	b, ok := s.findBatch(w, r, rq)
	if !ok {
		return b, nil, false
	}
	items, err := s.opt.Store.Items(r.Context(), b.ID)
	if err != nil {
		s.internal(w, rq, err)
		return b, nil, false
	}
	return b, items, true
}

func (s *Server) batchPage(w http.ResponseWriter, r *http.Request, rq *request) {
	b, items, ok := s.loadBatch(w, r, rq)
	if !ok {
		return
	}
	s.showBatch(w, r, rq, http.StatusOK, "", b, items)
}

// showBatch renders the batch page, with msg above it when an action was refused.
func (s *Server) showBatch(w http.ResponseWriter, r *http.Request, rq *request, status int, msg string, b batch.Batch, items []batch.Item) {
	ctx := r.Context()
	v, err := s.batchView(ctx, rq, b, items)
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	s.render(w, rq, status, "batch.html", msg, v)
}

func (s *Server) batchView(ctx context.Context, rq *request, b batch.Batch, items []batch.Item) (batchView, error) {
	v := batchView{Batch: b, Started: batch.Started(items), Running: s.runs.running(b.ID)}
	var err error
	if v.Standing, err = batch.Glance(ctx, s.opt.Store, b); err != nil {
		return v, err
	}
	tally := batch.Tally{Rows: len(items), Valid: len(items), TotalAmount: b.TotalAmount}
	v.Plan = render.NewPlanJSON(batch.PlannedSheet{Batch: b, Items: items, Tally: tally}, b.Fees, nil)
	recorded, err := s.opt.Store.Planners(ctx, b.ID)
	if err != nil {
		return v, err
	}
	v.Planners = batch.Planners(b, recorded)
	events, err := s.opt.Store.Events(ctx, b.ID, 0)
	if err != nil {
		return v, err
	}
	for _, e := range events {
		if e.ItemID == 0 {
			v.Events = append(v.Events, e)
		}
	}
	slices.Reverse(v.Events) // newest first
	if v.Progress, err = s.snapshot(ctx, b); err != nil {
		return v, err
	}
	v.Awaiting = batch.CheckRun(b, b.Policy.Or(s.opt.Policy), v.Planners, b.PlanHash) != nil
	v.CanApprove = rq.User.Role == identity.Approver && !v.Started
	initiator, counts := rq.User.Role == identity.Initiator, v.Standing.Summary.Counts
	v.CanStart = initiator && !v.Running && !v.Awaiting && !v.Standing.Summary.Complete()
	v.CanPause = initiator && v.Running
	v.CanCancel = initiator && counts[batch.Planned]+counts[batch.ToConfirm] > 0
	v.Cancelled = counts[batch.Cancelled]
	v.CanReconcile = slices.Contains(operators, rq.User.Role) && v.Started && !v.Running
	v.CanRetry = initiator && counts[batch.Failed] > 0 && !v.Running
	for _, m := range v.Standing.Reconciliation.Mismatches {
		v.Findings = append(v.Findings, reports.Finding(m, b.Currency))
	}
	for _, u := range v.Standing.Reconciliation.Unchecked {
		v.Unchecked = append(v.Unchecked, u.String())
	}
	v.Unsettled = counts.Open() - counts[batch.Planned] - counts[batch.ToConfirm]
	if v.Names, err = s.namesOf(ctx, rq, b, items); err != nil {
		return v, err
	}
	return v, nil
}

// refusal renders the batch page with why an action was refused: 403 for a
// rule (four-eyes, approval), 409 for the batch's standing, 400 for the input.
func (s *Server) refusal(w http.ResponseWriter, r *http.Request, rq *request, b batch.Batch, err error) {
	status := refusalStatus(err)
	if status == http.StatusInternalServerError {
		s.internal(w, rq, err) // the ledger or a provider failed: no refusal, and no text of theirs
		return
	}
	s.opt.Log.Info("action refused", "batch", b.Reference, "user", rq.User.Name, "err", err)
	items, lerr := s.opt.Store.Items(r.Context(), b.ID)
	if lerr != nil {
		s.internal(w, rq, lerr)
		return
	}
	s.showBatch(w, r, rq, status, err.Error(), b, items)
}

// refusalStatus is the status of an action refused: 403 for a rule, 400 for
// the input, 409 for the batch's standing; 500 for what is no refusal (the
// ledger or a provider failed), whose text is not shown.
func refusalStatus(err error) int {
	var locked *batch.LockedError
	switch {
	case errors.Is(err, batch.ErrRefused):
		return http.StatusForbidden
	case errors.Is(err, batch.ErrInvalid):
		return http.StatusBadRequest
	case errors.As(err, &locked), errors.Is(err, batch.ErrHeld), errors.Is(err, ErrRunning), errors.Is(err, ErrNotRunning),
		errors.Is(err, batch.ErrNothingToCancel), errors.Is(err, errNothingToRetry), errors.Is(err, batch.ErrBatchExists),
		errors.Is(err, batch.ErrStale), errors.As(err, new(conflictError)):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// inputError is a form filled in wrong: 400, with its text for people.
type inputError string

func (e inputError) Error() string { return string(e) }

// Is makes an inputError count as batch.ErrInvalid.
func (e inputError) Is(target error) bool { return target == batch.ErrInvalid }

// conflictError is an action the batch's standing refuses: 409, with its
// text for people.
type conflictError string

func (e conflictError) Error() string { return string(e) }

func (s *Server) backToBatch(w http.ResponseWriter, r *http.Request, b batch.Batch) {
	http.Redirect(w, r, "/batches/"+url.PathEscape(b.Reference), http.StatusSeeOther)
}

// approve records the signed-in approver's approval of the batch's plan hash:
// four-eyes compares the user's name with the batch's planners.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, rq *request) {
	b, items, ok := s.loadBatch(w, r, rq)
	if !ok {
		return
	}
	if hash := r.PostFormValue("plan_hash"); hash != b.PlanHash {
		s.refusal(w, r, rq, b, conflictError(rq.T["plan_changed"]))
		return
	}
	_, err := batch.Approve(r.Context(), s.opt.Store, b, items, batch.ApproveRequest{By: rq.User.Name,
		Note: strings.TrimSpace(r.PostFormValue("note")), At: s.opt.Now().UTC(), Config: s.opt.Policy})
	if err != nil {
		s.refusal(w, r, rq, b, err)
		return
	}
	s.kickLinks() // a batch paying by link sends its links once approved
	s.backToBatch(w, r, b)
}

// reject records that the signed-in approver rejects the plan, with why.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, rq *request) {
	b, _, ok := s.loadBatch(w, r, rq)
	if !ok {
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	if note == "" {
		s.refusal(w, r, rq, b, inputError(rq.T["reject_needs_note"]))
		return
	}
	if err := s.opt.Store.NoteBy(r.Context(), b.ID, "approval rejected", note, rq.User.Name); err != nil {
		s.internal(w, rq, err)
		return
	}
	s.backToBatch(w, r, b)
}

// start pays the batch in the background, as `bulkpay resume` would.
func (s *Server) start(w http.ResponseWriter, r *http.Request, rq *request) {
	s.startAs(w, r, rq, causeStarted)
}

// startAs starts the batch's run, recorded with cause and the signed-in user.
func (s *Server) startAs(w http.ResponseWriter, r *http.Request, rq *request, cause string) {
	b, _, ok := s.loadBatch(w, r, rq)
	if !ok {
		return
	}
	if err := s.startBatch(r.Context(), b, rq.User.Name, cause); err != nil {
		s.refusal(w, r, rq, b, err)
		return
	}
	s.backToBatch(w, r, b)
}

// pageSize is how many items a page of the items list shows.
const pageSize = 50

// itemsPage lists the batch's items filtered by state, provider, operator
// and a search of name, phone or reference, a page at a time.
func (s *Server) itemsPage(w http.ResponseWriter, r *http.Request, rq *request) {
	b, items, ok := s.loadBatch(w, r, rq)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := itemFilter{State: q.Get("state"), Provider: q.Get("provider"), Operator: q.Get("operator"), Q: strings.TrimSpace(q.Get("q"))}
	var providers, operators []string
	for _, it := range items {
		providers, operators = append(providers, it.Provider), append(operators, it.Operator)
	}
	slices.Sort(providers)
	slices.Sort(operators)
	shown := slices.DeleteFunc(slices.Clone(items), func(it batch.Item) bool { return !f.keeps(it) })
	page, _ := strconv.Atoi(q.Get("page"))
	pages := max(1, (len(shown)+pageSize-1)/pageSize)
	page = min(max(page, 1), pages)
	from, to := (page-1)*pageSize, min(page*pageSize, len(shown))
	s.render(w, rq, http.StatusOK, "items.html", "", struct {
		Batch                batch.Batch
		Filter               itemFilter
		States               []batch.State
		Providers, Operators []string
		Items                []batch.Item
		Total, Page, Pages   int
		Prev, Next           string
	}{b, f, batch.States, slices.Compact(providers), slices.Compact(operators), shown[from:to], len(shown), page, pages,
		f.query(page - 1), f.query(page + 1)})
}

// itemFilter is what the items list is filtered by.
type itemFilter struct {
	State, Provider, Operator, Q string
}

func (f itemFilter) keeps(it batch.Item) bool {
	q := strings.ToLower(f.Q)
	return (f.State == "" || string(it.State) == f.State) && (f.Provider == "" || it.Provider == f.Provider) &&
		(f.Operator == "" || it.Operator == f.Operator) &&
		(q == "" || strings.Contains(strings.ToLower(it.Name), q) || strings.Contains(it.Phone, strings.TrimPrefix(q, "+")) || it.Reference == f.Q)
}

// query is the items list's query string for page.
func (f itemFilter) query(page int) string {
	v := url.Values{}
	for k, x := range map[string]string{"state": f.State, "provider": f.Provider, "operator": f.Operator, "q": f.Q} {
		if x != "" {
			v.Set(k, x)
		}
	}
	v.Set("page", strconv.Itoa(page))
	return v.Encode()
}

// itemPage shows one item (by row or reference) with its attempts and events.
func (s *Server) itemPage(w http.ResponseWriter, r *http.Request, rq *request) {
	b, items, ok := s.loadBatch(w, r, rq)
	if !ok {
		return
	}
	it, err := batch.FindItem(items, r.PathValue("row"))
	if err != nil {
		s.fail(w, rq, http.StatusNotFound, err.Error())
		return
	}
	atts, err := s.opt.Store.Attempts(r.Context(), it.ID)
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	events, err := s.opt.Store.Events(r.Context(), b.ID, it.ID)
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	s.render(w, rq, http.StatusOK, "item.html", "", struct {
		Batch    batch.Batch
		Item     batch.Item
		Attempts []batch.Attempt
		Events   []batch.Event
	}{b, it, atts, events})
}

// reviewPage lists the batch's items in review with their evidence; an
// approver resolves them.
func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request, rq *request) {
	b, items, ok := s.loadBatch(w, r, rq)
	if !ok {
		return
	}
	s.showReview(w, r, rq, http.StatusOK, "", b, items)
}

func (s *Server) showReview(w http.ResponseWriter, r *http.Request, rq *request, status int, msg string, b batch.Batch, items []batch.Item) {
	evidence, err := batch.InReview(r.Context(), s.opt.Store, items)
	if err != nil {
		s.internal(w, rq, err)
		return
	}
	s.render(w, rq, status, "review.html", msg, struct {
		Batch      batch.Batch
		Evidence   []batch.Evidence
		CanResolve bool
	}{b, evidence, rq.User.Role == identity.Approver})
}

// resolve records the signed-in approver's decision on an item in review.
func (s *Server) resolve(w http.ResponseWriter, r *http.Request, rq *request) {
	b, items, ok := s.loadBatch(w, r, rq)
	if !ok {
		return
	}
	d := batch.Decision{To: batch.State(r.PostFormValue("as")), By: rq.User.Name, Note: strings.TrimSpace(r.PostFormValue("note"))}
	if _, err := batch.Resolve(r.Context(), s.opt.Store, items, r.PathValue("row"), d); err != nil {
		status := http.StatusConflict
		if errors.Is(err, batch.ErrInvalid) {
			status = http.StatusBadRequest
		}
		s.showReview(w, r, rq, status, err.Error(), b, items)
		return
	}
	http.Redirect(w, r, "/batches/"+url.PathEscape(b.Reference)+"/review", http.StatusSeeOther)
}
