package batch_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"bulkpay/providers/providerstest"
)

func TestWorkableBatches(t *testing.T) {
	t.Parallel()
	n := func(counts map[batch.State]int) map[batch.State]batch.Total {
		out := map[batch.State]batch.Total{}
		for s, c := range counts {
			out[s] = batch.Total{Items: c, Amount: int64(1000 * c)}
		}
		return out
	}
	tests := []struct {
		name   string
		totals map[batch.State]batch.Total
		want   bool
	}{
		{"nobody started it", n(map[batch.State]int{batch.Planned: 5}), false},
		{"started, planned left", n(map[batch.State]int{batch.Planned: 4, batch.Succeeded: 1}), true},
		{"a claim of a worker that may have died", n(map[batch.State]int{batch.Submitting: 1, batch.Succeeded: 4}), true},
		{"pending to poll", n(map[batch.State]int{batch.Pending: 2, batch.Succeeded: 3}), true},
		{"in doubt to settle", n(map[batch.State]int{batch.Unknown: 1, batch.Failed: 4}), true},
		{"waits for a person only", n(map[batch.State]int{batch.Review: 1, batch.Succeeded: 4}), false},
		{"finished", n(map[batch.State]int{batch.Succeeded: 4, batch.Failed: 1}), false},
		{"cancelled and rejected rows do not start it", n(map[batch.State]int{batch.Planned: 3, batch.Cancelled: 1, batch.Rejected: 1}), false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, batch.Workable(tt.totals))
		})
	}
}

func TestWorkPaysStartedBatchesUntilStopped(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	st := batchtest.NewMemory(batchtest.WithShared(), batchtest.WithClock(clock.Now))
	item := batch.Item{Provider: "campay", Phone: "237677100000", Country: "CM", Operator: "MTN"}
	started := item
	started.State = batch.Succeeded
	_, _, err := batchtest.Seed(ctx, st, batch.Batch{Reference: "not-started", Currency: "XAF"}, item, item)
	require.NoError(t, err)
	_, _, err = batchtest.Seed(ctx, st, batch.Batch{Reference: "started", Currency: "XAF"}, started, item)
	require.NoError(t, err)
	_, _, err = batchtest.Seed(ctx, st, batch.Batch{Reference: "elsewhere", Currency: "XAF"}, started, item)
	require.NoError(t, err)

	var paid []string
	passes := 0
	err = batch.Work(ctx, st, batch.WorkRequest{
		Mine: func(b batch.Batch) bool { return b.Reference != "elsewhere" },
		Pay: func(ctx context.Context, b batch.Batch) error {
			paid = append(paid, b.Reference)
			if passes++; passes == 3 {
				cancel() // SIGTERM on the third batch paid
				return batch.ErrInterrupted
			}
			return batch.ErrUnfinished
		},
		Clock: clock,
	})
	require.NoError(t, err, "stopped cleanly")
	assert.Equal(t, []string{"started", "started", "started"}, paid, "only the started batch of this worker's providers, on every pass")
	assert.Equal(t, 4*time.Second, clock.Total(), "an idle wait between passes")
}
