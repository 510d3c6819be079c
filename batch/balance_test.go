package batch

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/providerstest"
)

func TestCostsOf(t *testing.T) {
	t.Parallel()
	costs := Costs{"camoo": "2", "mycoolpay": "1.5", "bad": "2%"}
	for _, tc := range []struct {
		name string
		it   Item
		want int64
	}{
		{"no fee on top", Item{Provider: "campay", Amount: 10000}, 10000},
		{"2% on top", Item{Provider: "camoo", Amount: 10000}, 10200},
		{"rounded down to the franc", Item{Provider: "camoo", Amount: 1049}, 1049 + 20},
		{"an exact decimal percentage", Item{Provider: "mycoolpay", Amount: 1001}, 1001 + 15},
		{"what is sent, not the amount, when the beneficiary bears the charge", Item{Provider: "camoo", Amount: 10000, PayAmount: 9900}, 9900 + 198},
		{"a percentage the config refuses draws the amount alone", Item{Provider: "bad", Amount: 10000}, 10000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, costs.Of(tc.it))
		})
	}
	assert.NoError(t, Costs{"camoo": "2", "x": ""}.Validate())
	assert.ErrorContains(t, Costs{"camoo": "2%"}.Validate(), "camoo fee_percent")
	assert.ErrorContains(t, Costs{"camoo": "101"}.Validate(), "not between 0 and 100")
}

func lanesOf(ps ...Provider) map[string]Lane {
	out := map[string]Lane{}
	for _, p := range ps {
		out[p.Name()] = Lane{Provider: p}
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
	items := []Item{
		{ID: 1, Provider: "campay", Operator: "MTN", Amount: 1000, State: Planned},
		{ID: 2, Provider: "campay", Operator: "MTN", Amount: 1000, State: Planned},
		{ID: 3, Provider: "campay", Operator: "MTN", Amount: 1500, State: Planned},
		{ID: 4, Provider: "campay", Operator: "Orange", Amount: 5000, State: Planned},
		{ID: 5, Provider: "campay", Operator: "MTN", Amount: 9000, State: Succeeded}, // paid: not needed again
		{ID: 6, Provider: "camoo", Operator: "MTN", Amount: 9900, State: Planned},
	}
	for _, tc := range []struct {
		name  string
		lanes map[string]Lane
		costs Costs
		want  []Need
	}{
		{"per carrier for CamPay, one balance for Camoo", lanesOf(campay(), camoo()), nil, []Need{
			{Provider: "camoo", Items: 1, Needed: 9900, Available: 10000},
			{Provider: "campay", Account: "MTN", Items: 3, Needed: 3500, Available: 3000, Shortfall: 500},
			{Provider: "campay", Account: "Orange", Items: 1, Needed: 5000, Available: 50000},
		}},
		{"the fee drawn on top counts", lanesOf(campay(), camoo()), Costs{"camoo": "2"}, []Need{
			{Provider: "camoo", Items: 1, Needed: 10098, Available: 10000, Shortfall: 98},
			{Provider: "campay", Account: "MTN", Items: 3, Needed: 3500, Available: 3000, Shortfall: 500},
			{Provider: "campay", Account: "Orange", Items: 1, Needed: 5000, Available: 50000},
		}},
		{"a provider that cannot tell holds nothing", lanesOf(campay(), notABalancer{name: "camoo"}), nil, []Need{
			{Provider: "camoo", Items: 1, Needed: 9900, Shortfall: 9900},
			{Provider: "campay", Account: "MTN", Items: 3, Needed: 3500, Available: 3000, Shortfall: 500},
			{Provider: "campay", Account: "Orange", Items: 1, Needed: 5000, Available: 50000},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			needs, err := CheckBalances(context.Background(), tc.lanes, items, tc.costs, providerstest.NewClock(time.Now()))
			require.NoError(t, err)
			assert.Equal(t, tc.want, needs)
			assert.Equal(t, true, Short(needs))
		})
	}
	needs, err := CheckBalances(context.Background(), lanesOf(campay()), items[3:5], nil, nil)
	require.NoError(t, err)
	assert.False(t, Short(needs))
}

// A balance that does not come is asked again as the call stack's retry
// decision says, waiting on the clock; credentials refused are not asked again.
func TestCheckBalancesAsksAgain(t *testing.T) {
	t.Parallel()
	unavailable := &providers.Error{Class: providers.ErrTransient, Provider: "campay", Op: "balance", Message: "503"}
	refused := &providers.Error{Class: providers.ErrAuth, Provider: "campay", Op: "balance", Message: "401"}
	items := []Item{{ID: 1, Provider: "campay", Operator: "MTN", Amount: 1000, State: Planned}}
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
			needs, err := CheckBalances(context.Background(), lanesOf(p), items, nil, clock)
			assert.Equal(t, tc.calls, p.calls, "calls")
			assert.Len(t, clock.Slept(), tc.waits, "waits on the clock, never on the wall")
			if tc.refusa != "" {
				assert.ErrorContains(t, err, tc.refusa)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []Need{{Provider: "campay", Account: "MTN", Items: 1, Needed: 1000, Available: 5000}}, needs)
		})
	}
}

func TestHoldsKeepRowOrderPerAccount(t *testing.T) {
	t.Parallel()
	items := []Item{
		{ID: 1, Provider: "campay", Operator: "MTN", Amount: 1000, State: Planned},
		{ID: 2, Provider: "campay", Operator: "MTN", Amount: 1000, State: Planned},
		{ID: 3, Provider: "campay", Operator: "MTN", Amount: 1500, State: Planned},
		{ID: 4, Provider: "campay", Operator: "MTN", Amount: 500, State: Planned}, // would fit, but comes after one that does not
		{ID: 5, Provider: "campay", Operator: "Orange", Amount: 5000, State: Planned},
		{ID: 6, Provider: "camoo", Operator: "MTN", Amount: 5000, State: Planned},
		{ID: 7, Provider: "camoo", Operator: "MTN", Amount: 4900, State: Planned},
		{ID: 8, Provider: "campay", Operator: "MTN", Amount: 100, State: Pending}, // not planned: never held
	}
	for _, tc := range []struct {
		name  string
		needs []Need
		costs Costs
		held  []int64
	}{
		{"nothing short", []Need{{Provider: "campay", Account: "MTN", Available: 5000}, {Provider: "camoo", Available: 20000}}, nil, nil},
		{"MTN short: the rows beyond what it holds wait", []Need{
			{Provider: "campay", Account: "MTN", Available: 3000, Shortfall: 1000},
			{Provider: "campay", Account: "Orange", Available: 100000},
			{Provider: "camoo", Available: 20000},
		}, nil, []int64{3, 4}},
		{"the fee on top decides what fits", []Need{{Provider: "camoo", Available: 10000, Shortfall: 1}}, Costs{"camoo": "2"}, []int64{7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var held []int64
			for id := range Holds(items, tc.needs, tc.costs) {
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
	bals, err := Balances(context.Background(), lanes, providerstest.NewClock(time.Now()))
	assert.ErrorIs(t, err, providers.ErrAuth)
	require.Len(t, bals, 3)
	assert.Equal(t, "camoo", bals[0].Provider, "in order of name")
	assert.ErrorIs(t, bals[0].Err, providers.ErrAuth)
	assert.Equal(t, AccountBalance{Provider: "campay", Balance: providers.Balance{Account: "MTN", Amount: 1, Currency: "XAF"}}, bals[1])
	assert.Equal(t, "Orange", bals[2].Account)
}
