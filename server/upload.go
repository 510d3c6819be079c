package server

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"bulkpay/batch"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
	"bulkpay/reports"
	"bulkpay/sheet"
)

// newBatchForm is the new batch form as it was filled in.
type newBatchForm struct {
	Reference, Period, Sheet, ExpectTotal string
	AllowRepeat                           bool
	PayByLink                             bool // every row paid by link
}

// uploadView is what an upload gives: the rows to fix (nothing planned), a
// refusal, or the stored plan.
type uploadView struct {
	Form     newBatchForm
	File     string
	Tally    batch.Tally
	ErrorsID string // the invalid rows, downloadable as CSV
	Repeats  []batch.Repeat
	Plan     *render.PlanJSON
	Batch    batch.Batch
	Currency string
	Status   int    // what came of it (see planUpload)
	Refusal  string // why it was refused, when it was
}

// upload reads an uploaded sheet, screens it and, when every row is valid,
// plans and stores its batch for approval (as `bulkpay plan` does) and shows
// the plan with the balance check. Nothing is sent.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, rq *request) {
	form := newBatchForm{Reference: strings.TrimSpace(r.PostFormValue("reference")), Period: strings.TrimSpace(r.PostFormValue("period")),
		Sheet: strings.TrimSpace(r.PostFormValue("sheet_name")), ExpectTotal: strings.TrimSpace(r.PostFormValue("expect_total")),
		AllowRepeat: r.PostFormValue("allow_repeat") == "on", PayByLink: r.PostFormValue("pay_by") == batch.PayByLink}
	v, err := s.planUpload(r, rq, form)
	switch {
	case err != nil:
		s.internal(w, rq, err)
	case v.Status == http.StatusUnprocessableEntity:
		v.ErrorsID = s.uploads.keep(rq.User.Name, v.Tally.Errors)
		s.render(w, rq, v.Status, "upload.html", "", v)
	case v.Status == http.StatusConflict && len(v.Repeats) > 0:
		s.render(w, rq, v.Status, "upload.html", rq.T["repeats"], v)
	case v.Status != http.StatusOK:
		s.render(w, rq, v.Status, "new.html", v.Refusal, form)
	default:
		s.render(w, rq, http.StatusOK, "upload.html", "", v)
	}
}

// planUpload reads the request's uploaded sheet (field "sheet"), screens it
// and, when every row is valid, plans and stores its batch for approval.
// Its Status says what came of it: 200 planned (Batch, Plan), 422 rows to fix
// (Tally.Errors; nothing planned), 409 repeats of earlier batches (Repeats)
// or a refusal, 400 a form filled in wrong (Refusal says why).
func (s *Server) planUpload(r *http.Request, rq *request, form newBatchForm) (uploadView, error) {
	v := uploadView{Form: form, Currency: s.opt.Config.Currency, Status: http.StatusBadRequest}
	var expect int64
	if form.ExpectTotal != "" {
		n, err := sheet.ParseAmount(form.ExpectTotal)
		if err != nil {
			v.Refusal = rq.T["expect_total"] + ": " + err.Error()
			return v, nil
		}
		expect = n
	}
	if len(form.Reference) > 100 || len(form.Sheet) > 100 {
		v.Refusal = rq.T["too_long"]
		return v, nil
	}
	f, fh, err := r.FormFile("sheet")
	if err != nil {
		v.Refusal = rq.T["choose_file"]
		return v, nil
	}
	defer f.Close()
	name := filepath.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".xlsx" && ext != ".csv" || strings.HasPrefix(name, ".") {
		v.Refusal = rq.T["xlsx_or_csv"]
		return v, nil
	}
	dir, err := os.MkdirTemp("", "bulkpay-upload-") // 0700: the sheet holds personal data
	if err != nil {
		return v, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, name)
	if err := saveUpload(path, f); err != nil {
		return v, err
	}
	v.File = name
	p, res, err := s.planSheet(r.Context(), path, form, expect, rq.User.Name)
	var he *sheet.HeaderError
	switch {
	case errors.As(err, &he) || errors.Is(err, sheet.ErrFormat):
		v.Tally = res.Tally()
		v.Tally.Errors = append([]batch.RowError{{Message: err.Error()}}, v.Tally.Errors...)
	case err != nil:
		return v, err
	default:
		v.Tally = p.Tally
	}
	if len(v.Tally.Errors) > 0 {
		v.Status = http.StatusUnprocessableEntity
		return v, nil
	}
	if len(p.Items) == 0 {
		v.Refusal = rq.T["no_rows"]
		return v, nil
	}
	checks, err := s.checkUploadNames(r.Context(), p)
	if errors.Is(err, batch.ErrRefused) {
		v.Status, v.Refusal = http.StatusConflict, err.Error()
		return v, nil
	}
	if err != nil {
		return v, err
	}
	lc := s.opt.Config.Links()
	needs, err := batch.Preview(r.Context(), s.opt.Store, p, batch.SaveRequest{AllowRepeat: form.AllowRepeat, Planning: true, Login: rq.User.Name,
		LinkExpiry: lc.Expiry, LinkOtherNumber: lc.OtherNumber}, s.connect, nil)
	var re *batch.RepeatError
	var ce *batch.ChangedError
	switch {
	case errors.As(err, &re):
		v.Status, v.Repeats, v.Refusal = http.StatusConflict, re.Repeats, err.Error()
		return v, nil
	case errors.As(err, &ce) || errors.Is(err, batch.ErrRefused) || errors.Is(err, batch.ErrInvalid):
		v.Status, v.Refusal = http.StatusConflict, err.Error()
		return v, nil
	case err != nil:
		return v, err
	}
	if err := s.saveUploadNames(r.Context(), p.Batch.Reference, checks, rq.User.Name); err != nil {
		return v, err
	}
	plan := render.NewPlanJSON(p, p.Batch.Fees, needs)
	plan.Names = render.NewNamesJSON(s.opt.Config.NamePolicy(), checks, seesNames(rq.User.Role))
	v.Status, v.Plan, v.Batch = http.StatusOK, &plan, p.Batch
	s.opt.Log.Info("batch planned", "batch", p.Batch.Reference, "user", rq.User.Name, "items", len(p.Items))
	return v, nil
}

// saveUpload copies an uploaded file to path, mode 0600, no larger than the
// sheet reader reads.
func saveUpload(path string, f io.Reader) error {
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, io.LimitReader(f, sheet.DefaultLimits.MaxFileBytes+1))
	return errors.Join(err, out.Close())
}

// planSheet reads and screens a sheet and plans its batch, as `bulkpay plan`
// does with the same flags: routes, fees (those in force: see fees), period,
// plan hash; by is the planner.
func (s *Server) planSheet(ctx context.Context, path string, form newBatchForm, expect int64, by string) (batch.PlannedSheet, sheet.Result, error) {
	fees, _, err := s.fees(ctx)
	if err != nil {
		return batch.PlannedSheet{}, sheet.Result{}, err
	}
	return door.PlanSheet(ctx, s.opt.Config, s.opt.Target, door.Plan{Sheet: door.Sheet{Path: path, Name: form.Sheet, ExpectTotal: expect},
		Reference: form.Reference, Period: form.Period, By: by, Fees: fees, Policy: s.opt.Policy, Now: s.opt.Now(), PayBy: form.payBy()})
}

// payBy is the plan's PayBy for the form.
func (f newBatchForm) payBy() string {
	if f.PayByLink {
		return batch.PayByLink
	}
	return ""
}

// connect reaches the providers batches are paid through, connected once for
// the server's life and shared by every run, reconcile, balance check, name
// check and callback lookup: each provider's rate limit and bound on calls in
// flight then hold for the whole server, however many batches it pays at
// once. The built-in sandbox is started once: its memory (and the journal
// beside the ledger) is then one, as for one `bulkpay run`.
func (s *Server) connect(ctx context.Context) (*batch.Connection, error) {
	s.builtinMu.Lock()
	defer s.builtinMu.Unlock()
	if s.conn == nil {
		var c *batch.Connection
		if s.builtinEndpoint() {
			cn, m, err := s.opt.Config.ConnectNotify(context.WithoutCancel(ctx), s.opt.Target)
			if err != nil {
				return nil, err
			}
			c, s.builtinRoot = cn, m.SandboxURL // its SMS simulator takes the links' messages
		} else {
			cn, err := s.opt.Config.Connect(context.WithoutCancel(ctx), s.opt.Target)
			if err != nil {
				return nil, err
			}
			c = cn
		}
		s.stack(c) // the runs, the callbacks' lookups and the name checks share each provider's rate limit
		s.conn = c
	}
	c := *s.conn
	c.Lanes = maps.Clone(s.conn.Lanes) // a session sets its lanes' own fields
	c.Close = func() {}                // the server closes it
	return &c, nil
}

// uploads keeps the invalid rows of the latest uploads, for their CSV
// download: at most n, the oldest forgotten first, each readable only by
// the user who uploaded it.
type uploads struct {
	mu    sync.Mutex
	n     int
	order []string
	kept  map[string]keptErrors
}

type keptErrors struct {
	user   string
	errors []batch.RowError
}

func newUploads(n int) *uploads { return &uploads{n: n, kept: map[string]keptErrors{}} }

func (u *uploads) keep(user string, errs []batch.RowError) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.order) >= u.n {
		delete(u.kept, u.order[0])
		u.order = u.order[1:]
	}
	u.order = append(u.order, id)
	u.kept[id] = keptErrors{user: user, errors: errs}
	return id
}

func (u *uploads) get(user, id string) ([]batch.RowError, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	k, ok := u.kept[id]
	return k.errors, ok && k.user == user
}

// uploadErrors downloads an upload's invalid rows as CSV: row (the sheet's
// own numbering), column, value, what to do, in the language of the pages.
func (s *Server) uploadErrors(w http.ResponseWriter, r *http.Request, rq *request) {
	errs, ok := s.uploads.get(rq.User.Name, r.PathValue("id"))
	if !ok {
		s.fail(w, rq, http.StatusNotFound, rq.T["not_found"])
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="invalid-rows.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{strings.ToLower(rq.T["row"]), strings.ToLower(rq.T["column"]), strings.ToLower(rq.T["value"]), strings.ToLower(rq.T["what_to_do"])})
	for _, e := range errs {
		row := ""
		if e.Row > 0 {
			row = fmt.Sprint(e.Row)
		}
		_ = cw.Write([]string{row, reports.Neutralize(e.Column), reports.Neutralize(e.Value), reports.Neutralize(e.In(rq.Lang))})
	}
	cw.Flush()
}
