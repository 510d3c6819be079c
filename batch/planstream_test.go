package batch_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
)

// source reads rows as a sheet would, counting its readings.
func source(rows []batch.Row, readings *int) batch.RowSource {
	return func(ctx context.Context, fn func(batch.Row) error) (batch.Tally, error) {
		*readings++
		t := batch.Tally{Rows: len(rows), Valid: len(rows)}
		for _, r := range rows {
			t.TotalAmount += r.Amount
			if err := fn(r); err != nil {
				return t, err
			}
		}
		return t, nil
	}
}

func payrollRows(amounts ...int64) []batch.Row {
	var rows []batch.Row
	for i, a := range amounts {
		rows = append(rows, batch.Row{Row: i + 2, Name: "B", Phone: "23767700000" + string(rune('0'+i)), Country: "CM", Operator: "MTN",
			Mode: batch.ModeMobileMoney, Amount: a})
	}
	return rows
}

// PlanStream stores what PlanSheet and SavePlan store, with the same hashes,
// events and refusals, reading the sheet twice for a new batch and once for a
// stored one.
func TestPlanStreamKeepsThePlanningRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := batchtest.NewMemory()
	routes := batch.Routes{Rules: batch.DefaultRules, Configured: map[string]bool{"campay": true}}
	req := func(ref string) batch.PlanRequest {
		return batch.PlanRequest{SheetPath: ref + ".csv", Period: "2026-11", Currency: "XAF", Router: routes, By: "awa"}
	}
	stream := func(ref string, rows []batch.Row, save batch.SaveRequest, early bool) (batch.Streamed, int, error) {
		n := 0
		s, err := batch.PlanStream(ctx, batch.StreamPlan{Request: req(ref), Rows: source(rows, &n), Early: early, Save: save,
			Store: func(context.Context) (batch.PlanStore, error) { return st, nil }})
		return s, n, err
	}
	rows := payrollRows(1000, 2000, 3000)
	r := req("paie")
	r.Rows, r.Tally = rows, batch.Tally{Rows: 3, Valid: 3, TotalAmount: 6000}
	want := batch.PlanSheet(r)

	s, readings, err := stream("paie", rows, batch.SaveRequest{}, false)
	require.NoError(t, err)
	assert.True(t, s.Created)
	assert.Equal(t, 2, readings, "a new batch: one reading to validate, one to store")
	assert.Equal(t, want.Batch.SheetHash, s.Batch.SheetHash)
	assert.Equal(t, want.Batch.PlanHash, s.Batch.PlanHash, "the plan hash approval binds to")
	assert.Equal(t, want.Lines, s.Plan.Lines)
	assert.Equal(t, want.Tally, s.Plan.Tally)
	stored, err := st.Batch(ctx, "paie")
	require.NoError(t, err)
	assert.Equal(t, want.Batch.PlanHash, stored.PlanHash)
	assert.Equal(t, 3, stored.ItemCount)
	items, err := st.Items(ctx, stored.ID)
	require.NoError(t, err)
	for i, it := range items {
		assert.Equal(t, want.Items[i].Fingerprint, it.Fingerprint)
	}
	evs, err := st.Events(ctx, stored.ID, 0)
	require.NoError(t, err)
	require.Len(t, evs, 4)
	assert.Equal(t, "3 items, total 6000 XAF, sheet paie.csv", evs[0].Detail, "the batch's event first, as before")

	again, readings, err := stream("paie", rows, batch.SaveRequest{}, true)
	require.NoError(t, err)
	assert.False(t, again.Created)
	assert.Equal(t, stored.ID, again.Batch.ID)
	assert.Equal(t, 1, readings, "a stored batch, found first: one reading")
	assert.Equal(t, want.Batch.PlanHash, again.Plan.Batch.PlanHash)

	_, _, err = stream("paie", payrollRows(1000, 2500), batch.SaveRequest{}, true)
	var ce *batch.ChangedError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []string{"row 3: amount 2000 → 2500", "row 4: removed (B, +237677000002, 3000)"}, ce.Changes)

	_, _, err = stream("paie-bis", rows, batch.SaveRequest{}, false)
	var re *batch.RepeatError
	require.ErrorAs(t, err, &re)
	assert.Len(t, re.Repeats, 3)
	_, err = st.Batch(ctx, "paie-bis")
	require.ErrorIs(t, err, batch.ErrBatchNotFound, "a refused batch stores nothing")

	bad := payrollRows(1000, 2000)
	bad[1].Country, bad[1].Phone = "SN", "221770000001" // no configured provider pays it
	s, readings, err = stream("bad", bad, batch.SaveRequest{}, false)
	require.NoError(t, err)
	assert.False(t, s.Stored)
	assert.Nil(t, s.Store, "an invalid sheet does not open the store")
	assert.Equal(t, 1, s.Plan.Tally.Invalid)
	assert.Equal(t, 2, readings, "the plan hash shown for an invalid sheet takes a second reading")
	r = req("bad")
	r.Rows = bad
	assert.Equal(t, batch.PlanSheet(r).Batch.PlanHash, s.Plan.Batch.PlanHash)
}
