package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// TestAPIClaimByLink: whoever holds a link reads it (masked, no code, the
// modes a provider pays), asks for a code, is told the tries left after a
// wrong one, claims with the right one, and gets the same transaction when
// claiming again; the runner pays it once. The signed-in list shows the link
// as claimed, filters by status, and no answer holds the code.
func TestAPIClaimByLink(t *testing.T) {
	t.Parallel()
	h, logs := linkHarness(t, nil)
	_, id := h.awaInvited("api-links-2026-11", "Awa Ndiaye,677 12 34 56,25000\nJean Mbarga,699 00 11 22,30000\n")
	anon := h.api("", "")
	var answers []string

	got := anon.call(http.MethodGet, "/payments/check_bulk_payment/"+id, nil)
	answers = append(answers, got.body)
	require.Equal(t, http.StatusOK, got.code, got.body)
	assert.NotContains(t, got.body, "verification_code")
	type linkData struct {
		ID          string         `json:"id"`
		Name        string         `json:"beneficiary_name"`
		Phone       string         `json:"beneficiary_phone_number"`
		Status      string         `json:"status"`
		Modes       []string       `json:"modes"`
		CodeSent    bool           `json:"code_sent"`
		Transaction map[string]any `json:"transaction"`
	}
	type holderAnswer struct {
		Success   bool     `json:"success"`
		Message   string   `json:"message"`
		Data      linkData `json:"data"`
		TriesLeft *int     `json:"tries_left"`
	}
	a := decode[holderAnswer](t, got)
	assert.True(t, a.Success)
	assert.Equal(t, "A** N*****", a.Data.Name)
	assert.Equal(t, "+2376*****456", a.Data.Phone)
	assert.Equal(t, "sent", a.Data.Status)
	assert.Contains(t, a.Data.Modes, batch.ModeMobileMoney)
	assert.NotContains(t, a.Data.Modes, batch.ModeBankTransfer, "no provider pays bank transfers")
	assert.Nil(t, a.Data.Transaction)

	assert.Equal(t, http.StatusNotFound, anon.call(http.MethodGet, "/payments/check_bulk_payment/nope", nil).code)
	got = anon.call(http.MethodPost, "/payments/link/"+id+"/send_code/", nil)
	answers = append(answers, got.body)
	require.Equal(t, http.StatusAccepted, got.code, got.body)
	got = anon.call(http.MethodPost, "/payments/link/"+id+"/send_code/", nil)
	assert.Equal(t, http.StatusTooManyRequests, got.code, "a code a minute at most")
	assert.NotEmpty(t, got.header.Get("Retry-After"))
	code := h.lastCode("237677123456")

	claim := map[string]string{"link": id, "verification_code": wrongOf(code), "mode": "mobile_money"}
	got = anon.call(http.MethodPost, "/payments/process_bulk_payment/transaction", claim)
	answers = append(answers, got.body)
	assert.Equal(t, http.StatusBadRequest, got.code, got.body)
	wrong := decode[holderAnswer](t, got)
	require.NotNil(t, wrong.TriesLeft)
	assert.Equal(t, 4, *wrong.TriesLeft)
	assert.False(t, wrong.Success)

	claim["verification_code"] = code
	got = anon.call(http.MethodPost, "/payments/process_bulk_payment/transaction", claim)
	answers = append(answers, got.body)
	require.Equal(t, http.StatusOK, got.code, got.body)
	first := decode[holderAnswer](t, got)
	assert.Equal(t, "claimed", first.Data.Status)
	require.NotNil(t, first.Data.Transaction)
	got = anon.call(http.MethodPost, "/payments/process_bulk_payment/transaction", claim)
	answers = append(answers, got.body)
	require.Equal(t, http.StatusOK, got.code, got.body)
	assert.Equal(t, first.Data.Transaction["id"], decode[holderAnswer](t, got).Data.Transaction["id"], "the same transaction")
	h.srv.runs.wait()
	assert.Equal(t, map[string][]int64{"237677123456": {25000}}, h.payoutsByPhone())

	got = anon.call(http.MethodGet, "/payments/check_bulk_payment/"+id, nil)
	answers = append(answers, got.body)
	assert.Equal(t, "processed", decode[holderAnswer](t, got).Data.Status)

	carl := h.api("carl", "password-carl")
	got = carl.call(http.MethodGet, "/payments/link/?status=processed", nil)
	answers = append(answers, got.body)
	require.Equal(t, http.StatusOK, got.code, got.body)
	type listed struct {
		Count   int `json:"count"`
		Results []struct {
			ID     string  `json:"id"`
			URL    *string `json:"url"`
			Status string  `json:"status"`
			Code   *string `json:"verification_code"`
		} `json:"results"`
	}
	l := decode[listed](t, got)
	require.Equal(t, 1, l.Count)
	assert.Equal(t, id, l.Results[0].ID)
	require.NotNil(t, l.Results[0].URL)
	assert.Contains(t, *l.Results[0].URL, "/claim/"+id)
	assert.Nil(t, l.Results[0].Code)
	assert.Equal(t, 1, decode[listed](t, carl.call(http.MethodGet, "/payments/link/?status=sent", nil)).Count, "the other link")
	got = carl.call(http.MethodGet, "/payments/link/"+id+"/", nil)
	answers = append(answers, got.body)
	assert.Equal(t, http.StatusOK, got.code, got.body)
	assert.Equal(t, http.StatusUnauthorized, anon.call(http.MethodGet, "/payments/link/", nil).code, "the list needs a sign-in")

	for _, body := range answers {
		assert.NotContains(t, body, code, "an API answer")
	}
	assert.NotContains(t, logs.String(), code, "the log")
}

// TestAPIClaimRefusals: a body that is not a claim, a code that is not six
// digits and a mode nobody pays are refused before anything is counted.
func TestAPIClaimRefusals(t *testing.T) {
	t.Parallel()
	h, _ := linkHarness(t, nil)
	anon := h.api("", "")
	for _, tc := range []struct {
		name string
		body any
		want int
	}{
		{"unknown field", map[string]string{"link": "x", "verification_code": "123456", "pin": "1"}, http.StatusBadRequest},
		{"no link", map[string]string{"verification_code": "123456"}, http.StatusBadRequest},
		{"five digits", map[string]string{"link": "x", "verification_code": "12345"}, http.StatusBadRequest},
		{"a mode nobody knows", map[string]string{"link": "x", "verification_code": "123456", "mode": "cheque"}, http.StatusBadRequest},
		{"no such link", map[string]string{"link": "x", "verification_code": "123456"}, http.StatusNotFound},
	} {
		got := anon.call(http.MethodPost, "/payments/process_bulk_payment/transaction", tc.body)
		assert.Equal(t, tc.want, got.code, "%s: %s", tc.name, got.body)
	}
}

// TestClaimWhileAnotherProcessHoldsTheBatch: a claim made while another
// process holds the batch is recorded, not paid; the links pass pays it once
// the batch is free, once.
func TestClaimWhileAnotherProcessHoldsTheBatch(t *testing.T) {
	t.Parallel()
	h, _ := linkHarness(t, nil)
	ctx := context.Background()
	b := h.planLinks("held-2026-11", "Awa Ndiaye,677 12 34 56,25000\n")
	_, err := h.srv.linksPass(ctx)
	require.NoError(t, err)
	other := batch.Owner{PID: 4242, Host: "elsewhere", Start: "1", At: h.clock.Now()}
	require.NoError(t, h.st.Lock(ctx, b.ID, other))
	id := h.invitation("237677123456")
	anon := h.api("", "")
	require.Equal(t, http.StatusAccepted, anon.call(http.MethodPost, "/payments/link/"+id+"/send_code/", nil).code)
	claim := map[string]string{"link": id, "verification_code": h.lastCode("237677123456"), "mode": "mobile_money"}
	got := anon.call(http.MethodPost, "/payments/process_bulk_payment/transaction", claim)
	require.Equal(t, http.StatusOK, got.code, got.body)
	h.srv.runs.wait()
	assert.Empty(t, h.payoutsByPhone(), "the batch is held elsewhere: nothing sent from here")

	pass, err := h.srv.linksPass(ctx)
	require.NoError(t, err)
	assert.Empty(t, pass.Started, "still held")
	require.NoError(t, h.st.Unlock(ctx, b.ID, other))
	pass, err = h.srv.linksPass(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"held-2026-11"}, pass.Started)
	h.srv.runs.wait()
	pass, err = h.srv.linksPass(ctx)
	require.NoError(t, err)
	assert.Empty(t, pass.Started, "paid: nothing more to start")
	assert.Equal(t, map[string][]int64{"237677123456": {25000}}, h.payoutsByPhone())
}

// TestSimultaneousClaimsPayOnce: the same claim sent at once from two
// clients answers the same transaction to both, and one payout is made.
func TestSimultaneousClaimsPayOnce(t *testing.T) {
	t.Parallel()
	h, _ := linkHarness(t, nil)
	_, id := h.awaInvited("twice-2026-11", "Awa Ndiaye,677 12 34 56,25000\n")
	anon := h.api("", "")
	require.Equal(t, http.StatusAccepted, anon.call(http.MethodPost, "/payments/link/"+id+"/send_code/", nil).code)
	claim := map[string]string{"link": id, "verification_code": h.lastCode("237677123456"), "mode": "mobile_money"}
	answers := make([]answer, 4)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = anon.call(http.MethodPost, "/payments/process_bulk_payment/transaction", claim)
		}()
	}
	wg.Wait()
	h.srv.runs.wait()
	ids := map[any]int{}
	for _, a := range answers {
		require.Equal(t, http.StatusOK, a.code, a.body)
		var v struct {
			Data struct {
				Transaction map[string]any `json:"transaction"`
			} `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(a.body), &v))
		ids[v.Data.Transaction["id"]]++
	}
	assert.Len(t, ids, 1, "one transaction for every answer")
	assert.Equal(t, map[string][]int64{"237677123456": {25000}}, h.payoutsByPhone())
}
