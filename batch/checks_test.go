package batch_test

// Tests of the checks made before money moves: provider costs and balances,
// holds, the screen of a sheet's rows (routes, limits, control totals).

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/providerstest"
)

func TestCostsOf(t *testing.T) {
	t.Parallel()
	costs := batch.Costs{"camoo": "2", "mycoolpay": "1.5", "bad": "2%"}
	for _, tc := range []struct {
		name string
		it   batch.Item
		want int64
	}{
		{"no fee on top", batch.Item{Provider: "campay", Amount: 10000}, 10000},
		{"2% on top", batch.Item{Provider: "camoo", Amount: 10000}, 10200},
		{"rounded down to the franc", batch.Item{Provider: "camoo", Amount: 1049}, 1049 + 20},
		{"an exact decimal percentage", batch.Item{Provider: "mycoolpay", Amount: 1001}, 1001 + 15},
		{"what is sent, not the amount, when the beneficiary bears the charge", batch.Item{Provider: "camoo", Amount: 10000, PayAmount: 9900}, 9900 + 198},
		{"a percentage the config refuses draws the amount alone", batch.Item{Provider: "bad", Amount: 10000}, 10000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, costs.Of(tc.it))
		})
	}
	assert.NoError(t, batch.Costs{"camoo": "2", "x": ""}.Validate())
	assert.ErrorContains(t, batch.Costs{"camoo": "2%"}.Validate(), "camoo fee_percent")
	assert.ErrorContains(t, batch.Costs{"camoo": "101"}.Validate(), "not between 0 and 100")
}

func lanesOf(ps ...batch.Provider) map[string]batch.Lane {
	out := map[string]batch.Lane{}
	for _, p := range ps {
		out[p.Name()] = batch.Lane{Provider: p}
	}
	return out
}

func TestCheckBalances(t *testing.T) {
	t.Parallel()
	campay := func() *fakeProvider {
		return &fakeProvider{name: "campay", balances: []providers.Balance{{Account: "MTN", Amount: 3000}, {Account: "Orange", Amount: 50000}}}
	}
	camoo := func() *fakeProvider {
		return &fakeProvider{name: "camoo", balances: []providers.Balance{{Amount: 10000}}}
	}
	items := []batch.Item{
		{ID: 1, Provider: "campay", Operator: "MTN", Amount: 1000, State: batch.Planned},
		{ID: 2, Provider: "campay", Operator: "MTN", Amount: 1000, State: batch.Planned},
		{ID: 3, Provider: "campay", Operator: "MTN", Amount: 1500, State: batch.Planned},
		{ID: 4, Provider: "campay", Operator: "Orange", Amount: 5000, State: batch.Planned},
		{ID: 5, Provider: "campay", Operator: "MTN", Amount: 9000, State: batch.Succeeded}, // paid: not needed again
		{ID: 6, Provider: "camoo", Operator: "MTN", Amount: 9900, State: batch.Planned},
	}
	for _, tc := range []struct {
		name  string
		lanes map[string]batch.Lane
		costs batch.Costs
		want  []batch.Need
	}{
		{"per carrier for CamPay, one balance for Camoo", lanesOf(campay(), camoo()), nil, []batch.Need{
			{Provider: "camoo", Items: 1, Needed: 9900, Available: 10000},
			{Provider: "campay", Account: "MTN", Items: 3, Needed: 3500, Available: 3000, Shortfall: 500},
			{Provider: "campay", Account: "Orange", Items: 1, Needed: 5000, Available: 50000},
		}},
		{"the fee drawn on top counts", lanesOf(campay(), camoo()), batch.Costs{"camoo": "2"}, []batch.Need{
			{Provider: "camoo", Items: 1, Needed: 10098, Available: 10000, Shortfall: 98},
			{Provider: "campay", Account: "MTN", Items: 3, Needed: 3500, Available: 3000, Shortfall: 500},
			{Provider: "campay", Account: "Orange", Items: 1, Needed: 5000, Available: 50000},
		}},
		{"a provider that cannot tell holds nothing", lanesOf(campay(), notABalancer{name: "camoo"}), nil, []batch.Need{
			{Provider: "camoo", Items: 1, Needed: 9900, Shortfall: 9900},
			{Provider: "campay", Account: "MTN", Items: 3, Needed: 3500, Available: 3000, Shortfall: 500},
			{Provider: "campay", Account: "Orange", Items: 1, Needed: 5000, Available: 50000},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			needs, err := batch.CheckBalances(context.Background(), tc.lanes, items, tc.costs, providerstest.NewClock(time.Now()))
			require.NoError(t, err)
			assert.Equal(t, tc.want, needs)
			assert.Equal(t, true, batch.Short(needs))
		})
	}
	needs, err := batch.CheckBalances(context.Background(), lanesOf(campay()), items[3:5], nil, nil)
	require.NoError(t, err)
	assert.False(t, batch.Short(needs))
}

// A balance that does not come is asked again as the call stack's retry
// decision says, waiting on the clock; credentials refused are not asked again.
func TestCheckBalancesAsksAgain(t *testing.T) {
	t.Parallel()
	unavailable := &providers.Error{Class: providers.ErrTransient, Provider: "campay", Op: "balance", Message: "503"}
	refused := &providers.Error{Class: providers.ErrAuth, Provider: "campay", Op: "balance", Message: "401"}
	items := []batch.Item{{ID: 1, Provider: "campay", Operator: "MTN", Amount: 1000, State: batch.Planned}}
	for _, tc := range []struct {
		name   string
		errs   []error
		calls  int
		waits  int
		refusa string
	}{
		{"answers at once", nil, 1, 0, ""},
		{"answers the third time", []error{unavailable, unavailable}, 3, 2, ""},
		{"never answers: three times in all", []error{unavailable, unavailable, unavailable}, 3, 2, "balance of campay (asked up to 3 times)"},
		{"credentials refused: once", []error{refused}, 1, 0, "401"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := &fakeProvider{name: "campay", errs: tc.errs, balances: []providers.Balance{{Account: "MTN", Amount: 5000}}}
			clock := providerstest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
			needs, err := batch.CheckBalances(context.Background(), lanesOf(p), items, nil, clock)
			assert.Equal(t, tc.calls, p.calls, "calls")
			assert.Len(t, clock.Slept(), tc.waits, "waits on the clock, never on the wall")
			if tc.refusa != "" {
				assert.ErrorContains(t, err, tc.refusa)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []batch.Need{{Provider: "campay", Account: "MTN", Items: 1, Needed: 1000, Available: 5000}}, needs)
		})
	}
}

func TestHoldsKeepRowOrderPerAccount(t *testing.T) {
	t.Parallel()
	items := []batch.Item{
		{ID: 1, Provider: "campay", Operator: "MTN", Amount: 1000, State: batch.Planned},
		{ID: 2, Provider: "campay", Operator: "MTN", Amount: 1000, State: batch.Planned},
		{ID: 3, Provider: "campay", Operator: "MTN", Amount: 1500, State: batch.Planned},
		{ID: 4, Provider: "campay", Operator: "MTN", Amount: 500, State: batch.Planned}, // would fit, but comes after one that does not
		{ID: 5, Provider: "campay", Operator: "Orange", Amount: 5000, State: batch.Planned},
		{ID: 6, Provider: "camoo", Operator: "MTN", Amount: 5000, State: batch.Planned},
		{ID: 7, Provider: "camoo", Operator: "MTN", Amount: 4900, State: batch.Planned},
		{ID: 8, Provider: "campay", Operator: "MTN", Amount: 100, State: batch.Pending}, // not planned: never held
	}
	for _, tc := range []struct {
		name  string
		needs []batch.Need
		costs batch.Costs
		held  []int64
	}{
		{"nothing short", []batch.Need{{Provider: "campay", Account: "MTN", Available: 5000}, {Provider: "camoo", Available: 20000}}, nil, nil},
		{"MTN short: the rows beyond what it holds wait", []batch.Need{
			{Provider: "campay", Account: "MTN", Available: 3000, Shortfall: 1000},
			{Provider: "campay", Account: "Orange", Available: 100000},
			{Provider: "camoo", Available: 20000},
		}, nil, []int64{3, 4}},
		{"the fee on top decides what fits", []batch.Need{{Provider: "camoo", Available: 10000, Shortfall: 1}}, batch.Costs{"camoo": "2"}, []int64{7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var held []int64
			for id := range batch.Holds(items, tc.needs, tc.costs) {
				held = append(held, id)
			}
			assert.ElementsMatch(t, tc.held, held)
		})
	}
}

func TestBalancesOfEveryLane(t *testing.T) {
	t.Parallel()
	down := &providers.Error{Class: providers.ErrAuth, Provider: "camoo", Message: "401"}
	lanes := lanesOf(&fakeProvider{name: "campay", balances: []providers.Balance{{Account: "MTN", Amount: 1, Currency: "XAF"}, {Account: "Orange", Amount: 2}}},
		&fakeProvider{name: "camoo", errs: []error{down}}, notABalancer{name: "mycoolpay"})
	bals, err := batch.Balances(context.Background(), lanes, providerstest.NewClock(time.Now()))
	assert.ErrorIs(t, err, providers.ErrAuth)
	require.Len(t, bals, 3)
	assert.Equal(t, "camoo", bals[0].Provider, "in order of name")
	assert.ErrorIs(t, bals[0].Err, providers.ErrAuth)
	assert.Equal(t, batch.AccountBalance{Provider: "campay", Balance: providers.Balance{Account: "MTN", Amount: 1, Currency: "XAF"}}, bals[1])
	assert.Equal(t, "Orange", bals[2].Account)
}

// routeAll pays every row but those of Camtel (no provider pays them).
type routeAll struct{}

func (routeAll) Route(r batch.Row) ([]string, error) {
	if r.Operator == "Camtel" {
		return nil, &batch.RouteError{Column: "phone", Value: "+" + r.Phone, Reason: "no configured provider pays Camtel numbers"}
	}
	return []string{"campay"}, nil
}

func TestScreen(t *testing.T) {
	t.Parallel()
	rows := []batch.Row{
		{Row: 2, Phone: "237677000001", Operator: "MTN", Amount: 1000},
		{Row: 3, Phone: "237620000002", Operator: "Camtel", Amount: 2000},
		{Row: 4, Phone: "237677000003", Operator: "MTN", Amount: 600000},
		{Row: 5, Phone: "237677000004", Operator: "MTN", Amount: 3000},
	}
	read := batch.Tally{Rows: 5, Valid: 4, Invalid: 1, TotalAmount: 606000, Errors: []batch.RowError{{Row: 6, Column: "Montant", Message: "not an amount"}}}
	columns := func(f string) string { return map[string]string{"phone": "Téléphone", "amount": "Montant"}[f] }
	for _, tc := range []struct {
		name   string
		screen batch.Screen
		passed []int
		want   batch.Tally
	}{
		{"a row no provider pays is invalid, named as the sheet spells its column", batch.Screen{Router: routeAll{}}, []int{2, 4, 5},
			batch.Tally{Rows: 5, Valid: 3, Invalid: 2, TotalAmount: 604000, Errors: []batch.RowError{
				{Row: 3, Column: "Téléphone", Value: "+237620000002", Message: "no configured provider pays Camtel numbers"},
				{Row: 6, Column: "Montant", Message: "not an amount"}}}},
		{"a row above the per-row limit", batch.Screen{Router: routeAll{}, Limits: batch.Limits{MaxPerRow: 500000}}, []int{2, 5},
			batch.Tally{Rows: 5, Valid: 2, Invalid: 3, TotalAmount: 4000, Errors: []batch.RowError{
				{Row: 3, Column: "Téléphone", Value: "+237620000002", Message: "no configured provider pays Camtel numbers"},
				{Row: 4, Column: "Montant", Value: "600000", Message: "amount 600 000 is above the limit of 500 000 per row (limits.max_per_row): check the amount, or raise the limit in the config"},
				{Row: 6, Column: "Montant", Message: "not an amount"}}}},
		{"the batch above its limit and the expected total, about the whole sheet", batch.Screen{Router: routeAll{}, Limits: batch.Limits{MaxPerBatch: 600000}, ExpectTotal: 4000}, []int{2, 4, 5},
			batch.Tally{Rows: 5, Valid: 3, Invalid: 2, TotalAmount: 604000, Errors: []batch.RowError{
				{Column: "amount", Value: "604000", Message: "the batch total 604 000 is above the limit of 600 000 per batch (limits.max_per_batch): split the sheet, or raise the limit in the config"},
				{Column: "amount", Value: "604000", Message: "the valid rows add up to 604 000 but --expect-total says 4 000 (difference 600 000): check the sheet against the approved total"},
				{Row: 3, Column: "Téléphone", Value: "+237620000002", Message: "no configured provider pays Camtel numbers"},
				{Row: 6, Column: "Montant", Message: "not an amount"}}}},
		{"the expected total met", batch.Screen{Router: routeAll{}, ExpectTotal: 604000}, []int{2, 4, 5},
			batch.Tally{Rows: 5, Valid: 3, Invalid: 2, TotalAmount: 604000, Errors: []batch.RowError{
				{Row: 3, Column: "Téléphone", Value: "+237620000002", Message: "no configured provider pays Camtel numbers"},
				{Row: 6, Column: "Montant", Message: "not an amount"}}}},
		{"only the first errors kept, the rest counted", batch.Screen{Router: routeAll{}, Limits: batch.Limits{MaxPerRow: 1}, MaxErrors: 2}, nil,
			batch.Tally{Rows: 5, Valid: 0, Invalid: 5, TotalAmount: 0, MoreErrors: 3, Errors: []batch.RowError{
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
	rows := []batch.Row{{Row: 2, Amount: 100}, {Row: 3, Amount: 50}, {Row: 4, Amount: 70}}
	tl := batch.Tally{Rows: 3, Valid: 3, TotalAmount: 220, Errors: []batch.RowError{{Row: 9, Message: "x"}}}
	tl.Refuse(rows, []batch.RowError{{Row: 4, Column: "amount", Message: "charge too large"}, {Row: 3, Column: "amount", Message: "charge too large"}})
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
		assert.Equal(t, want, batch.Money(n), n)
	}
}

func TestLimitsValidate(t *testing.T) {
	t.Parallel()
	assert.NoError(t, batch.Limits{}.Validate())
	assert.NoError(t, batch.Limits{MaxPerRow: 1, MaxPerBatch: 2}.Validate())
	require.Error(t, batch.Limits{MaxPerRow: -1}.Validate())
	require.Error(t, batch.Limits{MaxPerBatch: -1}.Validate())
}

// fakeProvider pays nothing: it answers balances and status lookups from its fields.
type fakeProvider struct {
	name     string
	balances []providers.Balance
	errs     []error // Balances answers these errors first, one per call
	calls    int
	status   providers.Result
}

func (p *fakeProvider) Name() string { return p.name }

func (p *fakeProvider) Send(context.Context, providers.Payout) (providers.Result, error) {
	panic("a use-case test sent a payout")
}

func (p *fakeProvider) Check(context.Context, string) (providers.Result, error) { return p.status, nil }

func (p *fakeProvider) Balances(context.Context) ([]providers.Balance, error) {
	p.calls++
	if len(p.errs) > 0 {
		err := p.errs[0]
		p.errs = p.errs[1:]
		return nil, err
	}
	return p.balances, nil
}

// notABalancer is a provider that cannot tell its balance.
type notABalancer struct{ name string }

func (p notABalancer) Name() string { return p.name }
func (p notABalancer) Send(context.Context, providers.Payout) (providers.Result, error) {
	panic("a use-case test sent a payout")
}
func (p notABalancer) Check(context.Context, string) (providers.Result, error) {
	return providers.Result{}, nil
}

// markets is a provider with one balance per market (MoMo: each market its
// own target environment), which names the one that pays a payout.
type markets struct {
	fakeProvider
	envs map[string]string // country → account
}

func (m *markets) Account(p providers.Payout) string { return m.envs[p.Country] }

func TestEachMarketIsCheckedAgainstItsOwnBalance(t *testing.T) {
	t.Parallel()
	momo := func() *markets {
		return &markets{fakeProvider: fakeProvider{name: "momo", balances: []providers.Balance{
			{Account: "mtncameroon", Amount: 2500, Currency: "XAF"}, {Account: "mtnivorycoast", Amount: 100000, Currency: "XOF"}}},
			envs: map[string]string{"CM": "mtncameroon", "CI": "mtnivorycoast"}}
	}
	items := []batch.Item{
		{ID: 1, Row: 2, Provider: "momo", Country: "CM", Operator: "MTN", Amount: 1000, State: batch.Planned},
		{ID: 2, Row: 3, Provider: "momo", Country: "CI", Operator: "MTN", Amount: 5000, State: batch.Planned},
		{ID: 3, Row: 4, Provider: "momo", Country: "CM", Operator: "MTN", Amount: 2000, State: batch.Planned},
		{ID: 4, Row: 5, Provider: "momo", Country: "CI", Operator: "MTN", Amount: 7000, State: batch.Planned},
	}
	tests := []struct {
		name  string
		items []batch.Item
		want  []batch.Need
		held  []int64
	}{
		{"each market's items against its own account", items, []batch.Need{
			{Provider: "momo", Account: "mtncameroon", Items: 2, Needed: 3000, Available: 2500, Shortfall: 500},
			{Provider: "momo", Account: "mtnivorycoast", Items: 2, Needed: 12000, Available: 100000},
		}, []int64{3}},
		{"a market without items is not listed", items[:1], []batch.Need{
			{Provider: "momo", Account: "mtncameroon", Items: 1, Needed: 1000, Available: 2500},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lanes := lanesOf(momo())
			needs, err := batch.CheckBalances(context.Background(), lanes, tt.items, nil, providerstest.NewClock(time.Now()))
			require.NoError(t, err)
			assert.Equal(t, tt.want, needs)
			var held []int64
			for id := range batch.HoldsWith(tt.items, needs, nil, lanes) {
				held = append(held, id)
			}
			assert.ElementsMatch(t, tt.held, held, "the short market's rows beyond what it holds wait; the other pays")
		})
	}
}
