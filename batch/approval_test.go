package batch_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/batch"
)

func TestPolicyOrIsTheStricter(t *testing.T) {
	t.Parallel()
	none, req, four := batch.Policy{}, batch.Policy{RequireApproval: true}, batch.Policy{FourEyes: true}
	assert.Equal(t, none, none.Or(none))
	assert.Equal(t, req, none.Or(req), "a command without the config keeps the stored rule")
	assert.Equal(t, batch.Policy{RequireApproval: true, FourEyes: true}, req.Or(four))
	assert.Equal(t, "require_approval, four_eyes", req.Or(four).String())
}

func TestPlannersAreTheCreatorAndEveryLaterPlannerOnce(t *testing.T) {
	t.Parallel()
	b := batch.Batch{CreatedBy: "root"}
	assert.Equal(t, []string{"root", "awa"}, batch.Planners(b, []string{"root", "awa", " Awa ", ""}))
	assert.Empty(t, batch.Planners(batch.Batch{}, nil))
}

func TestCheckApprove(t *testing.T) {
	t.Parallel()
	b := batch.Batch{Reference: "paie"}
	fresh := []batch.Item{{State: batch.Planned}, {State: batch.Planned}}
	sent := []batch.Item{{State: batch.Planned, Attempts: 1}, {State: batch.Planned}}
	paid := []batch.Item{{State: batch.Succeeded, Attempts: 1}}
	inReview := []batch.Item{{State: batch.Review, Attempts: 1}, {State: batch.Planned}}
	four := batch.Policy{RequireApproval: true, FourEyes: true}
	for _, tc := range []struct {
		name     string
		items    []batch.Item
		pol      batch.Policy
		planners []string
		by       string
		refusal  string // "" when accepted
	}{
		{"another person", fresh, four, []string{"awa"}, "jean", ""},
		{"no approver named", fresh, four, []string{"awa"}, " ", "--by NAME"},
		{"the planner approves", fresh, four, []string{"awa"}, "awa", "four_eyes needs an approver who did not plan it"},
		{"the planner under another case", fresh, four, []string{"awa"}, "AWA", "four_eyes"},
		// the README's order: run (planned as the login name), then plan --by awa
		{"a later planner approves", fresh, four, []string{"root", "awa"}, "awa", "planned by awa, root"},
		{"the first planner approves", fresh, four, []string{"root", "awa"}, "root", "four_eyes"},
		{"no planner recorded", fresh, four, nil, "jean", "no recorded planner"},
		{"self-approval without four eyes", fresh, batch.Policy{RequireApproval: true}, []string{"awa"}, "awa", ""},
		{"already paid", paid, four, []string{"awa"}, "jean", "already started paying"},
		{"partly sent", sent, four, []string{"awa"}, "jean", "already started paying"},
		{"in review", inReview, batch.Policy{}, []string{"awa"}, "jean", "already started paying"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := batch.CheckApprove(b, tc.items, tc.pol, tc.planners, tc.by)
			if tc.refusal == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.refusal)
		})
	}
}

func TestCheckRun(t *testing.T) {
	t.Parallel()
	approved := func(by, hash string) batch.Batch {
		return batch.Batch{Reference: "paie", Approval: batch.Approval{By: by, Hash: hash}}
	}
	four := batch.Policy{RequireApproval: true, FourEyes: true}
	for _, tc := range []struct {
		name     string
		b        batch.Batch
		pol      batch.Policy
		planners []string
		hash     string
		refusal  string
	}{
		{"no rule", batch.Batch{Reference: "paie"}, batch.Policy{}, []string{"awa"}, "h1", ""},
		{"four eyes alone does not require an approval", batch.Batch{Reference: "paie"}, batch.Policy{FourEyes: true}, []string{"awa"}, "h1", ""},
		{"not approved", batch.Batch{Reference: "paie"}, four, []string{"awa"}, "h1", "is not approved"},
		{"approved by another", approved("jean", "h1"), four, []string{"awa"}, "h1", ""},
		{"plan changed since", approved("jean", "h0"), four, []string{"awa"}, "h1", "changed since jean approved it"},
		{"approver planned it later", approved("jean", "h1"), four, []string{"awa", "Jean"}, "h1", "who also planned it"},
		{"self-approval under require_approval alone", approved("awa", "h1"), batch.Policy{RequireApproval: true}, []string{"awa"}, "h1", ""},
		{"no planner recorded", approved("jean", "h1"), four, nil, "h1", "no recorded planner"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := batch.CheckRun(tc.b, tc.pol, tc.planners, tc.hash)
			if tc.refusal == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.refusal)
		})
	}
}
