package batch

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/providerstest"
)

func TestDueQueue(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	q := newDueQueue()
	q.add(3, 4, "c", t0.Add(2*time.Second), t0.Add(time.Minute))
	q.add(1, 2, "a", t0.Add(time.Second), t0.Add(time.Minute))
	q.add(2, 3, "b", t0.Add(time.Second), t0.Add(time.Minute))
	q.add(1, 2, "a", t0, t0.Add(time.Minute)) // already queued: keeps its place
	assert.Equal(t, 3, q.len())

	d, wait, over := q.take(t0)
	assert.Nil(t, d)
	assert.Equal(t, time.Second, wait, "nothing due yet: how long until the soonest")
	assert.False(t, over)

	assert.True(t, q.drop(2), "a queued check is dropped")
	assert.False(t, q.drop(2))
	d, _, _ = q.take(t0.Add(5 * time.Second))
	require.NotNil(t, d)
	assert.Equal(t, int64(1), d.id, "soonest first")
	assert.True(t, q.drop(1), "a check being made is dropped")
	q.again(d, t0.Add(6*time.Second))
	d, _, _ = q.take(t0.Add(5 * time.Second))
	require.NotNil(t, d)
	assert.Equal(t, int64(3), d.id, "the dropped check did not come back")
	q.close()
	_, wait, over = q.take(t0.Add(time.Hour))
	assert.False(t, over, "one check is still being made")
	assert.Negative(t, wait)
	q.finish(d)
	_, _, over = q.take(t0.Add(time.Hour))
	assert.True(t, over, "closed, nothing queued or under way")
	assert.Zero(t, q.len())
}

// A queue is crowded past n checks only while its soonest check is due (the
// checkers run behind); whoever waits is told when a check is taken out,
// finished or dropped.
func TestDueQueueCrowded(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	q := newDueQueue()
	for id := int64(1); id <= 3; id++ {
		q.add(id, int(id)+1, "r", t0.Add(time.Second), t0.Add(time.Minute))
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		n    int
		want bool
	}{
		{"not due yet: the provider settles slowly", t0, 2, false},
		{"due, more than n queued", t0.Add(time.Second), 2, true},
		{"due, n queued", t0.Add(time.Second), 3, false},
		{"late, more than n queued", t0.Add(time.Hour), 0, true},
	} {
		got, _ := q.crowded(tc.now, tc.n)
		assert.Equal(t, tc.want, got, tc.name)
	}

	_, moved := q.crowded(t0.Add(time.Second), 2)
	d, _, _ := q.take(t0.Add(time.Second))
	require.NotNil(t, d)
	requireClosed(t, moved, "a check taken out")
	_, moved = q.crowded(t0.Add(time.Second), 2)
	q.again(d, t0.Add(2*time.Second))
	requireOpen(t, moved, "a check put back leaves the queue as long")
	q.drop(2)
	requireClosed(t, moved, "a check dropped")
	_, moved = q.crowded(t0.Add(time.Second), 2)
	d, _, _ = q.take(t0.Add(time.Second))
	require.NotNil(t, d)
	requireClosed(t, moved, "a check taken out again")
	_, moved = q.crowded(t0.Add(time.Second), 2)
	q.finish(d)
	requireClosed(t, moved, "a check finished")
	got, _ := q.crowded(t0.Add(time.Hour), 0)
	assert.True(t, got, "one left, late")
}

func requireClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	default:
		t.Fatalf("%s: waiters not told", what)
	}
}

func requireOpen(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("%s: waiters told", what)
	default:
	}
}

// A worker's next claim waits while the lane's checks run behind with more
// than dueBacklog queued, goes on once the checkers have caught up, and
// stops waiting when the run ends.
func TestKeepUpHoldsClaimsWhileChecksRunBehind(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	r := &run{clock: providerstest.NewClock(t0.Add(time.Minute))}
	l := &lane{due: newDueQueue()}
	ctx := context.Background()
	require.NoError(t, r.keepUp(ctx, l), "nothing queued")
	for id := int64(1); id <= dueBacklog+2; id++ {
		l.due.add(id, int(id), "r", t0, t0.Add(time.Hour))
	}
	done := make(chan error, 1)
	go func() { done <- r.keepUp(ctx, l) }()
	d, _, _ := l.due.take(t0.Add(time.Minute))
	require.NotNil(t, d)
	l.due.finish(d) // dueBacklog+1 still queued, all late
	crowded, _ := l.due.crowded(r.clock.Now(), dueBacklog)
	require.True(t, crowded)
	select {
	case err := <-done:
		t.Fatalf("claimed while %d checks ran behind: %v", l.due.len(), err)
	default:
	}
	d, _, _ = l.due.take(t0.Add(time.Minute))
	l.due.finish(d) // dueBacklog queued: the claim goes on
	require.NoError(t, <-done)

	l.due.add(-1, 0, "r", t0, t0.Add(time.Hour))
	cctx, cancel := context.WithCancel(ctx)
	go func() { done <- r.keepUp(cctx, l) }()
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}
