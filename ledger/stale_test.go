package ledger

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// TestAStaleMoveChangesNothing: a move reads its item's batch from the UPDATE
// that makes it, so an item no longer in the move's From state (or no longer
// under the lease it was judged under) must still be batch.ErrStale, an item
// not in the ledger batch.ErrItemNotFound, and neither may leave an event, an
// attempt closed or a field changed; a move that is made records its event
// under the item's batch.
func TestAStaleMoveChangesNothing(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st := openAt(t, loc)
		seedPlanned(t, st, "other", 1) // so that the batch's id and the item's differ
		b := seedPlanned(t, st, "stale", 3)
		until := time.Date(2026, 11, 30, 9, 0, 30, 0, time.UTC)
		claims, err := st.ClaimLeased(ctx, b.ID, "campay", 3, batch.Lease{Worker: "h1/10/a", Until: until})
		require.NoError(t, err)
		require.Len(t, claims, 3)
		first, second, third := claims[0], claims[1], claims[2]

		require.NoError(t, st.Apply(ctx, batch.Change{ItemID: first.Item.ID, From: batch.Submitting, To: batch.Pending,
			Cause: "accepted", Attempt: &batch.AttemptEnd{ID: first.AttemptID, Outcome: batch.OutcomeAccepted}}))
		evs, err := st.Events(ctx, b.ID, first.Item.ID)
		require.NoError(t, err)
		require.NotEmpty(t, evs)
		last := evs[len(evs)-1]
		assert.Equal(t, b.ID, last.BatchID, "the event is the item's batch's")
		assert.Equal(t, batch.Pending, last.To)

		before, err := st.Events(ctx, b.ID, 0)
		require.NoError(t, err)
		stale := map[string][]batch.Change{
			"no longer in From": {{ItemID: first.Item.ID, From: batch.Submitting, To: batch.Failed, Cause: "again", Message: "kept?"}},
			"no longer in From, with its attempt": {{ItemID: first.Item.ID, From: batch.Submitting, To: batch.Failed, Cause: "again",
				Attempt: &batch.AttemptEnd{ID: first.AttemptID, Outcome: batch.OutcomeRefused}}},
			"under another lease": {{ItemID: second.Item.ID, From: batch.Submitting, To: batch.Pending, Cause: "late", Message: "kept?",
				Lease: &batch.Lease{Worker: "h2/20/b", Until: until}}},
			"under a lease since renewed": {{ItemID: second.Item.ID, From: batch.Submitting, To: batch.Pending, Cause: "late",
				Lease: &batch.Lease{Worker: "h1/10/a", Until: until.Add(-time.Minute)}}},
			"after a move that is made": {
				{ItemID: third.Item.ID, From: batch.Submitting, To: batch.Unknown, Cause: "a", Message: "kept?"},
				{ItemID: first.Item.ID, From: batch.Unknown, To: batch.Succeeded, Cause: "stale"},
			},
		}
		for name, changes := range stale {
			require.ErrorIs(t, st.Apply(ctx, changes...), batch.ErrStale, name)
		}
		missing := map[string][]batch.Change{
			"a move":                 {{ItemID: 999_999, From: batch.Submitting, To: batch.Succeeded}},
			"a move with an attempt": {{ItemID: 999_999, From: batch.Submitting, To: batch.Succeeded, Attempt: &batch.AttemptEnd{ID: first.AttemptID}}},
		}
		for name, changes := range missing {
			require.ErrorIs(t, st.Apply(ctx, changes...), batch.ErrItemNotFound, name)
		}

		after, err := st.Events(ctx, b.ID, 0)
		require.NoError(t, err)
		assert.Equal(t, before, after, "no event of a stale move")
		for _, c := range claims {
			it, err := st.Item(ctx, c.Item.ID)
			require.NoError(t, err)
			assert.Empty(t, it.Message, "row %d", it.Row)
			want := batch.Submitting
			if c.Item.ID == first.Item.ID {
				want = batch.Pending
			}
			assert.Equal(t, want, it.State, "row %d", it.Row)
		}
		as, err := st.Attempts(ctx, second.Item.ID)
		require.NoError(t, err)
		require.Len(t, as, 1)
		assert.True(t, as[0].FinishedAt.IsZero(), "the stale move closed no attempt")

		// under its own lease the move is made
		require.NoError(t, st.Apply(ctx, batch.Change{ItemID: second.Item.ID, From: batch.Submitting, To: batch.Pending, Cause: "in time",
			Lease: &batch.Lease{Worker: "h1/10/a", Until: until}}))
	})
}
