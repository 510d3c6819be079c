package batch_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"bulkpay/providers"
	"bulkpay/providers/providerstest"
)

var nov25 = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

func payroll(amounts ...int64) []batch.Row {
	rows := make([]batch.Row, len(amounts))
	for i, a := range amounts {
		rows[i] = batch.Row{Row: i + 2, Name: fmt.Sprintf("B%d", i), Phone: fmt.Sprintf("23767700%04d", i), Country: "CM",
			Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: a}
	}
	return rows
}

func campayRoutes() batch.Routes {
	return batch.Routes{Rules: batch.DefaultRules, Configured: map[string]bool{"campay": true}}
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
		assert.Equal(t, tc.want, batch.PeriodOf(tc.ref, tc.path, nov25), "%s %s", tc.ref, tc.path)
	}
}

func TestPlanSheet(t *testing.T) {
	t.Parallel()
	rows := payroll(1000, 50, 2000)
	fees := batch.Fees{Configs: []batch.ProfitConfig{{Name: batch.FeeMobileMoney, Fee: 100}}, Bearer: batch.BearerBeneficiary}
	p := batch.PlanSheet(batch.PlanRequest{SheetPath: "/data/paie-2026-10.csv", Currency: "XAF", Rows: rows,
		Tally: batch.Tally{Rows: 3, Valid: 3, TotalAmount: 3050}, Router: campayRoutes(), Fees: fees,
		Endpoint: batch.SandboxEndpoint("http://127.0.0.1:8089"), By: "awa", Policy: batch.Policy{RequireApproval: true}, Now: nov25})
	assert.Equal(t, "paie-2026-10", p.Batch.Reference, "the file's name")
	assert.Equal(t, "paie-2026-10.csv", p.Batch.SheetName)
	assert.Equal(t, "2026-10", p.Batch.Period, "from the reference")
	assert.True(t, p.Batch.Sandbox)
	assert.Equal(t, "awa", p.Batch.CreatedBy)
	assert.Equal(t, batch.Policy{RequireApproval: true}, p.Batch.Policy)
	require.Len(t, p.Items, 2, "the beneficiary cannot bear a charge of 100 on 50")
	assert.Equal(t, int64(900), p.Items[0].PayAmount)
	assert.Equal(t, batch.Tally{Rows: 3, Valid: 2, Invalid: 1, TotalAmount: 3000, Errors: []batch.RowError{{Row: 3, Column: "amount", Value: "50",
		Message: "the charge of 100 is not below the amount: the beneficiary, who bears it, would receive nothing"}}}, p.Tally)
	assert.NotEqual(t, p.Items[0].Fingerprint, batch.Fingerprint(rows[0], ""), "fingerprints carry the period")

	again := batch.PlanSheet(batch.PlanRequest{SheetPath: "paie.csv", Reference: "other", Period: "2026-12", Currency: "XAF", Rows: rows,
		Router: campayRoutes(), Now: nov25})
	assert.Equal(t, "other", again.Batch.Reference)
	assert.Equal(t, "2026-12", again.Batch.Period)
	assert.False(t, again.Batch.Sandbox)
	assert.NotEqual(t, p.Batch.PlanHash, again.Batch.PlanHash)
}

func TestSavePlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	plan := func(ref, by string, pol batch.Policy, amounts ...int64) batch.PlannedSheet {
		return batch.PlanSheet(batch.PlanRequest{SheetPath: ref + ".csv", Period: "2026-11", Currency: "XAF", Rows: payroll(amounts...),
			Router: campayRoutes(), By: by, Policy: pol, Now: nov25})
	}
	st := batchtest.NewMemory()
	// plannedAgain lists who planned batch paie again, with what was recorded.
	plannedAgain := func() []string {
		var out []string
		for _, e := range batchEvents(t, st, stored(t, st, "paie").ID) {
			if e.Cause == batch.CausePlannedAgain {
				out = append(out, e.Actor+": "+e.Detail)
			}
		}
		return out
	}
	b, created, err := batch.SavePlan(ctx, st, plan("paie", "awa", batch.Policy{}, 1000, 2000), batch.SaveRequest{Login: "awa"})
	require.NoError(t, err)
	assert.True(t, created)
	assert.NotZero(t, b.ID)

	// the same sheet again: found, its rules made stricter, its planner recorded when planning
	b2, created, err := batch.SavePlan(ctx, st, plan("paie", "jean", batch.Policy{RequireApproval: true}, 1000, 2000), batch.SaveRequest{Planning: true, Login: "root"})
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, b.ID, b2.ID)
	assert.True(t, b2.Policy.RequireApproval)
	require.Len(t, plannedAgain(), 1)
	assert.Regexp(t, `^jean: by jean; .*; login root$`, plannedAgain()[0])
	_, _, err = batch.SavePlan(ctx, st, plan("paie", "jean", batch.Policy{FourEyes: true}, 1000, 2000), batch.SaveRequest{Login: "root"})
	require.NoError(t, err)
	assert.Equal(t, batch.Policy{RequireApproval: true, FourEyes: true}, stored(t, st, "paie").Policy, "run records the rules, not a planner")
	assert.Len(t, plannedAgain(), 1)

	// the same payroll under another reference: refused by policy, unless allowed
	_, _, err = batch.SavePlan(ctx, st, plan("paie-bis", "awa", batch.Policy{}, 1000, 2000), batch.SaveRequest{})
	var re *batch.RepeatError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, batch.ErrRefused)
	assert.Len(t, re.Repeats, 2)
	assert.Contains(t, err.Error(), "2 row(s) of paie-bis.csv were already paid or planned for period 2026-11 in another batch:\n  row 2: +237677000000 1000 is already in batch paie (row 2, planned")
	assert.Contains(t, err.Error(), "pass --allow-repeat")
	_, created, err = batch.SavePlan(ctx, st, plan("paie-bis", "awa", batch.Policy{}, 1000, 2000), batch.SaveRequest{AllowRepeat: true})
	require.NoError(t, err)
	assert.True(t, created)

	// the same reference over a changed sheet
	_, _, err = batch.SavePlan(ctx, st, plan("paie", "awa", batch.Policy{}, 1000, 2500), batch.SaveRequest{})
	var ce *batch.ChangedError
	require.ErrorAs(t, err, &ce)
	assert.NotErrorIs(t, err, batch.ErrRefused)
	assert.Contains(t, err.Error(), "row 3: amount 2000 → 2500")
}

func TestRepeatErrorListsTenAtMost(t *testing.T) {
	t.Parallel()
	e := &batch.RepeatError{Sheet: "s.csv", Period: "2026-11", Repeats: make([]batch.Repeat, 13)}
	assert.Contains(t, e.Error(), "13 row(s) of s.csv")
	assert.Contains(t, e.Error(), "  ... and 3 more\n")
}

func TestPreviewStoresThePlanAndChecksTheBalances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := batchtest.NewMemory()
	p := batch.PlanSheet(batch.PlanRequest{SheetPath: "paie.csv", Period: "2026-11", Currency: "XAF", Rows: payroll(1000, 2000),
		Router: campayRoutes(), By: "awa", Now: nov25})
	closed := false
	connect := func(context.Context) (*batch.Connection, error) {
		return &batch.Connection{Lanes: lanesOf(&fakeProvider{name: "campay", balances: []providers.Balance{{Account: "MTN", Amount: 2500}}}),
			Close: func() { closed = true }}, nil
	}
	needs, err := batch.Preview(ctx, st, p, batch.SaveRequest{Planning: true}, connect, providerstest.NewClock(nov25))
	require.NoError(t, err)
	assert.Equal(t, []batch.Need{{Provider: "campay", Account: "MTN", Items: 2, Needed: 3000, Available: 2500, Shortfall: 500}}, needs)
	assert.True(t, closed)
	_, err = st.Batch(ctx, "paie")
	assert.NoError(t, err, "stored for approval")

	_, err = batch.Preview(ctx, st, p, batch.SaveRequest{}, func(context.Context) (*batch.Connection, error) { return nil, errors.New("no credentials") }, nil)
	assert.ErrorContains(t, err, "no credentials")
}

func TestAuthorizeRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	four := batch.Policy{RequireApproval: true, FourEyes: true}
	for _, tc := range []struct {
		name     string
		stored   batch.Policy
		config   batch.Policy
		approval batch.Approval
		planners []string
		hash     string
		refusal  string
	}{
		{"no rule", batch.Policy{}, batch.Policy{}, batch.Approval{}, nil, "h1", ""},
		{"stored rule, no config", four, batch.Policy{}, batch.Approval{}, []string{"awa"}, "h1", "is not approved"},
		{"the config makes it stricter", batch.Policy{}, batch.Policy{RequireApproval: true}, batch.Approval{}, nil, "h1", "is not approved"},
		{"approved by another", four, batch.Policy{}, batch.Approval{By: "jean", Hash: "h1"}, []string{"awa"}, "h1", ""},
		{"changed since", four, batch.Policy{}, batch.Approval{By: "jean", Hash: "h0"}, []string{"awa"}, "h1", "changed since jean approved it"},
		{"self-approved under four eyes", batch.Policy{RequireApproval: true}, batch.Policy{FourEyes: true}, batch.Approval{By: "awa", Hash: "h1"}, []string{"awa"}, "h1", "who also planned it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := batchtest.NewMemory()
			b, _ := seed(t, st, batch.Batch{Reference: "paie", CreatedBy: "root", Policy: tc.stored})
			for _, by := range tc.planners {
				require.NoError(t, st.RecordPlan(ctx, b.ID, by, tc.hash, "", batch.Policy{}))
			}
			if tc.approval != (batch.Approval{}) {
				require.NoError(t, st.Approve(ctx, b.ID, tc.approval, ""))
			}
			b = stored(t, st, "paie")
			before := len(notes(t, st, b.ID))
			err := batch.AuthorizeRun(ctx, st, b, tc.config, tc.hash)
			noted := notes(t, st, b.ID)[before:]
			if tc.refusal == "" {
				assert.NoError(t, err)
				assert.Empty(t, noted)
				return
			}
			assert.ErrorContains(t, err, tc.refusal)
			assert.ErrorIs(t, err, batch.ErrRefused, "refused by policy")
			require.Len(t, noted, 1)
			assert.True(t, strings.HasPrefix(noted[0], "run refused: "), noted[0])
		})
	}
	st := batchtest.NewMemory()
	b, _ := seed(t, st, batch.Batch{Reference: "paie", Policy: four})
	st.Fail("Planners", errStore)
	assert.ErrorIs(t, batch.AuthorizeRun(ctx, st, b, batch.Policy{}, "h"), errStore)
}

func TestApprove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	four := batch.Policy{RequireApproval: true, FourEyes: true}
	for _, tc := range []struct {
		name    string
		stored  batch.Policy
		config  batch.Policy
		items   []batch.Item
		by      string
		refusal string
		policy  bool // a refusal by policy (exit 6), not another error
	}{
		{"another person", four, batch.Policy{}, []batch.Item{{State: batch.Planned}}, "jean", "", false},
		{"the planner under four eyes", four, batch.Policy{}, []batch.Item{{State: batch.Planned}}, "AWA", "four_eyes needs an approver who did not plan it", true},
		{"four eyes from the config", batch.Policy{RequireApproval: true}, batch.Policy{FourEyes: true}, []batch.Item{{State: batch.Planned}}, "awa", "four_eyes", true},
		{"a batch already paying", four, batch.Policy{}, []batch.Item{{State: batch.Succeeded, Attempts: 1}}, "jean", "already started paying", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := batchtest.NewMemory()
			b, items := seed(t, st, batch.Batch{Reference: "paie", CreatedBy: "awa", Policy: tc.stored, PlanHash: "h1"}, tc.items...)
			ap, err := batch.Approve(ctx, st, b, items, batch.ApproveRequest{By: tc.by, Note: "signed summary", Login: "root", At: nov25, Config: tc.config})
			if tc.refusal != "" {
				assert.ErrorContains(t, err, tc.refusal)
				assert.Equal(t, tc.policy, errors.Is(err, batch.ErrRefused))
				noted := notes(t, st, b.ID)
				require.Len(t, noted, 1)
				assert.True(t, strings.HasPrefix(noted[0], "approval refused: "+tc.by+": "), noted[0])
				assert.Zero(t, stored(t, st, "paie").Approval)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, batch.Approval{Hash: "h1", By: tc.by, At: nov25}, ap)
			assert.Equal(t, ap, stored(t, st, "paie").Approval)
			assert.Equal(t, []string{"approved by " + tc.by + ": plan hash h1; signed summary (login root)"}, notes(t, st, b.ID))
		})
	}
	st := batchtest.NewMemory()
	b, items := seed(t, st, batch.Batch{Reference: "paie", CreatedBy: "awa", PlanHash: "h1"}, batch.Item{State: batch.Planned})
	_, err := batch.Approve(ctx, st, b, items, batch.ApproveRequest{By: "awa", Login: "awa", At: nov25, Config: batch.Policy{RequireApproval: true}})
	require.NoError(t, err)
	assert.Equal(t, batch.Policy{RequireApproval: true}, stored(t, st, "paie").Policy, "the config's rules are kept with the batch")
	assert.Equal(t, []string{"approved by awa: plan hash h1"}, notes(t, st, b.ID), "the login is noted only when it is not the approver")
}
