package batch_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
)

func TestStateMachineCancelsOnlyWhatWasNeverSent(t *testing.T) {
	t.Parallel()
	for _, from := range batch.States {
		assert.Equal(t, from == batch.Planned || from == batch.ToConfirm, batch.CanMove(from, batch.Cancelled), "%s → cancelled", from)
		if from != batch.Cancelled {
			require.ErrorIs(t, batch.CheckMove(batch.Cancelled, from), batch.ErrIllegalMove, "cancelled → %s", from)
		}
	}
	assert.True(t, batch.Cancelled.Terminal())
	assert.True(t, batch.Cancelled.Valid())
	assert.Equal(t, 0, batch.Counts{batch.Cancelled: 3}.Open(), "a cancelled item is not open")
}

// TestCancel cancels batches whose items stand in every state: only planned
// items become cancelled; what may have been sent is left and counted.
func TestCancel(t *testing.T) {
	t.Parallel()
	// the path from planned to each state, as a run takes it
	paths := map[batch.State][]batch.State{
		batch.Planned:    nil,
		batch.Submitting: {batch.Submitting},
		batch.Pending:    {batch.Submitting, batch.Pending},
		batch.Unknown:    {batch.Submitting, batch.Unknown},
		batch.Review:     {batch.Submitting, batch.Unknown, batch.Review},
		batch.Succeeded:  {batch.Submitting, batch.Succeeded},
		batch.Failed:     {batch.Submitting, batch.Failed},
		batch.Rejected:   {batch.Rejected},
		batch.Cancelled:  {batch.Cancelled},
	}
	tests := []struct {
		name   string
		states []batch.State // of the batch's items, one each
		req    batch.CancelRequest
		want   batch.CancelResult
		err    error
	}{
		{"all planned", []batch.State{batch.Planned, batch.Planned}, batch.CancelRequest{Actor: "awa", Note: "wrong sheet"},
			batch.CancelResult{Items: 2, Amount: 3000, Left: batch.Counts{}}, nil},
		{"paused mid-run", []batch.State{batch.Succeeded, batch.Pending, batch.Submitting, batch.Unknown, batch.Review, batch.Failed, batch.Planned},
			batch.CancelRequest{Actor: "awa", Note: "stop"},
			batch.CancelResult{Items: 1, Amount: 7000, Left: batch.Counts{batch.Pending: 1, batch.Submitting: 1, batch.Unknown: 1, batch.Review: 1}}, nil},
		{"nothing planned", []batch.State{batch.Succeeded, batch.Pending, batch.Rejected, batch.Cancelled},
			batch.CancelRequest{Actor: "awa", Note: "stop"}, batch.CancelResult{Left: batch.Counts{batch.Pending: 1}}, batch.ErrNothingToCancel},
		{"no note", []batch.State{batch.Planned}, batch.CancelRequest{Actor: "awa", Note: "  "}, batch.CancelResult{}, batch.ErrInvalid},
		{"nobody", []batch.State{batch.Planned}, batch.CancelRequest{Note: "stop"}, batch.CancelResult{}, batch.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := batchtest.NewMemory()
			b := batch.Batch{Reference: "b", SheetHash: "h", Currency: "XAF", CreatedBy: "awa"}
			var items []batch.Item
			for i := range tt.states {
				amount := int64(i+1) * 1000
				b.TotalAmount += amount
				items = append(items, batch.Item{Row: i + 2, Name: "N", Phone: fmt.Sprintf("2376770000%02d", i), Country: "CM",
					Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: amount, Reference: fmt.Sprintf("ref-%d", i),
					Provider: "campay", Route: []string{"campay"}})
			}
			require.NoError(t, st.CreateBatch(ctx, &b, items))
			for i, s := range tt.states {
				from := batch.Planned
				for _, to := range paths[s] {
					require.NoError(t, st.Apply(ctx, batch.Change{ItemID: items[i].ID, From: from, To: to, Cause: "setup"}))
					from = to
				}
			}
			before, err := st.Items(ctx, b.ID)
			require.NoError(t, err)
			tt.req.Owner = batch.Owner{PID: 1, Host: "h", Start: "1"}

			got, err := batch.Cancel(ctx, st, b, tt.req)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, got)
			after, err := st.Items(ctx, b.ID)
			require.NoError(t, err)
			for i, it := range after {
				want := before[i].State
				if tt.err == nil && want == batch.Planned {
					want = batch.Cancelled
				}
				assert.Equal(t, want, it.State, "row %d", it.Row)
			}
		})
	}
}
