package batch

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChargeRoundsHalfUp(t *testing.T) {
	t.Parallel()
	pct := func(p string) Fees {
		return Fees{Configs: []ProfitConfig{{Name: FeeMobileMoney, UsePercentage: true, Percentage: p}}}
	}
	cases := []struct {
		name   string
		fees   Fees
		amount int64
		want   int64
	}{
		{"1.5% of 1100 is 16.5: up", pct("1.5"), 1100, 17},
		{"1.5% of 1033 is 15.495: down", pct("1.5"), 1033, 15},
		{"1.5% of 1000 is 15", pct("1.5"), 1000, 15},
		{"half exactly: 0.5% of 100 is 0.5", pct("0.5"), 100, 1},
		{"just below half: 0.5% of 99 is 0.495", pct("0.5"), 99, 0},
		{"tiny amount", pct("1.5"), 1, 0},
		{"tiny amount at the half: 50% of 1", pct("50"), 1, 1},
		{"2% of 150000", pct("2"), 150000, 3000},
		{"0.25% of 1234567 is 3086.4175", pct("0.25"), 1234567, 3086},
		{"trailing zeros", pct("1.50"), 1100, 17},
		{"zero percent", pct("0"), 5000, 0},
		{"fixed", Fees{Configs: []ProfitConfig{{Name: FeeMobileMoney, Fee: 250}}}, 5000, 250},
		{"no configuration for the mode", Fees{Configs: []ProfitConfig{{Name: FeeCashout, Fee: 250}}}, 5000, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.fees.Charge(ModeMobileMoney, tc.amount)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestChargePerMode(t *testing.T) {
	t.Parallel()
	f := Fees{Configs: []ProfitConfig{
		{Name: FeeMobileMoney, UsePercentage: true, Percentage: "1.5"},
		{Name: FeeCashout, Fee: 250},
		{Name: FeeBankTransfer, UsePercentage: true, Percentage: "0.5"},
	}}
	for mode, want := range map[string]int64{ModeMobileMoney: 150, ModeCashout: 250, ModeBankTransfer: 50} {
		got, err := f.Charge(mode, 10000)
		require.NoError(t, err)
		assert.Equal(t, want, got, mode)
	}
}

func TestBearers(t *testing.T) {
	t.Parallel()
	sender := Fees{Bearer: BearerSender}
	assert.Equal(t, int64(1000), sender.Payout(1000, 15))
	assert.Equal(t, int64(1015), sender.Cost(1000, 15))
	bene := Fees{Bearer: BearerBeneficiary}
	assert.Equal(t, int64(985), bene.Payout(1000, 15))
	assert.Equal(t, int64(1000), bene.Cost(1000, 15))
	def := Fees{}
	assert.Equal(t, int64(1000), def.Payout(1000, 15), "the sender bears the charge by default")
}

func TestFeesValidate(t *testing.T) {
	t.Parallel()
	assert.NoError(t, Fees{Configs: []ProfitConfig{{Name: FeeMobileMoney, UsePercentage: true, Percentage: "1.5"}}}.Validate())
	for _, bad := range []Fees{
		{Configs: []ProfitConfig{{Name: "tip", Fee: 1}}},
		{Configs: []ProfitConfig{{Name: FeeCashout, Fee: -1}}},
		{Configs: []ProfitConfig{{Name: FeeMobileMoney, UsePercentage: true, Percentage: "1,5"}}},
		{Configs: []ProfitConfig{{Name: FeeMobileMoney, UsePercentage: true, Percentage: "1e2"}}},
		{Configs: []ProfitConfig{{Name: FeeMobileMoney, UsePercentage: true, Percentage: "150"}}},
		{Bearer: "employer"},
	} {
		assert.Error(t, bad.Validate(), "%+v", bad)
	}
}

func TestFeesWithReplacesOrAdds(t *testing.T) {
	t.Parallel()
	mm := ProfitConfig{Name: FeeMobileMoney, Fee: 100}
	pct := ProfitConfig{Name: FeeMobileMoney, Percentage: "1.5", UsePercentage: true}
	cash := ProfitConfig{Name: FeeCashout, Fee: 250}
	for _, tc := range []struct {
		name string
		in   Fees
		c    ProfitConfig
		want Fees
	}{
		{"added to none", Fees{Bearer: BearerSender}, mm, Fees{Bearer: BearerSender, Configs: []ProfitConfig{mm}}},
		{"replaces the same name", Fees{Configs: []ProfitConfig{mm, cash}}, pct, Fees{Configs: []ProfitConfig{pct, cash}}},
		{"added beside others", Fees{Configs: []ProfitConfig{cash}}, mm, Fees{Configs: []ProfitConfig{cash, mm}}},
	} {
		got := tc.in.With(tc.c)
		assert.Equal(t, tc.want, got, tc.name)
		charge, err := got.Charge(ModeMobileMoney, 1100)
		require.NoError(t, err)
		want, err := tc.want.Charge(ModeMobileMoney, 1100)
		require.NoError(t, err)
		assert.Equal(t, want, charge, tc.name)
	}
	in := Fees{Configs: []ProfitConfig{mm}}
	_ = in.With(pct)
	assert.Equal(t, Fees{Configs: []ProfitConfig{mm}}, in, "the original is left as it was")
}
