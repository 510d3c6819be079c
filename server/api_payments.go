package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"bulkpay/batch"
)

// The platform's BulkPayment, Link and Transaction over bulkpay's batches
// and items. A batch's id is a UUID made from its reference (its reference is
// accepted wherever the id is); an item is one Link (id: the item's own
// UUID, the idempotency key sent to the provider) and one Transaction (id: a
// UUID made from the item's). bulkpay pays for one organization: the
// deployment's (see organizationJSON).

// uuidOf is a stable UUID (RFC 9562 version 8) for a name.
func uuidOf(name string) string {
	h := sha256.Sum256([]byte("bulkpay:" + name))
	h[6] = h[6]&0x0f | 0x80
	h[8] = h[8]&0x3f | 0x80
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

func batchUUID(b batch.Batch) string       { return uuidOf("batch:" + b.Reference) }
func profitUUID(b batch.Batch) string      { return uuidOf("profit:" + b.Reference) }
func transactionUUID(it batch.Item) string { return uuidOf("transaction:" + it.Reference) }
func organizationUUID() string             { return uuidOf("organization") }

type currencyJSON struct {
	ID        int        `json:"id"`
	Name      string     `json:"name"`
	Symbol    string     `json:"symbol"`
	CreatedAt *time.Time `json:"created_at"` // bulkpay's currencies have no such dates: null
	UpdatedAt *time.Time `json:"updated_at"`
}

type organizationJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type profitJSON struct {
	ID        string       `json:"id"`
	Currency  currencyJSON `json:"currency"`
	Type      string       `json:"type"`
	Amount    int64        `json:"amount"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
	// bulkpay's own: the batch it was made on
	BulkPayment string `json:"bulk_payment"`
}

// bulkPaymentJSON is a BulkPayment with bulkpay's own status and counts.
type bulkPaymentJSON struct {
	ID           string           `json:"id"`
	Currency     currencyJSON     `json:"currency"`
	Organization organizationJSON `json:"organization"`
	Profit       profitJSON       `json:"profit"`
	Sheet        *string          `json:"sheet"` // the sheet itself is not kept
	TotalAmount  int64            `json:"total_amount"`
	Reference    string           `json:"reference"`
	Charge       int64            `json:"charge"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	// bulkpay's own
	Status    string                `json:"status"`
	Counts    map[batch.State]int   `json:"counts"`
	Amounts   map[batch.State]int64 `json:"amounts"`
	Items     int                   `json:"items"`
	SheetName string                `json:"sheet_name"`
	Period    string                `json:"period"`
	PlanHash  string                `json:"plan_hash"`
	PlannedBy string                `json:"planned_by"`
	Approval  *approvalJSON         `json:"approval"`
	Sandbox   bool                  `json:"sandbox"`
}

type approvalJSON struct {
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Hash string    `json:"plan_hash"`
}

// Batch statuses, bulkpay's own.
const (
	statusAwaitingApproval = "awaiting_approval" // the approval rules want an approval of this plan first
	statusReady            = "ready"             // may be started; nothing sent yet
	statusRunning          = "running"           // being paid by this server
	statusStopped          = "stopped"           // some items sent, some open, nothing running here: start again to go on
	statusComplete         = "complete"          // every item ended
)

// currency is the platform's Currency of a batch's currency code.
func (s *Server) currency(code string) currencyJSON {
	for i, c := range currencies {
		if c.Code == code {
			return currencyJSON{ID: i + 1, Name: c.Name, Symbol: c.Symbol}
		}
	}
	return currencyJSON{Name: code, Symbol: code}
}

func (s *Server) organization() organizationJSON {
	return organizationJSON{ID: organizationUUID(), Name: "bulkpay"}
}

// bulkPayment is b as the platform shows it, from its standing.
func (s *Server) bulkPayment(r *http.Request, sum batch.Summary) (bulkPaymentJSON, error) {
	b := sum.Batch
	cur := s.currency(b.Currency)
	out := bulkPaymentJSON{ID: batchUUID(b), Currency: cur, Organization: s.organization(),
		Profit:      profitJSON{ID: profitUUID(b), Currency: cur, Type: "bulk_payment", Amount: b.Profit, CreatedAt: b.CreatedAt, UpdatedAt: b.CreatedAt, BulkPayment: batchUUID(b)},
		TotalAmount: b.TotalAmount, Reference: b.Reference, Charge: b.Charge, CreatedAt: b.CreatedAt, UpdatedAt: b.CreatedAt,
		Counts: map[batch.State]int{}, Amounts: map[batch.State]int64{}, Items: sum.Items, SheetName: b.SheetName, Period: b.Period,
		PlanHash: b.PlanHash, PlannedBy: b.CreatedBy, Sandbox: b.Sandbox}
	for _, st := range batch.States {
		out.Counts[st], out.Amounts[st] = sum.Counts[st], sum.Amounts[st]
	}
	if b.Approval.By != "" {
		out.Approval = &approvalJSON{By: b.Approval.By, At: b.Approval.At.UTC(), Hash: b.Approval.Hash}
	}
	recorded, err := s.opt.Store.Planners(r.Context(), b.ID)
	if err != nil {
		return out, err
	}
	started := sum.Counts[batch.Planned]+sum.Counts[batch.Rejected]+sum.Counts[batch.ToConfirm] < sum.Items
	switch {
	case s.runs.running(b.ID):
		out.Status = statusRunning
	case started && sum.Complete():
		out.Status = statusComplete
	case started:
		out.Status = statusStopped
	case batch.CheckRun(b, b.Policy.Or(s.opt.Policy), batch.Planners(b, recorded), b.PlanHash) != nil:
		out.Status = statusAwaitingApproval
	case sum.Complete():
		out.Status = statusComplete
	default:
		out.Status = statusReady
	}
	return out, nil
}

// summaries is every batch's standing, newest first.
func (s *Server) summaries(w http.ResponseWriter, r *http.Request, rq *request) ([]batch.Summary, bool) {
	sums, err := batch.List(r.Context(), s.opt.Store)
	if err != nil {
		s.apiInternal(w, rq, err)
		return nil, false
	}
	return sums, true
}

// apiBatch finds the batch the path's {id} names: its UUID or its
// reference; 404 when none.
func (s *Server) apiBatch(w http.ResponseWriter, r *http.Request, rq *request) (batch.Summary, bool) {
	sums, ok := s.summaries(w, r, rq)
	if !ok {
		return batch.Summary{}, false
	}
	if sum, found := findBatch(sums, r.PathValue("id")); found {
		return sum, true
	}
	apiFail(w, http.StatusNotFound, rq.T["no_batch"])
	return batch.Summary{}, false
}

func findBatch(sums []batch.Summary, key string) (batch.Summary, bool) {
	for _, sum := range sums {
		if key == batchUUID(sum.Batch) || key == sum.Batch.Reference {
			return sum, true
		}
	}
	return batch.Summary{}, false
}

// bulkPayments lists the batches, newest first, filtered by reference,
// currency (code or id), organization and profit (id).
func (s *Server) bulkPayments(w http.ResponseWriter, r *http.Request, rq *request) {
	sums, ok := s.summaries(w, r, rq)
	if !ok {
		return
	}
	q := r.URL.Query()
	sums = slices.DeleteFunc(sums, func(sum batch.Summary) bool {
		b := sum.Batch
		cur := s.currency(b.Currency)
		return !matches(q.Get("reference"), b.Reference) || !matches(q.Get("currency"), b.Currency, fmt.Sprint(cur.ID)) ||
			!matches(q.Get("organization"), s.organization().ID) || !matches(q.Get("profit"), profitUUID(b))
	})
	from, to, out, ok := s.page(w, r, len(sums))
	if !ok {
		return
	}
	results := []bulkPaymentJSON{}
	for _, sum := range sums[from:to] {
		bp, err := s.bulkPayment(r, sum)
		if err != nil {
			s.apiInternal(w, rq, err)
			return
		}
		results = append(results, bp)
	}
	out.Results = results
	writeJSON(w, http.StatusOK, out)
}

// matches says whether a filter's value (empty: no filter) is one of values.
func matches(filter string, values ...string) bool {
	return filter == "" || slices.Contains(values, filter)
}

func (s *Server) bulkPaymentRead(w http.ResponseWriter, r *http.Request, rq *request) {
	sum, ok := s.apiBatch(w, r, rq)
	if !ok {
		return
	}
	s.answerBatch(w, r, rq, http.StatusOK, sum.Batch)
}

// answerBatch answers with b as it stands now.
func (s *Server) answerBatch(w http.ResponseWriter, r *http.Request, rq *request, status int, b batch.Batch) {
	b, err := s.opt.Store.Batch(r.Context(), b.Reference)
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	sum, err := batch.SummaryOf(r.Context(), s.opt.Store, b)
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	bp, err := s.bulkPayment(r, sum)
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	writeJSON(w, status, bp)
}

// rowErrorsJSON is a sheet refused for its rows: every row error.
type rowErrorsJSON struct {
	Detail string           `json:"detail"`
	Errors []batch.RowError `json:"errors"`
}

// createBulkPayment plans a batch from an uploaded sheet as the web app's
// new batch form does: 201 with the BulkPayment (awaiting approval), or 400
// with every row error and nothing planned.
func (s *Server) createBulkPayment(w http.ResponseWriter, r *http.Request, rq *request) {
	if r.MultipartForm == nil {
		apiFail(w, http.StatusBadRequest, "send a multipart/form-data body with the sheet file in the field sheet")
		return
	}
	field := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	if org := field("organization"); org != "" && org != s.organization().ID {
		apiFail(w, http.StatusBadRequest, "organization "+org+" is not the one this server pays for ("+s.organization().ID+")")
		return
	}
	if field("total_amount") == "" {
		apiFail(w, http.StatusBadRequest, "total_amount is required: the sheet's total, checked against its rows")
		return
	}
	if pb := field("pay_by"); pb != "" && pb != batch.PayByLink {
		apiFail(w, http.StatusBadRequest, "pay_by "+strconv.Quote(pb)+": write link to pay every row by link, or leave it out to pay as each row says")
		return
	}
	form := newBatchForm{Reference: field("reference"), Period: field("period"), Sheet: field("sheet_name"),
		ExpectTotal: field("total_amount"), AllowRepeat: field("allow_repeat") == "true",
		PayByLink: field("pay_by") == batch.PayByLink}
	v, err := s.planUpload(r, rq, form)
	switch {
	case err != nil:
		s.apiInternal(w, rq, err)
	case v.Status == http.StatusUnprocessableEntity:
		writeJSON(w, http.StatusBadRequest, rowErrorsJSON{Detail: fmt.Sprintf("%d problems in the sheet: nothing was planned", len(v.Tally.Errors)),
			Errors: v.Tally.Errors})
	case v.Status != http.StatusOK:
		apiFail(w, v.Status, v.Refusal)
	default:
		s.answerBatch(w, r, rq, http.StatusCreated, v.Batch)
	}
}

// noteJSON is an action's body.
type noteJSON struct {
	Note     string `json:"note"`
	PlanHash string `json:"plan_hash"` // approve: the plan approved, when the client checks it (the batch's own when empty)
}

// actionRefused answers an action refused by a rule (403), by the batch's
// standing (409) or for its input (400).
func (s *Server) actionRefused(w http.ResponseWriter, rq *request, b batch.Batch, err error) {
	s.opt.Log.Info("API action refused", "batch", b.Reference, "user", rq.User.Name, "err", err)
	status := refusalStatus(err)
	if status == http.StatusInternalServerError {
		s.apiInternal(w, rq, err) // no refusal: 500 without its text, and the key is released
		return
	}
	apiFail(w, status, err.Error())
}

// approveBulkPayment records the user's approval of the batch's plan hash:
// four-eyes compares the user with the batch's planners (403).
func (s *Server) approveBulkPayment(w http.ResponseWriter, r *http.Request, rq *request) {
	var body noteJSON
	sum, ok := s.apiBatch(w, r, rq)
	if !ok || !decodeJSON(w, rq, &body) {
		return
	}
	b := sum.Batch
	if body.PlanHash != "" && body.PlanHash != b.PlanHash {
		apiFail(w, http.StatusConflict, rq.T["plan_changed"])
		return
	}
	items, err := s.opt.Store.Items(r.Context(), b.ID)
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	if _, err := batch.Approve(r.Context(), s.opt.Store, b, items, batch.ApproveRequest{By: rq.User.Name,
		Note: strings.TrimSpace(body.Note), At: s.opt.Now().UTC(), Config: s.opt.Policy}); err != nil {
		s.actionRefused(w, rq, b, err)
		return
	}
	s.kickLinks() // a batch paying by link sends its links once approved
	s.answerBatch(w, r, rq, http.StatusOK, b)
}

// rejectBulkPayment records that the user rejects the plan, with why.
func (s *Server) rejectBulkPayment(w http.ResponseWriter, r *http.Request, rq *request) {
	var body noteJSON
	sum, ok := s.apiBatch(w, r, rq)
	if !ok || !decodeJSON(w, rq, &body) {
		return
	}
	if strings.TrimSpace(body.Note) == "" {
		apiFail(w, http.StatusBadRequest, rq.T["reject_needs_note"])
		return
	}
	if err := s.opt.Store.NoteBy(r.Context(), sum.Batch.ID, "approval rejected", strings.TrimSpace(body.Note), rq.User.Name); err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	s.answerBatch(w, r, rq, http.StatusOK, sum.Batch)
}

// startBulkPayment pays the batch in the background, as the web app's start
// does: 202, then poll the batch until its status is complete.
func (s *Server) startBulkPayment(w http.ResponseWriter, r *http.Request, rq *request) {
	s.startAPI(w, r, rq, causeStartedAPI)
}

// resumeBulkPayment starts a paused or interrupted batch again: 202.
func (s *Server) resumeBulkPayment(w http.ResponseWriter, r *http.Request, rq *request) {
	s.startAPI(w, r, rq, causeResumedAPI)
}

func (s *Server) startAPI(w http.ResponseWriter, r *http.Request, rq *request, cause string) {
	sum, ok := s.apiBatch(w, r, rq)
	if !ok || !decodeJSON(w, rq, &struct{}{}) {
		return
	}
	b := sum.Batch
	if err := s.startBatch(r.Context(), b, rq.User.Name, cause); err != nil {
		s.actionRefused(w, rq, b, err)
		return
	}
	s.answerBatch(w, r, rq, http.StatusAccepted, b)
}

// pauseBulkPayment stops claiming new items of the batch this server pays; the
// payouts in flight finish and are recorded, and start (or resume) goes on.
// 202: the run ends on its own shortly after; a batch this server is not
// paying gives 409.
func (s *Server) pauseBulkPayment(w http.ResponseWriter, r *http.Request, rq *request) {
	sum, ok := s.apiBatch(w, r, rq)
	if !ok || !decodeJSON(w, rq, &struct{}{}) {
		return
	}
	if _, err := s.pauseBatch(r.Context(), sum.Batch, rq.User.Name); err != nil {
		s.actionRefused(w, rq, sum.Batch, err)
		return
	}
	s.answerBatch(w, r, rq, http.StatusAccepted, sum.Batch)
}

// cancelBulkPayment cancels the batch's items that were never sent (a note
// says why), after pausing this server's run of it; items already sent or in
// doubt are left to finish or settle. A batch another process pays gives 409.
func (s *Server) cancelBulkPayment(w http.ResponseWriter, r *http.Request, rq *request) {
	var body noteJSON
	sum, ok := s.apiBatch(w, r, rq)
	if !ok || !decodeJSON(w, rq, &body) {
		return
	}
	if _, err := s.cancelBatch(r.Context(), sum.Batch, rq.User.Name, body.Note); err != nil {
		s.actionRefused(w, rq, sum.Batch, err)
		return
	}
	s.answerBatch(w, r, rq, http.StatusOK, sum.Batch)
}

// reconcileJSON is what a reconciliation found.
type reconcileJSON struct {
	BulkPayment bulkPaymentJSON `json:"bulk_payment"`
	Findings    any             `json:"reconciliation"`
	Outcome     string          `json:"outcome"` // empty when everything agrees and nothing waits for a person
}

// reconcileBulkPayment settles what is pending or in doubt and compares every
// item with the providers' records, as `bulkpay reconcile` does; a batch
// being paid is refused (409).
func (s *Server) reconcileBulkPayment(w http.ResponseWriter, r *http.Request, rq *request) {
	sum, ok := s.apiBatch(w, r, rq)
	if !ok || !decodeJSON(w, rq, &struct{}{}) {
		return
	}
	b := sum.Batch
	// the web app's reconcile: the server's own runs of b are kept out, and
	// the batch lock is taken and given back by this request alone
	res, err := s.reconcileBatch(r.Context(), b, rq.User.Name)
	if err != nil {
		s.actionRefused(w, rq, b, err)
		return
	}
	s.runs.notify(b.ID)
	bp, err := s.bulkPayment(r, res.Summary)
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	out := reconcileJSON{BulkPayment: bp, Findings: res.Reconciliation}
	if err := batch.ReconcileOutcome(res.Summary.Batch, res); err != nil {
		out.Outcome = err.Error()
	}
	writeJSON(w, http.StatusOK, out)
}

// bulkPaymentReport downloads a batch's report, as the web app does.
func (s *Server) bulkPaymentReport(w http.ResponseWriter, r *http.Request, rq *request) {
	sum, ok := s.apiBatch(w, r, rq)
	if !ok {
		return
	}
	name := path.Base(r.URL.Path)
	if _, ok := reportFiles[name]; !ok {
		apiFail(w, http.StatusNotFound, "no such report: report.xlsx, report.csv or report.json")
		return
	}
	r.SetPathValue("ref", sum.Batch.Reference)
	s.report(w, r, rq)
}

// Link status: sent until the item ends, processed when it was paid, expired
// when it will not be (failed, or rejected before it was sent).
func linkStatus(st batch.State) string {
	switch st {
	case batch.Succeeded:
		return "processed"
	case batch.Failed, batch.Rejected:
		return "expired"
	}
	return "sent"
}

// Transaction status: successful when paid, failed when it failed or was
// rejected before it was sent, pending while it may still move (planned,
// submitting, pending, unknown, review).
func transactionStatus(st batch.State) string {
	switch st {
	case batch.Succeeded:
		return "successful"
	case batch.Failed, batch.Rejected:
		return "failed"
	}
	return "pending"
}

// linkJSON is a Link: one beneficiary row of a batch.
type linkJSON struct {
	ID                       string       `json:"id"`
	Currency                 currencyJSON `json:"currency"`
	BulkPayment              any          `json:"bulk_payment"` // its id in a list, the BulkPayment on its own
	Transaction              any          `json:"transaction"`  // its id in a list, the Transaction on its own
	Amount                   int64        `json:"amount"`
	URL                      *string      `json:"url"`
	BeneficiaryName          string       `json:"beneficiary_name"`
	BeneficiaryEmail         *string      `json:"beneficiary_email"`
	BeneficiaryPhoneNumber   string       `json:"beneficiary_phone_number"`
	BeneficiaryBankName      *string      `json:"beneficiary_bank_name"`
	BeneficiaryBankBranch    *string      `json:"beneficiary_bank_branch"`
	BeneficiaryAccountNumber *string      `json:"beneficiary_account_number"`
	ExpiryDate               *string      `json:"expiry_date"`
	VerificationCode         *string      `json:"verification_code"`
	Status                   string       `json:"status"`
	CreatedAt                time.Time    `json:"created_at"`
	UpdatedAt                time.Time    `json:"updated_at"`
	// bulkpay's own
	Row      int         `json:"row"`
	State    batch.State `json:"state"`
	Operator string      `json:"operator"`
	Provider string      `json:"provider"`
	Message  string      `json:"message"`
}

// transactionJSON is a Transaction: the payout of one Link.
type transactionJSON struct {
	ID        string       `json:"id"`
	Currency  currencyJSON `json:"currency"`
	Link      any          `json:"link"`   // its id in a list, the Link on its own
	Profit    string       `json:"profit"` // the batch's Profit
	Mode      string       `json:"mode"`
	Amount    int64        `json:"amount"`
	Charge    int64        `json:"charge"`
	Status    string       `json:"status"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
	// bulkpay's own
	State             batch.State `json:"state"`
	PayAmount         int64       `json:"pay_amount"` // sent to the provider
	Provider          string      `json:"provider"`
	ProviderReference string      `json:"provider_reference"`
	Attempts          int         `json:"attempts"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) link(b batch.Batch, it batch.Item) linkJSON {
	updated := it.UpdatedAt
	if updated.IsZero() {
		updated = b.CreatedAt
	}
	return linkJSON{ID: it.Reference, Currency: s.currency(b.Currency), BulkPayment: batchUUID(b), Transaction: transactionUUID(it),
		Amount: it.Amount, BeneficiaryName: it.Name, BeneficiaryEmail: optional(it.Email), BeneficiaryPhoneNumber: "+" + it.Phone,
		Status: linkStatus(it.State), CreatedAt: b.CreatedAt, UpdatedAt: updated,
		Row: it.Row, State: it.State, Operator: it.Operator, Provider: it.Provider, Message: it.Message}
}

func (s *Server) transaction(b batch.Batch, it batch.Item) transactionJSON {
	l := s.link(b, it)
	return transactionJSON{ID: transactionUUID(it), Currency: l.Currency, Link: it.Reference, Profit: profitUUID(b), Mode: it.Mode,
		Amount: it.Amount, Charge: it.Charge, Status: transactionStatus(it.State), CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt,
		State: it.State, PayAmount: it.Send(), Provider: it.Provider, ProviderReference: it.ProviderReference, Attempts: it.Attempts}
}

// batchItem is an item with its batch.
type batchItem struct {
	b  batch.Batch
	it batch.Item
}

// allItems is every item of the batches the filter bulk_payment names (every
// batch when it is empty), newest batch first, in sheet order.
func (s *Server) allItems(w http.ResponseWriter, r *http.Request, rq *request, only string) ([]batchItem, bool) {
	sums, ok := s.summaries(w, r, rq)
	if !ok {
		return nil, false
	}
	var out []batchItem
	for _, sum := range sums {
		if only != "" && only != batchUUID(sum.Batch) && only != sum.Batch.Reference {
			continue
		}
		items, err := s.opt.Store.Items(r.Context(), sum.Batch.ID)
		if err != nil {
			s.apiInternal(w, rq, err)
			return nil, false
		}
		for _, it := range items {
			out = append(out, batchItem{sum.Batch, it})
		}
	}
	return out, true
}

// links lists the Links, filtered by bulk_payment, currency, status and
// transaction.
func (s *Server) links(w http.ResponseWriter, r *http.Request, rq *request) {
	q := r.URL.Query()
	all, ok := s.allItems(w, r, rq, q.Get("bulk_payment"))
	if !ok {
		return
	}
	paid, err := s.paidByLink(r.Context())
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	out := make([]linkJSON, 0, len(all))
	for _, x := range all {
		l := s.linkWith(r, x, paid)
		if matches(q.Get("status"), l.Status) && matches(q.Get("transaction"), transactionUUID(x.it)) &&
			matches(q.Get("currency"), x.b.Currency, fmt.Sprint(s.currency(x.b.Currency).ID)) {
			out = append(out, l)
		}
	}
	s.list(w, r, len(out), func(i int) any { return out[i] })
}

// findItem finds the item whose Link (or Transaction) id is the path's {id}.
func (s *Server) findItem(w http.ResponseWriter, r *http.Request, rq *request, id func(batch.Item) string) (batchItem, bool) {
	all, ok := s.allItems(w, r, rq, "")
	if !ok {
		return batchItem{}, false
	}
	for _, x := range all {
		if id(x.it) == r.PathValue("id") {
			return x, true
		}
	}
	apiFail(w, http.StatusNotFound, rq.T["not_found"])
	return batchItem{}, false
}

func (s *Server) linkRead(w http.ResponseWriter, r *http.Request, rq *request) {
	paid, err := s.paidByLink(r.Context())
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	byID := map[string]int64{}
	for _, l := range paid {
		byID[l.ID] = l.ItemID
	}
	x, ok := s.findItem(w, r, rq, func(it batch.Item) string {
		if id := r.PathValue("id"); byID[id] == it.ID && it.ID != 0 {
			return id // a link's own id names its item too
		}
		return it.Reference
	})
	if !ok {
		return
	}
	l := s.linkWith(r, x, paid)
	sum, err := batch.SummaryOf(r.Context(), s.opt.Store, x.b)
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	if l.BulkPayment, err = s.bulkPayment(r, sum); err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	l.Transaction = s.transaction(x.b, x.it)
	if t := l.Transaction.(transactionJSON); l.URL != nil {
		t.Link = l.ID
		l.Transaction = t
	}
	writeJSON(w, http.StatusOK, l)
}

// transactions lists the Transactions, filtered by mode, currency, link,
// profit and status.
func (s *Server) transactions(w http.ResponseWriter, r *http.Request, rq *request) {
	q := r.URL.Query()
	all, ok := s.allItems(w, r, rq, "")
	if !ok {
		return
	}
	all = slices.DeleteFunc(all, func(x batchItem) bool {
		return !matches(q.Get("mode"), x.it.Mode) || !matches(q.Get("link"), x.it.Reference) || !matches(q.Get("profit"), profitUUID(x.b)) ||
			!matches(q.Get("status"), transactionStatus(x.it.State)) ||
			!matches(q.Get("currency"), x.b.Currency, fmt.Sprint(s.currency(x.b.Currency).ID))
	})
	s.list(w, r, len(all), func(i int) any { return s.transaction(all[i].b, all[i].it) })
}

func (s *Server) transactionRead(w http.ResponseWriter, r *http.Request, rq *request) {
	x, ok := s.findItem(w, r, rq, transactionUUID)
	if !ok {
		return
	}
	t := s.transaction(x.b, x.it)
	t.Link = s.link(x.b, x.it)
	writeJSON(w, http.StatusOK, t)
}
