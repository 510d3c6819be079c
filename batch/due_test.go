package batch

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
