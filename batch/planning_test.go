package batch

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/providerstest"
)

var nov25 = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

func payroll(amounts ...int64) []Row {
	rows := make([]Row, len(amounts))
	for i, a := range amounts {
		rows[i] = Row{Row: i + 2, Name: fmt.Sprintf("B%d", i), Phone: fmt.Sprintf("23767700%04d", i), Country: "CM",
			Operator: "MTN", Mode: ModeMobileMoney, Amount: a}
	}
	return rows
}

func campayRoutes() Routes {
	return Routes{Rules: DefaultRules, Configured: map[string]bool{"campay": true}}
}

func TestPeriodOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ ref, path, want string }{
		{"paie-2026-11", "x.csv", "2026-11"},
		{"paie", "/data/payroll_2026_03.xlsx", "2026-03"},
		{"bonus 2027.01", "b.csv", "2027-01"},
		{"paie", "paie.csv", "2026-11"}, // neither says: this month
		{"paie-2026-13", "paie.csv", "2026-11"},
	} {
		assert.Equal(t, tc.want, PeriodOf(tc.ref, tc.path, nov25), "%s %s", tc.ref, tc.path)
	}
}

func TestPlanSheet(t *testing.T) {
	t.Parallel()
	rows := payroll(1000, 50, 2000)
	fees := Fees{Configs: []ProfitConfig{{Name: FeeMobileMoney, Fee: 100}}, Bearer: BearerBeneficiary}
	p := PlanSheet(PlanRequest{SheetPath: "/data/paie-2026-10.csv", Currency: "XAF", Rows: rows,
		Tally: Tally{Rows: 3, Valid: 3, TotalAmount: 3050}, Router: campayRoutes(), Fees: fees,
		Endpoint: SandboxEndpoint("http://127.0.0.1:8089"), By: "awa", Policy: Policy{RequireApproval: true}, Now: nov25})
	assert.Equal(t, "paie-2026-10", p.Batch.Reference, "the file's name")
	assert.Equal(t, "paie-2026-10.csv", p.Batch.SheetName)
	assert.Equal(t, "2026-10", p.Batch.Period, "from the reference")
	assert.True(t, p.Batch.Sandbox)
	assert.Equal(t, "awa", p.Batch.CreatedBy)
	assert.Equal(t, Policy{RequireApproval: true}, p.Batch.Policy)
	require.Len(t, p.Items, 2, "the beneficiary cannot bear a charge of 100 on 50")
	assert.Equal(t, int64(900), p.Items[0].PayAmount)
	assert.Equal(t, Tally{Rows: 3, Valid: 2, Invalid: 1, TotalAmount: 3000, Errors: []RowError{{Row: 3, Column: "amount", Value: "50",
		Message: "the charge of 100 is not below the amount: the beneficiary, who bears it, would receive nothing"}}}, p.Tally)
	assert.NotEqual(t, p.Items[0].Fingerprint, Fingerprint(rows[0], ""), "fingerprints carry the period")

	again := PlanSheet(PlanRequest{SheetPath: "paie.csv", Reference: "other", Period: "2026-12", Currency: "XAF", Rows: rows,
		Router: campayRoutes(), Now: nov25})
	assert.Equal(t, "other", again.Batch.Reference)
	assert.Equal(t, "2026-12", again.Batch.Period)
	assert.False(t, again.Batch.Sandbox)
	assert.NotEqual(t, p.Batch.PlanHash, again.Batch.PlanHash)
}

func TestSavePlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	plan := func(ref, by string, pol Policy, amounts ...int64) PlannedSheet {
		return PlanSheet(PlanRequest{SheetPath: ref + ".csv", Period: "2026-11", Currency: "XAF", Rows: payroll(amounts...),
			Router: campayRoutes(), By: by, Policy: pol, Now: nov25})
	}
	st := newMemStore()
	b, created, err := SavePlan(ctx, st, plan("paie", "awa", Policy{}, 1000, 2000), SaveRequest{Login: "awa"})
	require.NoError(t, err)
	assert.True(t, created)
	assert.NotZero(t, b.ID)

	// the same sheet again: found, its rules made stricter, its planner recorded when planning
	b2, created, err := SavePlan(ctx, st, plan("paie", "jean", Policy{RequireApproval: true}, 1000, 2000), SaveRequest{Planning: true, Login: "root"})
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, b.ID, b2.ID)
	assert.True(t, b2.Policy.RequireApproval)
	assert.Equal(t, []string{"jean login root"}, st.plans)
	_, _, err = SavePlan(ctx, st, plan("paie", "jean", Policy{FourEyes: true}, 1000, 2000), SaveRequest{Login: "root"})
	require.NoError(t, err)
	assert.Equal(t, Policy{RequireApproval: true, FourEyes: true}, st.policies[b.ID], "run records the rules, not a planner")
	assert.Len(t, st.plans, 1)

	// the same payroll under another reference: refused by policy, unless allowed
	_, _, err = SavePlan(ctx, st, plan("paie-bis", "awa", Policy{}, 1000, 2000), SaveRequest{})
	var re *RepeatError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, ErrRefused)
	assert.Len(t, re.Repeats, 2)
	assert.Contains(t, err.Error(), "2 row(s) of paie-bis.csv were already paid or planned for period 2026-11 in another batch:\n  row 2: +237677000000 1000 is already in batch paie (row 2, planned")
	assert.Contains(t, err.Error(), "pass --allow-repeat")
	_, created, err = SavePlan(ctx, st, plan("paie-bis", "awa", Policy{}, 1000, 2000), SaveRequest{AllowRepeat: true})
	require.NoError(t, err)
	assert.True(t, created)

	// the same reference over a changed sheet
	_, _, err = SavePlan(ctx, st, plan("paie", "awa", Policy{}, 1000, 2500), SaveRequest{})
	var ce *ChangedError
	require.ErrorAs(t, err, &ce)
	assert.NotErrorIs(t, err, ErrRefused)
	assert.Contains(t, err.Error(), "row 3: amount 2000 → 2500")
}

func TestRepeatErrorListsTenAtMost(t *testing.T) {
	t.Parallel()
	e := &RepeatError{Sheet: "s.csv", Period: "2026-11", Repeats: make([]Repeat, 13)}
	assert.Contains(t, e.Error(), "13 row(s) of s.csv")
	assert.Contains(t, e.Error(), "  ... and 3 more\n")
}

func TestPreviewStoresThePlanAndChecksTheBalances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	p := PlanSheet(PlanRequest{SheetPath: "paie.csv", Period: "2026-11", Currency: "XAF", Rows: payroll(1000, 2000),
		Router: campayRoutes(), By: "awa", Now: nov25})
	closed := false
	connect := func(context.Context) (*Connection, error) {
		return &Connection{Lanes: lanesOf(&fakeProvider{name: "campay", balances: []providers.Balance{{Account: "MTN", Amount: 2500}}}),
			Close: func() { closed = true }}, nil
	}
	needs, err := Preview(ctx, st, p, SaveRequest{Planning: true}, connect, providerstest.NewClock(nov25))
	require.NoError(t, err)
	assert.Equal(t, []Need{{Provider: "campay", Account: "MTN", Items: 2, Needed: 3000, Available: 2500, Shortfall: 500}}, needs)
	assert.True(t, closed)
	_, err = st.Batch(ctx, "paie")
	assert.NoError(t, err, "stored for approval")

	_, err = Preview(ctx, st, p, SaveRequest{}, func(context.Context) (*Connection, error) { return nil, errors.New("no credentials") }, nil)
	assert.ErrorContains(t, err, "no credentials")
}

func TestAuthorizeRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	four := Policy{RequireApproval: true, FourEyes: true}
	for _, tc := range []struct {
		name     string
		stored   Policy
		config   Policy
		approval Approval
		planners []string
		hash     string
		refusal  string
	}{
		{"no rule", Policy{}, Policy{}, Approval{}, nil, "h1", ""},
		{"stored rule, no config", four, Policy{}, Approval{}, []string{"awa"}, "h1", "is not approved"},
		{"the config makes it stricter", Policy{}, Policy{RequireApproval: true}, Approval{}, nil, "h1", "is not approved"},
		{"approved by another", four, Policy{}, Approval{By: "jean", Hash: "h1"}, []string{"awa"}, "h1", ""},
		{"changed since", four, Policy{}, Approval{By: "jean", Hash: "h0"}, []string{"awa"}, "h1", "changed since jean approved it"},
		{"self-approved under four eyes", Policy{RequireApproval: true}, Policy{FourEyes: true}, Approval{By: "awa", Hash: "h1"}, []string{"awa"}, "h1", "who also planned it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := newMemStore()
			b, _ := st.add(Batch{Reference: "paie", CreatedBy: "root", Policy: tc.stored, Approval: tc.approval})
			st.planners[b.ID] = tc.planners
			err := AuthorizeRun(ctx, st, b, tc.config, tc.hash)
			if tc.refusal == "" {
				assert.NoError(t, err)
				assert.Empty(t, st.notes)
				return
			}
			assert.ErrorContains(t, err, tc.refusal)
			assert.ErrorIs(t, err, ErrRefused, "refused by policy")
			require.Len(t, st.notes, 1)
			assert.Contains(t, st.notes[0], ": run refused: ")
		})
	}
	st := newMemStore()
	b, _ := st.add(Batch{Reference: "paie", Policy: four})
	st.failOn = "Planners"
	assert.ErrorIs(t, AuthorizeRun(ctx, st, b, Policy{}, "h"), errStore)
}

func TestApprove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	four := Policy{RequireApproval: true, FourEyes: true}
	for _, tc := range []struct {
		name    string
		stored  Policy
		config  Policy
		items   []Item
		by      string
		refusal string
		policy  bool // a refusal by policy (exit 6), not another error
	}{
		{"another person", four, Policy{}, []Item{{State: Planned}}, "jean", "", false},
		{"the planner under four eyes", four, Policy{}, []Item{{State: Planned}}, "AWA", "four_eyes needs an approver who did not plan it", true},
		{"four eyes from the config", Policy{RequireApproval: true}, Policy{FourEyes: true}, []Item{{State: Planned}}, "awa", "four_eyes", true},
		{"a batch already paying", four, Policy{}, []Item{{State: Succeeded, Attempts: 1}}, "jean", "already started paying", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := newMemStore()
			b, items := st.add(Batch{Reference: "paie", CreatedBy: "awa", Policy: tc.stored, PlanHash: "h1"}, tc.items...)
			ap, err := Approve(ctx, st, b, items, ApproveRequest{By: tc.by, Note: "signed summary", Login: "root", At: nov25, Config: tc.config})
			if tc.refusal != "" {
				assert.ErrorContains(t, err, tc.refusal)
				assert.Equal(t, tc.policy, errors.Is(err, ErrRefused))
				require.Len(t, st.notes, 1)
				assert.Contains(t, st.notes[0], ": approval refused: "+tc.by+": ")
				assert.Empty(t, st.approved)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, Approval{Hash: "h1", By: tc.by, At: nov25}, ap)
			assert.Equal(t, ap, st.approved[b.ID])
			assert.Equal(t, []string{fmt.Sprintf("%d: approved by %s: signed summary (login root)", b.ID, tc.by)}, st.notes)
		})
	}
	st := newMemStore()
	b, items := st.add(Batch{Reference: "paie", CreatedBy: "awa", PlanHash: "h1"}, Item{State: Planned})
	_, err := Approve(ctx, st, b, items, ApproveRequest{By: "awa", Login: "awa", At: nov25, Config: Policy{RequireApproval: true}})
	require.NoError(t, err)
	assert.Equal(t, Policy{RequireApproval: true}, st.policies[b.ID], "the config's rules are kept with the batch")
	assert.Equal(t, fmt.Sprintf("%d: approved by awa: ", b.ID), st.notes[0], "the login is noted only when it is not the approver")
}
