package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// TestAPIPayByLink plans a sheet with pay_by link: every row is an item of
// mode link with its link issued, and pay_by takes nothing else.
func TestAPIPayByLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, nil)
	awa := h.api("awa", "password-awa")
	total := sheetTotal(t, h, sample("payroll-2026-11.xlsx"))
	fields := map[string]string{"total_amount": itoa(int(total)), "reference": "nov-links", "period": "2026-11", "pay_by": "cash"}
	got := awa.create(sample("payroll-2026-11.xlsx"), fields, "")
	require.Equal(t, http.StatusBadRequest, got.code, got.body)
	assert.Contains(t, got.body, "write link")

	fields["pay_by"] = "link"
	got = awa.create(sample("payroll-2026-11.xlsx"), fields, "")
	require.Equal(t, http.StatusCreated, got.code, got.body)
	b, items, err := batch.Load(ctx, h.st, "nov-links")
	require.NoError(t, err)
	for _, it := range items {
		assert.Equal(t, batch.ModeLink, it.Mode, "row %d", it.Row)
	}
	links, err := h.st.Links(ctx, b.ID)
	require.NoError(t, err)
	assert.Len(t, links, len(items), "one link per row")
	assert.NotContains(t, got.body, links[0].ID, "the answer carries no link id")
}
