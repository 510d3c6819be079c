package batch

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
