package batch_test

// Tests of the use cases that read and amend a batch after its run: load, list,
// status, report, review, resolve and retry.

import (
	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadListStatusAndReport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := batchtest.NewMemory(batchtest.WithClock(func() time.Time { return nov25 }))
	b, items := seed(t, st, batch.Batch{Reference: "paie"},
		batch.Item{Row: 2, Amount: 1000, State: batch.Succeeded},
		batch.Item{Row: 3, Amount: 2000, State: batch.Failed, Message: "refused"},
		batch.Item{Row: 4, Amount: 500, State: batch.Review},
		batch.Item{Row: 5, Amount: 700, State: batch.Unknown})
	r, _ := seed(t, st, batch.Batch{Reference: "paie-retry-1", ParentID: b.ID}, batch.Item{Row: 3, Amount: 2000, State: batch.Succeeded, RetryOf: items[1].ID})
	_, err := st.StartAttempt(ctx, items[3].ID, batch.KindSettle, "") // row 5: sent, then sent again to learn its fate
	require.NoError(t, err)
	require.NoError(t, st.SaveReconciliation(ctx, b.ID, batch.Reconciliation{At: nov25, Mismatches: []batch.Mismatch{{Row: 2, Kind: "fee"}}}))

	for _, key := range []string{"paie", "1"} {
		lb, litems, err := batch.Load(ctx, st, key)
		require.NoError(t, err, key)
		assert.Equal(t, b.ID, lb.ID)
		assert.Len(t, litems, 4)
	}
	_, _, err = batch.Load(ctx, st, "nope")
	assert.ErrorIs(t, err, batch.ErrBatchNotFound)

	sums, err := batch.List(ctx, st)
	require.NoError(t, err)
	require.Len(t, sums, 2)
	assert.Equal(t, r.ID, sums[0].Batch.ID, "newest first")
	assert.Equal(t, int64(4200), sums[1].TotalAmount)
	assert.Equal(t, int64(1000), sums[1].SucceededAmount)

	s, err := batch.Status(ctx, st, b)
	require.NoError(t, err)
	assert.Equal(t, 1, s.Summary.Counts[batch.Failed])
	assert.Equal(t, "retried in paie-retry-1 (succeeded)", s.Retries.Note(items[1].ID))
	assert.Equal(t, nov25, s.Reconciliation.At)
	g, err := batch.Glance(ctx, st, b)
	require.NoError(t, err)
	assert.Equal(t, s.Summary, g.Summary)
	assert.Equal(t, s.Retries, g.Retries)
	assert.Equal(t, s.Reconciliation, g.Reconciliation)

	d, err := batch.Report(ctx, st, b)
	require.NoError(t, err)
	var each []batch.Item
	require.NoError(t, d.Each(func(it batch.Item) error { each = append(each, it); return nil }))
	require.Len(t, each, len(items))
	assert.Equal(t, "retried in paie-retry-1 (succeeded); refused", each[1].Message, "a failed item says where it went")
	var failed []batch.Item
	require.NoError(t, d.Each(func(it batch.Item) error { failed = append(failed, it); return nil }, batch.Failed))
	require.Len(t, failed, 1, "only the items in the states asked for")
	assert.Equal(t, each[1], failed[0])
	atts, err := d.Attempts(items[3].ID)
	require.NoError(t, err)
	assert.Len(t, atts, 2)
	assert.Len(t, d.Reconciliation.Mismatches, 1)

	st.Fail("Reconciliation", errStore)
	_, err = batch.Report(ctx, st, b)
	assert.ErrorIs(t, err, errStore)
	_, err = batch.Status(ctx, st, b)
	assert.ErrorIs(t, err, errStore)
	st.Fail("Reconciliation", nil)
	for _, op := range []string{"Items", "ItemsAfter", "Item"} {
		st.Fail(op, errStore)
	}
	_, _, err = batch.Load(ctx, st, "paie")
	assert.ErrorContains(t, err, "read the items of batch paie")
	listed, err := batch.List(ctx, st)
	require.NoError(t, err, "the list is made from the totals: no item is read")
	assert.Equal(t, sums, listed)
	g, err = batch.Glance(ctx, st, r)
	require.NoError(t, err, "a batch never retried: its standing reads no item")
	assert.Equal(t, 1, g.Summary.Counts[batch.Succeeded])
	st.Fail("Totals", errStore)
	_, err = batch.List(ctx, st)
	assert.ErrorIs(t, err, errStore)
}

func TestResolve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		key     string
		d       batch.Decision
		refusal string
		invalid bool
	}{
		{"by row", "3", batch.Decision{To: batch.Succeeded, By: "awa", Note: "paid per the dashboard"}, "", false},
		{"by reference", "ref-3", batch.Decision{To: batch.Failed, By: "awa", Note: "not in the provider's records"}, "", false},
		{"an item not in review", "2", batch.Decision{To: batch.Failed, By: "awa", Note: "x"}, "row 2 is succeeded, not in review", false},
		{"no such item", "9", batch.Decision{To: batch.Failed, By: "awa", Note: "x"}, "no item 9 in this batch", false},
		{"no decision", "3", batch.Decision{To: batch.Pending, By: "awa", Note: "x"}, "succeeded or failed", true},
		{"no note", "3", batch.Decision{To: batch.Failed, By: "awa", Note: " "}, "what the provider's records show", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := batchtest.NewMemory()
			b, items := seed(t, st, batch.Batch{Reference: "paie"},
				batch.Item{Row: 2, State: batch.Succeeded, Reference: "ref-2"}, batch.Item{Row: 3, State: batch.Review, Reference: "ref-3"})
			before, err := st.Events(ctx, b.ID, 0)
			require.NoError(t, err)
			it, err := batch.Resolve(ctx, st, items, tc.key, tc.d)
			after, aerr := st.Events(ctx, b.ID, 0)
			require.NoError(t, aerr)
			if tc.refusal != "" {
				assert.ErrorContains(t, err, tc.refusal)
				assert.Equal(t, tc.invalid, errors.Is(err, batch.ErrInvalid))
				assert.Equal(t, before, after, "nothing recorded")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.d.To, it.State)
			stored, err := st.Item(ctx, items[1].ID)
			require.NoError(t, err)
			assert.Equal(t, tc.d.To, stored.State)
			require.Len(t, after, len(before)+1, "one change recorded")
			assert.Equal(t, "resolved by awa", after[len(before)].Cause)
			assert.Equal(t, items[1].ID, after[len(before)].ItemID)
			assert.Equal(t, string(tc.d.To)+" by awa: "+tc.d.Note, stored.Message)
		})
	}
}

func TestInReviewGathersTheEvidence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := batchtest.NewMemory(batchtest.WithClock(func() time.Time { return nov25 }))
	_, items := seed(t, st, batch.Batch{Reference: "paie"}, batch.Item{Row: 2, State: batch.Succeeded}, batch.Item{Row: 3, State: batch.Review}, batch.Item{Row: 4, State: batch.Review})
	again, err := st.StartAttempt(ctx, items[1].ID, batch.KindSettle, "") // row 3 was asked about once more
	require.NoError(t, err)
	ev, err := batch.InReview(ctx, st, items)
	require.NoError(t, err)
	require.Len(t, ev, 2)
	assert.Equal(t, 3, ev[0].Item.Row)
	require.Len(t, ev[0].Attempts, 2)
	assert.Equal(t, batch.KindSend, ev[0].Attempts[0].Kind)
	assert.Equal(t, batch.OutcomeUnknown, ev[0].Attempts[0].Outcome)
	assert.Equal(t, again, ev[0].Attempts[1].ID)
	assert.Equal(t, 4, ev[1].Item.Row)
	require.Len(t, ev[1].Attempts, 1, "each item's own attempts")
	assert.Equal(t, items[2].ID, ev[1].Attempts[0].ItemID)
	st.Fail("Attempts", errStore)
	_, err = batch.InReview(context.Background(), st, items)
	assert.ErrorContains(t, err, "read the attempts of row 3")
}

func TestPlanRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := batchtest.NewMemory()
	b, items := seed(t, st, batch.Batch{Reference: "paie", Currency: "XAF", SheetHash: "h", Period: "2026-11", Sandbox: true},
		batch.Item{Row: 2, Amount: 1000, State: batch.Succeeded, Reference: "r2"},
		batch.Item{Row: 3, Amount: 2000, State: batch.Failed, Reference: "r3", ProviderReference: "CP3", Message: "refused"},
		batch.Item{Row: 4, Amount: 3000, State: batch.Failed, Reference: "r4"},
		batch.Item{Row: 5, Amount: 400, State: batch.Review, Reference: "r5"})

	p, err := batch.PlanRetry(ctx, st, b, items, "awa")
	require.NoError(t, err)
	assert.Equal(t, "paie-retry-1", p.Batch.Reference)
	assert.Equal(t, b.ID, p.Batch.ParentID)
	assert.Equal(t, int64(5000), p.Batch.TotalAmount)
	assert.True(t, p.Batch.Sandbox)
	assert.Equal(t, "retry:h", p.Batch.SheetHash)
	assert.Equal(t, "awa", p.Batch.CreatedBy, "its planner, for four-eyes")
	require.Len(t, p.Items, 2)
	assert.Equal(t, batch.PlanHash(p.Batch, p.Items), p.Batch.PlanHash, "what an approver approves")
	again := p.Items[0]
	assert.Equal(t, items[1].ID, again.RetryOf, "linked to the item it pays again")
	assert.NotEqual(t, "r3", again.Reference, "under a new reference")
	assert.True(t, isUUID4(again.Reference))
	assert.Equal(t, batch.Planned, again.State)
	assert.Zero(t, again.Attempts)
	assert.Empty(t, again.ProviderReference)
	assert.Empty(t, again.Message)
	stored, err := st.Item(ctx, items[1].ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Failed, stored.State, "the failed item stays failed")
	assert.Equal(t, "2 failed item(s), 5 000 XAF, by awa", p.Detail)
	assert.Equal(t, []string{"failed items retried in batch paie-retry-1: 2 failed item(s), 5 000 XAF, by awa"}, notes(t, st, b.ID),
		"recorded in both batches")
	assert.Equal(t, []string{"retry of batch paie: 2 failed item(s), 5 000 XAF, by awa"}, notes(t, st, p.Batch.ID))

	// a second retry pays nothing twice: both are in paie-retry-1 already
	again2, err := batch.PlanRetry(ctx, st, b, items, "awa")
	require.NoError(t, err)
	assert.Empty(t, again2.Items)
	assert.Zero(t, again2.Batch.ID, "no batch created")
	assert.Equal(t, "2 in paie-retry-1", again2.AlreadyIn())

	// one more failed item later (resolved by hand): only it goes, in paie-retry-2
	require.NoError(t, st.Apply(ctx, batch.Change{ItemID: items[3].ID, From: batch.Review, To: batch.Failed, Cause: "resolved by awa"}))
	items, err = st.Items(ctx, b.ID)
	require.NoError(t, err)
	third, err := batch.PlanRetry(ctx, st, b, items, "awa")
	require.NoError(t, err)
	assert.Equal(t, "paie-retry-2", third.Batch.Reference)
	require.Len(t, third.Items, 1)
	assert.Equal(t, items[3].ID, third.Items[0].RetryOf)
	assert.Equal(t, map[string]int{"paie-retry-1": 2}, third.Already)

	none, err := batch.PlanRetry(ctx, st, p.Batch, nil, "awa")
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
	// chain stores batch paie, retried in paie-retry-1, whose failed item is
	// retried in paie-retry-1-retry-1 and ends there as last.
	chain := func(last batch.State) (*batchtest.Memory, batch.Batch, []batch.Item, batch.Batch) {
		st := batchtest.NewMemory()
		b, items := seed(t, st, batch.Batch{Reference: "paie"},
			batch.Item{Row: 2, State: batch.Failed, Message: "refused by the operator"},
			batch.Item{Row: 3, State: batch.Failed},
			batch.Item{Row: 4, State: batch.Succeeded})
		r1, r1items := seed(t, st, batch.Batch{Reference: "paie-retry-1", ParentID: b.ID},
			batch.Item{Row: 2, State: batch.Failed, RetryOf: items[0].ID},
			batch.Item{Row: 3, State: batch.Succeeded, RetryOf: items[1].ID})
		seed(t, st, batch.Batch{Reference: "paie-retry-1-retry-1", ParentID: r1.ID}, batch.Item{Row: 2, State: last, RetryOf: r1items[0].ID})
		seed(t, st, batch.Batch{Reference: "other"}, batch.Item{Row: 2, State: batch.Failed})
		return st, b, items, r1
	}
	st, b, items, r1 := chain(batch.Succeeded)

	r, err := batch.RetriesOf(ctx, st, b)
	require.NoError(t, err)
	assert.Equal(t, "retried in paie-retry-1 (failed), then in paie-retry-1-retry-1 (succeeded)", r.Note(items[0].ID))
	assert.Equal(t, "retried in paie-retry-1 (succeeded)", r.Note(items[1].ID))
	assert.Empty(t, r.Note(items[2].ID))
	assert.Empty(t, r.FailedIn(), "every retried item settled since")

	noted := batch.WithRetryNotes(items, r)
	assert.Equal(t, "retried in paie-retry-1 (failed), then in paie-retry-1-retry-1 (succeeded); refused by the operator", noted[0].Message)
	assert.Equal(t, "retried in paie-retry-1 (succeeded)", noted[1].Message)
	assert.Equal(t, "refused by the operator", items[0].Message, "the items given are left as they were")

	r1only, err := batch.RetriesOf(ctx, st, r1)
	require.NoError(t, err)
	assert.Empty(t, r1only.FailedIn())

	failedToo, b, _, _ := chain(batch.Failed) // the retry of the retry failed too
	r, err = batch.RetriesOf(ctx, failedToo, b)
	require.NoError(t, err)
	assert.Equal(t, []string{"paie-retry-1-retry-1"}, r.FailedIn())

	st.Fail("Batches", errStore)
	_, err = batch.RetriesOf(ctx, st, b)
	assert.ErrorIs(t, err, errStore)
}
