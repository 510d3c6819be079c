package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/identity"
)

// apiClient calls the API with HTTP Basic (no cookies).
type apiClient struct {
	h            *harness
	name, secret string
}

func (h *harness) api(name, secret string) *apiClient {
	return &apiClient{h: h, name: name, secret: secret}
}

// request sends a request with the given body and headers.
func (c *apiClient) request(method, path string, body io.Reader, header http.Header) answer {
	c.h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.h.ts.URL+path, body)
	require.NoError(c.h.t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	if c.name != "" || c.secret != "" {
		req.SetBasicAuth(c.name, c.secret)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.h.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.h.t, err)
	return answer{code: resp.StatusCode, body: string(b), header: resp.Header}
}

// call sends v as JSON (no body when nil).
func (c *apiClient) call(method, path string, v any, key ...string) answer {
	c.h.t.Helper()
	var body io.Reader
	header := http.Header{}
	if v != nil {
		b, err := json.Marshal(v)
		require.NoError(c.h.t, err)
		body = bytes.NewReader(b)
		header.Set("Content-Type", "application/json")
	}
	switch {
	case len(key) > 0:
		header.Set("Idempotency-Key", key[0])
	case method != http.MethodGet:
		header.Set("Idempotency-Key", newKey(c.h.t))
	}
	return c.request(method, path, body, header)
}

// create posts a sheet to create_bulk_payment with fields.
func (c *apiClient) create(file string, fields map[string]string, key string) answer {
	c.h.t.Helper()
	content, err := os.ReadFile(file)
	require.NoError(c.h.t, err)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range fields {
			if !yield(k) {
				return
			}
		}
	}) {
		require.NoError(c.h.t, mw.WriteField(k, fields[k]))
	}
	fw, err := mw.CreateFormFile("sheet", filepath.Base(file))
	require.NoError(c.h.t, err)
	_, err = fw.Write(content)
	require.NoError(c.h.t, err)
	require.NoError(c.h.t, mw.Close())
	if key == "" {
		key = newKey(c.h.t)
	}
	header := http.Header{"Content-Type": {mw.FormDataContentType()}, "Idempotency-Key": {key}}
	return c.request(http.MethodPost, "/payments/create_bulk_payment/", &buf, header)
}

// newKey is a new Idempotency-Key.
func newKey(t *testing.T) string {
	k, _, err := identity.NewToken("")
	require.NoError(t, err)
	return k
}

func decode[T any](t *testing.T, a answer) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(a.body), &v), a.body)
	return v
}

// listOf is a list's answer.
type listOf[T any] struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

// sheetTotal is the total of a sample sheet's amounts, as planning it says.
func sheetTotal(t *testing.T, h *harness, file string) int64 {
	t.Helper()
	form := newBatchForm{Reference: "total-of-" + filepath.Base(file)}
	p, _, err := h.srv.planSheet(context.Background(), file, form, 0, "test")
	require.NoError(t, err)
	return p.Tally.TotalAmount
}

// TestAPIPlanApproveStartAndReport is the whole path of a batch through the
// API, against the sandbox: a sheet with errors refused with every row error
// (nothing planned), the fixed sheet created (replayed by its idempotency
// key), the planner's approval refused under four-eyes, another user's
// approval, the start, the batch polled to complete, every payout counted at
// the sandbox, the links and transactions, and the reports.
func TestAPIPlanApproveStartAndReport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, nil)
	awa, bob, carl := h.api("awa", "password-awa"), h.api("bob", "password-bob"), h.api("carl", "password-carl")
	total := sheetTotal(t, h, sample("payroll-2026-11.xlsx"))

	// a sheet with errors: 400 with every row error, nothing planned
	got := awa.create(sample("payroll-with-errors.xlsx"), map[string]string{"total_amount": "1000", "reference": "nov"}, "")
	require.Equal(t, http.StatusBadRequest, got.code, got.body)
	bad := decode[rowErrorsJSON](t, got)
	require.NotEmpty(t, bad.Errors)
	res, err := sheetScreen(h, sample("payroll-with-errors.xlsx"), 1000)
	require.NoError(t, err)
	assert.Equal(t, res, bad.Errors, "every row error the web app lists, in the sheet's numbering")
	assert.Contains(t, bad.Errors, batch.RowError{Row: 5, Column: "Téléphone", Value: "12345",
		Message: "phone is not a valid number in CM: write it as 6 71 23 45 67 or +237 6 71 23 45 67"})
	bs, err := h.st.Batches(ctx)
	require.NoError(t, err)
	assert.Empty(t, bs, "nothing planned")

	// a control total the sheet does not add up to: 400 too
	got = awa.create(sample("payroll-2026-11.xlsx"), map[string]string{"total_amount": "1000", "reference": "nov"}, "")
	assert.Equal(t, http.StatusBadRequest, got.code, got.body)
	assert.Contains(t, got.body, `"row"`)

	// the sheet: 201 with the BulkPayment; the same request again with its key is the same answer
	fields := map[string]string{"total_amount": itoa(int(total)), "reference": "nov", "period": "2026-11", "organization": organizationUUID()}
	got = awa.create(sample("payroll-2026-11.xlsx"), fields, "create-nov")
	require.Equal(t, http.StatusCreated, got.code, got.body)
	bp := decode[bulkPaymentJSON](t, got)
	again := awa.create(sample("payroll-2026-11.xlsx"), fields, "create-nov")
	assert.Equal(t, http.StatusCreated, again.code)
	assert.Equal(t, got.body, again.body, "replayed")
	assert.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
	fields["reference"] = "nov-other"
	assert.Equal(t, http.StatusUnprocessableEntity, awa.create(sample("payroll-2026-11.xlsx"), fields, "create-nov").code,
		"the same key for another request")
	b, items, err := batch.Load(ctx, h.st, "nov")
	require.NoError(t, err)
	bs, err = h.st.Batches(ctx)
	require.NoError(t, err)
	assert.Len(t, bs, 1, "planned once")
	assert.Equal(t, batchUUID(b), bp.ID)
	assert.Equal(t, "nov", bp.Reference)
	assert.Equal(t, total, bp.TotalAmount)
	assert.Equal(t, b.Charge, bp.Charge)
	assert.Equal(t, "XAF", bp.Currency.Name[:0]+b.Currency)
	assert.Equal(t, statusAwaitingApproval, bp.Status)
	assert.Equal(t, len(items), bp.Counts[batch.Planned])
	assert.Equal(t, "awa", bp.PlannedBy)
	assert.Equal(t, "awa", b.CreatedBy)

	// start before an approval: 403; the planner may not approve (her role), and under four-eyes
	// an approver who planned it may not either
	assert.Equal(t, http.StatusForbidden, awa.call(http.MethodPost, "/payments/bulk_payment/"+bp.ID+"/start/", nil).code)
	assert.Equal(t, http.StatusForbidden, awa.call(http.MethodPost, "/payments/bulk_payment/"+bp.ID+"/approve/", nil).code)
	require.NoError(t, h.st.RecordPlan(ctx, b.ID, "bob", b.PlanHash, "login bob", b.Policy))
	got = bob.call(http.MethodPost, "/payments/bulk_payment/"+bp.ID+"/approve/", noteJSON{Note: "mine"})
	assert.Equal(t, http.StatusForbidden, got.code)
	assert.Contains(t, decode[detail](t, got).Detail, "four_eyes")
	eve := h.addUser("eve", identity.Approver)
	got = eve.call(http.MethodPost, "/payments/bulk_payment/"+bp.ID+"/approve/", noteJSON{Note: "stale", PlanHash: "stale"})
	assert.Equal(t, http.StatusConflict, got.code)
	got = eve.call(http.MethodPost, "/payments/bulk_payment/"+bp.ID+"/approve/", noteJSON{Note: "checked", PlanHash: b.PlanHash}, "approve-nov")
	require.Equal(t, http.StatusOK, got.code, got.body)
	approved := decode[bulkPaymentJSON](t, got)
	assert.Equal(t, statusReady, approved.Status)
	require.NotNil(t, approved.Approval)
	assert.Equal(t, "eve", approved.Approval.By)
	assert.Equal(t, b.PlanHash, approved.Approval.Hash)
	replay := eve.call(http.MethodPost, "/payments/bulk_payment/"+bp.ID+"/approve/", noteJSON{Note: "checked", PlanHash: b.PlanHash}, "approve-nov")
	assert.Equal(t, got.body, replay.body)

	// start: 202, paid in the background; polled until complete (bounded)
	got = awa.call(http.MethodPost, "/payments/bulk_payment/nov/start/", nil, "start-nov")
	require.Equal(t, http.StatusAccepted, got.code, got.body)
	replay = awa.call(http.MethodPost, "/payments/bulk_payment/nov/start/", nil, "start-nov")
	assert.Equal(t, http.StatusAccepted, replay.code, "replayed, not started twice")
	assert.Equal(t, got.body, replay.body)
	var done bulkPaymentJSON
	for i := 0; ; i++ {
		require.Less(t, i, 10000, "the batch never completed")
		moved := h.srv.runs.changes(b.ID) // before the poll: a move after it wakes us
		done = decode[bulkPaymentJSON](t, carl.call(http.MethodGet, "/payments/bulk_payment/"+bp.ID+"/", nil))
		if done.Status == statusComplete {
			break
		}
		select { // the next move, not a time
		case <-moved:
		case <-time.After(time.Minute):
			t.Fatalf("nothing moved for a minute: %+v", done)
		}
	}
	assert.Equal(t, len(items), done.Counts[batch.Succeeded])
	assert.Equal(t, total, done.Amounts[batch.Succeeded])

	// every item paid once, as the sandbox saw it
	resp, err := http.Get(h.sandbox + "/_sandbox/payouts")
	require.NoError(t, err)
	var payouts []struct {
		ClientReference string `json:"client_reference"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&payouts))
	resp.Body.Close()
	assert.Len(t, payouts, len(items))
	refs := map[string]int{}
	for _, p := range payouts {
		refs[p.ClientReference]++
	}
	for _, it := range items {
		assert.Equal(t, 1, refs[it.Reference], "row %d paid once", it.Row)
	}

	// the lists: batches, links and transactions, paged
	list := decode[listOf[bulkPaymentJSON]](t, carl.call(http.MethodGet, "/payments/bulk_payment/?reference=nov", nil))
	require.Equal(t, 1, list.Count)
	assert.Equal(t, bp.ID, list.Results[0].ID)
	assert.Zero(t, decode[listOf[bulkPaymentJSON]](t, carl.call(http.MethodGet, "/payments/bulk_payment/?reference=dec", nil)).Count)
	links := decode[listOf[linkJSON]](t, carl.call(http.MethodGet, "/payments/link/?bulk_payment="+bp.ID+"&limit=2", nil))
	assert.Equal(t, len(items), links.Count)
	require.Len(t, links.Results, 2)
	require.NotNil(t, links.Next)
	assert.Nil(t, links.Previous)
	assert.Contains(t, *links.Next, "offset=2")
	assert.Equal(t, items[0].Reference, links.Results[0].ID)
	assert.Equal(t, "processed", links.Results[0].Status)
	assert.Equal(t, "+"+items[0].Phone, links.Results[0].BeneficiaryPhoneNumber)
	assert.Equal(t, items[0].Amount, links.Results[0].Amount)
	link := decode[map[string]any](t, carl.call(http.MethodGet, "/payments/link/"+items[0].Reference+"/", nil))
	assert.Equal(t, bp.ID, link["bulk_payment"].(map[string]any)["id"])
	txn := link["transaction"].(map[string]any)
	assert.Equal(t, "successful", txn["status"])
	assert.Equal(t, "mobile_money", txn["mode"])
	txns := decode[listOf[transactionJSON]](t, carl.call(http.MethodGet, "/payments/transaction/?status=successful", nil))
	assert.Equal(t, len(items), txns.Count)
	one := decode[map[string]any](t, carl.call(http.MethodGet, "/payments/transaction/"+txn["id"].(string)+"/", nil))
	assert.Equal(t, items[0].Reference, one["link"].(map[string]any)["id"])
	assert.Equal(t, float64(items[0].Charge), one["charge"])
	assert.Zero(t, decode[listOf[transactionJSON]](t, carl.call(http.MethodGet, "/payments/transaction/?status=failed", nil)).Count)

	// the reports, for the auditor
	x := carl.call(http.MethodGet, "/payments/bulk_payment/"+bp.ID+"/report.xlsx", nil)
	require.Equal(t, http.StatusOK, x.code)
	assert.True(t, strings.HasPrefix(x.body, "PK"), "an xlsx is a zip")
	c := carl.call(http.MethodGet, "/payments/bulk_payment/"+bp.ID+"/report.csv", nil)
	require.Equal(t, http.StatusOK, c.code)
	assert.Equal(t, len(items)+1, strings.Count(strings.TrimSpace(c.body), "\n")+1)
	j := carl.call(http.MethodGet, "/payments/bulk_payment/nov/report.json", nil)
	require.Equal(t, http.StatusOK, j.code)
	assert.NotEmpty(t, decode[map[string]any](t, j))

	// reconcile: everything agrees
	got = awa.call(http.MethodPost, "/payments/bulk_payment/"+bp.ID+"/reconcile/", nil)
	require.Equal(t, http.StatusOK, got.code, got.body)
	rec := decode[reconcileJSON](t, got)
	assert.Empty(t, rec.Outcome)
	assert.Equal(t, statusComplete, rec.BulkPayment.Status)
}

// sheetScreen is the row errors screening a sheet gives, as the web app
// lists them.
func sheetScreen(h *harness, file string, expect int64) ([]batch.RowError, error) {
	_, res, err := h.srv.planSheet(context.Background(), file, newBatchForm{}, expect, "test")
	if err != nil {
		return nil, err
	}
	return res.Tally().Errors, nil
}

// addUser adds a user with a role; the API client signs with its password.
func (h *harness) addUser(name string, role identity.Role) *apiClient {
	_, err := h.st.AddUser(context.Background(), identity.User{Name: name, Role: role, PasswordHash: lightHash("password-" + name), Created: h.clock.Now()})
	require.NoError(h.t, err)
	return h.api(name, "password-"+name)
}
