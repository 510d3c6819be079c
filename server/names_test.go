package server

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// Under name_check: review, an uploaded sheet whose number is registered to
// another person plans that row to confirm; the batch page shows the
// registered name to an approver only, and the approver's button, with a
// note, lets the row be paid.
func TestWebAppNamesToConfirm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, func(o *Options) { o.Config.NameCheck = "review" })
	resp, err := http.Post(h.sandbox+"/_sandbox/names", "application/json", strings.NewReader(`{"237677123456": "Paul ESSOMBA"}`))
	require.NoError(t, err)
	resp.Body.Close()

	awa := h.signIn("awa")
	up := awa.upload(sample("payroll-2026-11.xlsx"), nil)
	require.Equal(t, http.StatusOK, up.code, up.body)
	assert.Contains(t, up.body, "Names before money")
	assert.Contains(t, up.body, "mismatch")
	assert.NotContains(t, up.body, "ESSOMBA", "an initiator does not see registered names")

	b, items, err := batch.Load(ctx, h.st, "payroll-2026-11")
	require.NoError(t, err)
	i := slices.IndexFunc(items, func(it batch.Item) bool { return it.Phone == "237677123456" })
	require.GreaterOrEqual(t, i, 0)
	it := items[i]
	assert.Equal(t, batch.ToConfirm, it.State)

	page := awa.get("/batches/payroll-2026-11")
	require.Equal(t, http.StatusOK, page.code)
	assert.Contains(t, page.body, "Jean-Pierre Mbarga")
	assert.NotContains(t, page.body, "ESSOMBA")
	assert.NotContains(t, page.body, "/confirm")

	bob := h.signIn("bob")
	page = bob.get("/batches/payroll-2026-11")
	assert.Contains(t, page.body, "Paul ESSOMBA", "an approver sees the registered name")
	assert.Contains(t, page.body, "/items/"+itoa(it.Row)+"/confirm")
	path := "/batches/payroll-2026-11/items/" + itoa(it.Row) + "/confirm"
	assert.Equal(t, http.StatusForbidden, awa.post(path, url.Values{"note": {"x"}}).code, "only an approver confirms")
	assert.Equal(t, http.StatusBadRequest, bob.post(path, nil).code, "a confirmation says why")
	got := bob.post(path, url.Values{"note": {"his registered first name, ID seen"}})
	require.Equal(t, http.StatusSeeOther, got.code, got.body)
	now, err := h.st.Item(ctx, it.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Planned, now.State)
	evs, err := h.st.Events(ctx, b.ID, it.ID)
	require.NoError(t, err)
	assert.Equal(t, "bob", evs[len(evs)-1].Actor)
	page = bob.get("/batches/payroll-2026-11")
	assert.Contains(t, page.body, "his registered first name, ID seen")

	fr := h.signIn("bob")
	fr.get("/lang/fr")
	page = fr.get("/batches/payroll-2026-11")
	assert.Contains(t, page.body, "Noms avant l&#39;argent")
}

// Under block, the upload is refused naming the row, and nothing is stored.
func TestWebAppNamesBlock(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(o *Options) { o.Config.NameCheck = "block" })
	resp, err := http.Post(h.sandbox+"/_sandbox/names", "application/json", strings.NewReader(`{"237677123456": "Paul ESSOMBA"}`))
	require.NoError(t, err)
	resp.Body.Close()
	up := h.signIn("awa").upload(sample("payroll-2026-11.xlsx"), nil)
	assert.Equal(t, http.StatusConflict, up.code)
	assert.Contains(t, up.body, "Jean-Pierre Mbarga")
	assert.NotContains(t, up.body, "ESSOMBA")
	_, err = h.st.Batch(context.Background(), "payroll-2026-11")
	assert.ErrorIs(t, err, batch.ErrBatchNotFound)
}
