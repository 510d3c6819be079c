package batch

// Tests of the use cases that read and amend a batch after its run: load, list,
// status, report, review, resolve and retry.

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadListStatusAndReport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	b, items := st.add(Batch{Reference: "paie"},
		Item{Row: 2, Amount: 1000, State: Succeeded},
		Item{Row: 3, Amount: 2000, State: Failed, Message: "refused"},
		Item{Row: 4, Amount: 500, State: Review},
		Item{Row: 5, Amount: 700, State: Unknown})
	r, _ := st.add(Batch{Reference: "paie-retry-1", ParentID: b.ID}, Item{Row: 3, Amount: 2000, State: Succeeded, RetryOf: items[1].ID})
	st.attempts[items[2].ID] = []Attempt{{ID: 1}}
	st.attempts[items[3].ID] = []Attempt{{ID: 2}, {ID: 3}}
	st.attempts[items[0].ID] = []Attempt{{ID: 4}}
	st.recs[b.ID] = Reconciliation{At: nov25, Mismatches: []Mismatch{{Row: 2, Kind: "fee"}}}

	for _, key := range []string{"paie", "1"} {
		lb, litems, err := Load(ctx, st, key)
		require.NoError(t, err, key)
		assert.Equal(t, b.ID, lb.ID)
		assert.Len(t, litems, 4)
	}
	_, _, err := Load(ctx, st, "nope")
	assert.ErrorIs(t, err, ErrBatchNotFound)

	sums, err := List(ctx, st)
	require.NoError(t, err)
	require.Len(t, sums, 2)
	assert.Equal(t, r.ID, sums[0].Batch.ID, "newest first")
	assert.Equal(t, int64(4200), sums[1].TotalAmount)
	assert.Equal(t, int64(1000), sums[1].SucceededAmount)

	s, err := Status(ctx, st, b)
	require.NoError(t, err)
	assert.Equal(t, 1, s.Summary.Counts[Failed])
	assert.Equal(t, "retried in paie-retry-1 (succeeded)", s.Retries.Note(items[1].ID))
	assert.Equal(t, nov25, s.Reconciliation.At)
	g, err := Glance(ctx, st, b)
	require.NoError(t, err)
	assert.Equal(t, s.Summary, g.Summary)
	assert.Equal(t, s.Retries, g.Retries)
	assert.Equal(t, s.Reconciliation, g.Reconciliation)

	d, err := Report(ctx, st, b)
	require.NoError(t, err)
	var each []Item
	require.NoError(t, d.Each(func(it Item) error { each = append(each, it); return nil }))
	require.Len(t, each, len(items))
	assert.Equal(t, "retried in paie-retry-1 (succeeded); refused", each[1].Message, "a failed item says where it went")
	var failed []Item
	require.NoError(t, d.Each(func(it Item) error { failed = append(failed, it); return nil }, Failed))
	require.Len(t, failed, 1, "only the items in the states asked for")
	assert.Equal(t, each[1], failed[0])
	atts, err := d.Attempts(items[3].ID)
	require.NoError(t, err)
	assert.Len(t, atts, 2)
	assert.Len(t, d.Reconciliation.Mismatches, 1)

	st.failOn = "Reconciliation"
	_, err = Report(ctx, st, b)
	assert.ErrorIs(t, err, errStore)
	_, err = Status(ctx, st, b)
	assert.ErrorIs(t, err, errStore)
	st.failOn = "Items"
	_, _, err = Load(ctx, st, "paie")
	assert.ErrorContains(t, err, "read the items of batch paie")
	listed, err := List(ctx, st)
	require.NoError(t, err, "the list is made from the totals: no item is read")
	assert.Equal(t, sums, listed)
	g, err = Glance(ctx, st, r)
	require.NoError(t, err, "a batch never retried: its standing reads no item")
	assert.Equal(t, 1, g.Summary.Counts[Succeeded])
	st.failOn = "Totals"
	_, err = List(ctx, st)
	assert.ErrorIs(t, err, errStore)
}

func TestResolve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		key     string
		d       Decision
		refusal string
		invalid bool
	}{
		{"by row", "3", Decision{To: Succeeded, By: "awa", Note: "paid per the dashboard"}, "", false},
		{"by reference", "ref-3", Decision{To: Failed, By: "awa", Note: "not in the provider's records"}, "", false},
		{"an item not in review", "2", Decision{To: Failed, By: "awa", Note: "x"}, "row 2 is succeeded, not in review", false},
		{"no such item", "9", Decision{To: Failed, By: "awa", Note: "x"}, "no item 9 in this batch", false},
		{"no decision", "3", Decision{To: Pending, By: "awa", Note: "x"}, "succeeded or failed", true},
		{"no note", "3", Decision{To: Failed, By: "awa", Note: " "}, "what the provider's records show", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := newMemStore()
			_, items := st.add(Batch{Reference: "paie"},
				Item{Row: 2, State: Succeeded, Reference: "ref-2"}, Item{Row: 3, State: Review, Reference: "ref-3"})
			it, err := Resolve(ctx, st, items, tc.key, tc.d)
			if tc.refusal != "" {
				assert.ErrorContains(t, err, tc.refusal)
				assert.Equal(t, tc.invalid, errors.Is(err, ErrInvalid))
				assert.Empty(t, st.applied, "nothing recorded")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.d.To, it.State)
			assert.Equal(t, tc.d.To, st.state(items[1].ID))
			require.Len(t, st.applied, 1)
			assert.Equal(t, "resolved by awa", st.applied[0].Cause)
			assert.Equal(t, string(tc.d.To)+" by awa: "+tc.d.Note, st.applied[0].Message)
		})
	}
}

func TestInReviewGathersTheEvidence(t *testing.T) {
	t.Parallel()
	st := newMemStore()
	_, items := st.add(Batch{Reference: "paie"}, Item{Row: 2, State: Succeeded}, Item{Row: 3, State: Review}, Item{Row: 4, State: Review})
	st.attempts[items[1].ID] = []Attempt{{ID: 7, Kind: KindSend, StartedAt: nov25, FinishedAt: nov25.Add(time.Second), Outcome: OutcomeUnknown}}
	ev, err := InReview(context.Background(), st, items)
	require.NoError(t, err)
	require.Len(t, ev, 2)
	assert.Equal(t, 3, ev[0].Item.Row)
	assert.Equal(t, int64(7), ev[0].Attempts[0].ID)
	assert.Empty(t, ev[1].Attempts)
	st.failOn = "Attempts"
	_, err = InReview(context.Background(), st, items)
	assert.ErrorContains(t, err, "read the attempts of row 3")
}

func TestPlanRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	b, items := st.add(Batch{Reference: "paie", Currency: "XAF", SheetHash: "h", Period: "2026-11", Sandbox: true},
		Item{Row: 2, Amount: 1000, State: Succeeded, Reference: "r2"},
		Item{Row: 3, Amount: 2000, State: Failed, Reference: "r3", ProviderReference: "CP3", Attempts: 2, Message: "refused"},
		Item{Row: 4, Amount: 3000, State: Failed, Reference: "r4"})

	p, err := PlanRetry(ctx, st, b, items, "awa")
	require.NoError(t, err)
	assert.Equal(t, "paie-retry-1", p.Batch.Reference)
	assert.Equal(t, b.ID, p.Batch.ParentID)
	assert.Equal(t, int64(5000), p.Batch.TotalAmount)
	assert.True(t, p.Batch.Sandbox)
	assert.Equal(t, "retry:h", p.Batch.SheetHash)
	assert.Equal(t, "awa", p.Batch.CreatedBy, "its planner, for four-eyes")
	require.Len(t, p.Items, 2)
	assert.Equal(t, PlanHash(p.Batch, p.Items), p.Batch.PlanHash, "what an approver approves")
	again := p.Items[0]
	assert.Equal(t, items[1].ID, again.RetryOf, "linked to the item it pays again")
	assert.NotEqual(t, "r3", again.Reference, "under a new reference")
	assert.True(t, isUUID4(again.Reference))
	assert.Equal(t, Planned, again.State)
	assert.Zero(t, again.Attempts)
	assert.Empty(t, again.ProviderReference)
	assert.Empty(t, again.Message)
	assert.Equal(t, Failed, st.state(items[1].ID), "the failed item stays failed")
	assert.Equal(t, "2 failed item(s), 5 000 XAF, by awa", p.Detail)
	assert.Equal(t, []string{
		fmt.Sprintf("%d: failed items retried in batch paie-retry-1: 2 failed item(s), 5 000 XAF, by awa", b.ID),
		fmt.Sprintf("%d: retry of batch paie: 2 failed item(s), 5 000 XAF, by awa", p.Batch.ID),
	}, st.notes, "recorded in both batches")

	// a second retry pays nothing twice: both are in paie-retry-1 already
	again2, err := PlanRetry(ctx, st, b, items, "awa")
	require.NoError(t, err)
	assert.Empty(t, again2.Items)
	assert.Zero(t, again2.Batch.ID, "no batch created")
	assert.Equal(t, "2 in paie-retry-1", again2.AlreadyIn())

	// one more failed item later (resolved by hand): only it goes, in paie-retry-2
	st.items[b.ID] = append(st.items[b.ID], Item{ID: 99, BatchID: b.ID, Row: 5, Amount: 400, State: Failed})
	items, _ = st.Items(ctx, b.ID)
	third, err := PlanRetry(ctx, st, b, items, "awa")
	require.NoError(t, err)
	assert.Equal(t, "paie-retry-2", third.Batch.Reference)
	require.Len(t, third.Items, 1)
	assert.Equal(t, int64(99), third.Items[0].RetryOf)
	assert.Equal(t, map[string]int{"paie-retry-1": 2}, third.Already)

	none, err := PlanRetry(ctx, st, p.Batch, nil, "awa")
	require.NoError(t, err)
	assert.Empty(t, none.Items)
	assert.Empty(t, none.Already, "nothing failed: nothing to retry")
}

func isUUID4(s string) bool {
	return len(s) == 36 && s[14] == '4'
}

func TestRetriesFollowEveryRetryBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newMemStore()
	b, items := st.add(Batch{Reference: "paie"},
		Item{Row: 2, State: Failed, Message: "refused by the operator"},
		Item{Row: 3, State: Failed},
		Item{Row: 4, State: Succeeded})
	r1, r1items := st.add(Batch{Reference: "paie-retry-1", ParentID: b.ID},
		Item{Row: 2, State: Failed, RetryOf: items[0].ID},
		Item{Row: 3, State: Succeeded, RetryOf: items[1].ID})
	r2, _ := st.add(Batch{Reference: "paie-retry-1-retry-1", ParentID: r1.ID}, Item{Row: 2, State: Succeeded, RetryOf: r1items[0].ID})
	st.add(Batch{Reference: "other"}, Item{Row: 2, State: Failed})

	r, err := RetriesOf(ctx, st, b)
	require.NoError(t, err)
	assert.Equal(t, "retried in paie-retry-1 (failed), then in paie-retry-1-retry-1 (succeeded)", r.Note(items[0].ID))
	assert.Equal(t, "retried in paie-retry-1 (succeeded)", r.Note(items[1].ID))
	assert.Empty(t, r.Note(items[2].ID))
	assert.Empty(t, r.FailedIn(), "every retried item settled since")

	noted := WithRetryNotes(items, r)
	assert.Equal(t, "retried in paie-retry-1 (failed), then in paie-retry-1-retry-1 (succeeded); refused by the operator", noted[0].Message)
	assert.Equal(t, "retried in paie-retry-1 (succeeded)", noted[1].Message)
	assert.Equal(t, "refused by the operator", items[0].Message, "the items given are left as they were")

	r1only, err := RetriesOf(ctx, st, r1)
	require.NoError(t, err)
	assert.Empty(t, r1only.FailedIn())
	st.items[r2.ID][0].State = Failed // the retry of the retry failed too
	r, err = RetriesOf(ctx, st, b)
	require.NoError(t, err)
	assert.Equal(t, []string{"paie-retry-1-retry-1"}, r.FailedIn())

	st.failOn = "Batches"
	_, err = RetriesOf(ctx, st, b)
	assert.ErrorIs(t, err, errStore)
}
