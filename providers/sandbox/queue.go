package sandbox

import "time"

// dueQueue is a min-heap (container/heap) of what falls due at a time: the
// soonest first, then in the order each came.
type dueQueue[T timed] []T

// timed is what a dueQueue holds: when it falls due, and its place in the
// order things came.
type timed interface {
	dueAt() (time.Time, uint64)
}

func (q dueQueue[T]) Len() int { return len(q) }

func (q dueQueue[T]) Less(i, j int) bool {
	ti, si := q[i].dueAt()
	tj, sj := q[j].dueAt()
	if !ti.Equal(tj) {
		return ti.Before(tj)
	}
	return si < sj
}

func (q dueQueue[T]) Swap(i, j int) { q[i], q[j] = q[j], q[i] }

func (q *dueQueue[T]) Push(x any) { *q = append(*q, x.(T)) }

func (q *dueQueue[T]) Pop() any {
	old := *q
	n := len(old) - 1
	x := old[n]
	var zero T
	old[n] = zero // the heap keeps no reference to what left it
	*q = old[:n]
	return x
}
