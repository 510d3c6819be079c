package batch

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// routeAll pays every row but those of Camtel (no provider pays them).
type routeAll struct{}

func (routeAll) Route(r Row) ([]string, error) {
	if r.Operator == "Camtel" {
		return nil, &RouteError{Column: "phone", Value: "+" + r.Phone, Reason: "no configured provider pays Camtel numbers"}
	}
	return []string{"campay"}, nil
}

func TestScreen(t *testing.T) {
	t.Parallel()
	rows := []Row{
		{Row: 2, Phone: "237677000001", Operator: "MTN", Amount: 1000},
		{Row: 3, Phone: "237620000002", Operator: "Camtel", Amount: 2000},
		{Row: 4, Phone: "237677000003", Operator: "MTN", Amount: 600000},
		{Row: 5, Phone: "237677000004", Operator: "MTN", Amount: 3000},
	}
	read := Tally{Rows: 5, Valid: 4, Invalid: 1, TotalAmount: 606000, Errors: []RowError{{Row: 6, Column: "Montant", Message: "not an amount"}}}
	columns := func(f string) string { return map[string]string{"phone": "Téléphone", "amount": "Montant"}[f] }
	for _, tc := range []struct {
		name   string
		screen Screen
		passed []int
		want   Tally
	}{
		{"a row no provider pays is invalid, named as the sheet spells its column", Screen{Router: routeAll{}}, []int{2, 4, 5},
			Tally{Rows: 5, Valid: 3, Invalid: 2, TotalAmount: 604000, Errors: []RowError{
				{Row: 3, Column: "Téléphone", Value: "+237620000002", Message: "no configured provider pays Camtel numbers"},
				{Row: 6, Column: "Montant", Message: "not an amount"}}}},
		{"a row above the per-row limit", Screen{Router: routeAll{}, Limits: Limits{MaxPerRow: 500000}}, []int{2, 5},
			Tally{Rows: 5, Valid: 2, Invalid: 3, TotalAmount: 4000, Errors: []RowError{
				{Row: 3, Column: "Téléphone", Value: "+237620000002", Message: "no configured provider pays Camtel numbers"},
				{Row: 4, Column: "Montant", Value: "600000", Message: "amount 600 000 is above the limit of 500 000 per row (limits.max_per_row): check the amount, or raise the limit in the config"},
				{Row: 6, Column: "Montant", Message: "not an amount"}}}},
		{"the batch above its limit and the expected total, about the whole sheet", Screen{Router: routeAll{}, Limits: Limits{MaxPerBatch: 600000}, ExpectTotal: 4000}, []int{2, 4, 5},
			Tally{Rows: 5, Valid: 3, Invalid: 2, TotalAmount: 604000, Errors: []RowError{
				{Column: "amount", Value: "604000", Message: "the batch total 604 000 is above the limit of 600 000 per batch (limits.max_per_batch): split the sheet, or raise the limit in the config"},
				{Column: "amount", Value: "604000", Message: "the valid rows add up to 604 000 but --expect-total says 4 000 (difference 600 000): check the sheet against the approved total"},
				{Row: 3, Column: "Téléphone", Value: "+237620000002", Message: "no configured provider pays Camtel numbers"},
				{Row: 6, Column: "Montant", Message: "not an amount"}}}},
		{"the expected total met", Screen{Router: routeAll{}, ExpectTotal: 604000}, []int{2, 4, 5},
			Tally{Rows: 5, Valid: 3, Invalid: 2, TotalAmount: 604000, Errors: []RowError{
				{Row: 3, Column: "Téléphone", Value: "+237620000002", Message: "no configured provider pays Camtel numbers"},
				{Row: 6, Column: "Montant", Message: "not an amount"}}}},
		{"only the first errors kept, the rest counted", Screen{Router: routeAll{}, Limits: Limits{MaxPerRow: 1}, MaxErrors: 2}, nil,
			Tally{Rows: 5, Valid: 0, Invalid: 5, TotalAmount: 0, MoreErrors: 3, Errors: []RowError{
				{Row: 2, Column: "Montant", Value: "1000", Message: "amount 1 000 is above the limit of 1 per row (limits.max_per_row): check the amount, or raise the limit in the config"},
				{Row: 3, Column: "Téléphone", Value: "+237620000002", Message: "no configured provider pays Camtel numbers"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			scr := tc.screen
			var passed []int
			for _, r := range rows {
				if scr.Row(r) {
					passed = append(passed, r.Row)
				}
			}
			assert.Equal(t, tc.passed, passed)
			assert.Equal(t, tc.want, scr.Tally(read, columns))
		})
	}
}

func TestTallyRefuse(t *testing.T) {
	t.Parallel()
	rows := []Row{{Row: 2, Amount: 100}, {Row: 3, Amount: 50}, {Row: 4, Amount: 70}}
	tl := Tally{Rows: 3, Valid: 3, TotalAmount: 220, Errors: []RowError{{Row: 9, Message: "x"}}}
	tl.Refuse(rows, []RowError{{Row: 4, Column: "amount", Message: "charge too large"}, {Row: 3, Column: "amount", Message: "charge too large"}})
	assert.Equal(t, 1, tl.Valid)
	assert.Equal(t, 2, tl.Invalid)
	assert.Equal(t, int64(100), tl.TotalAmount)
	assert.Equal(t, []int{3, 4, 9}, []int{tl.Errors[0].Row, tl.Errors[1].Row, tl.Errors[2].Row}, "in row order")
	tl.Refuse(rows, nil)
	assert.Equal(t, 1, tl.Valid, "nothing refused, nothing changed")
}

func TestMoney(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1 000", 3450000: "3 450 000", -21000: "-21 000", -100: "-100"} {
		assert.Equal(t, want, Money(n), n)
	}
}

func TestLimitsValidate(t *testing.T) {
	t.Parallel()
	assert.NoError(t, Limits{}.Validate())
	assert.NoError(t, Limits{MaxPerRow: 1, MaxPerBatch: 2}.Validate())
	require.Error(t, Limits{MaxPerRow: -1}.Validate())
	require.Error(t, Limits{MaxPerBatch: -1}.Validate())
}
