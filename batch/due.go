package batch

import (
	"container/heap"
	"sync"
	"time"
)

// due is one pending item's next status check: what the lane needs to ask the
// provider and when, never the item itself.
type due struct {
	id       int64
	row      int
	ref      string    // the provider's reference, asked about
	at       time.Time // the next check
	deadline time.Time // after this the item is left to the next run (PendingWait)
	tries    int       // checks made so far
	index    int       // in the heap; -1 when out of it (being checked)
	dropped  bool      // settled elsewhere while being checked: not checked again
}

// dueQueue is a lane's status checks to come, soonest first. Safe for
// concurrent use: sends and settles add to it, the lane's checker takes from
// it, and Drop may be called from outside the run.
type dueQueue struct {
	mu       sync.Mutex
	heap     dueHeap
	byID     map[int64]*due
	checking int  // taken out, not yet given back or finished
	closed   bool // no new items will be added: the run has sent all it will
	wake     chan struct{}
	moved    chan struct{} // closed when a check is taken out or dropped; nil while nobody waits
}

func newDueQueue() *dueQueue {
	return &dueQueue{byID: map[int64]*due{}, wake: make(chan struct{}, 1)}
}

// shrank tells whoever waits in crowded that a check left the queue. Called
// with q.mu held.
func (q *dueQueue) shrank() {
	if q.moved != nil {
		close(q.moved)
		q.moved = nil
	}
}

// crowded reports whether more than n checks are queued while the soonest is
// already due at now (every checker is busy: the checks run behind the
// sends), with a channel closed once a check is taken out or dropped.
func (q *dueQueue) crowded(now time.Time, n int) (bool, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.moved == nil {
		q.moved = make(chan struct{})
	}
	return len(q.byID) > n && len(q.heap) > 0 && !q.heap[0].at.After(now), q.moved
}

// signal wakes the checker. Called with q.mu held or not.
func (q *dueQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// add queues a check of item id at at, to be given up after deadline. An item
// already queued keeps its place.
func (q *dueQueue) add(id int64, row int, ref string, at, deadline time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.byID[id]; ok {
		return
	}
	d := &due{id: id, row: row, ref: ref, at: at, deadline: deadline}
	q.byID[id] = d
	heap.Push(&q.heap, d)
	q.signal()
}

// take returns the soonest check if it is due at now (taken out of the queue
// until again or finish), or how long until it is due; wait < 0 with no check
// means nothing is queued. over: the queue is closed and nothing is left or
// being checked.
func (q *dueQueue) take(now time.Time) (d *due, wait time.Duration, over bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.heap) == 0 {
		return nil, -1, q.closed && q.checking == 0
	}
	next := q.heap[0]
	if w := next.at.Sub(now); w > 0 {
		return nil, w, false
	}
	heap.Pop(&q.heap)
	q.checking++
	q.shrank()
	return next, 0, false
}

// again puts a check taken out back in the queue at at, unless the item was
// dropped meanwhile.
func (q *dueQueue) again(d *due, at time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.checking--
	if d.dropped {
		q.signal()
		return
	}
	d.at = at
	heap.Push(&q.heap, d)
	q.signal()
}

// finish forgets a check taken out: the item is final, or left to the next run.
func (q *dueQueue) finish(d *due) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.checking--
	if q.byID[d.id] == d {
		delete(q.byID, d.id)
	}
	q.signal()
	q.shrank()
}

// drop forgets item id's check; it reports whether one was queued or being
// made (that one is not made again).
func (q *dueQueue) drop(id int64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	d, ok := q.byID[id]
	if !ok {
		return false
	}
	delete(q.byID, id)
	d.dropped = true
	if d.index >= 0 {
		heap.Remove(&q.heap, d.index)
	}
	q.signal()
	q.shrank()
	return true
}

// close says no new item will be added.
func (q *dueQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.signal()
}

// ids lists the items whose checks are queued or being made.
func (q *dueQueue) ids() []int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]int64, 0, len(q.byID))
	for id := range q.byID {
		out = append(out, id)
	}
	return out
}

// len is how many checks are queued or being made.
func (q *dueQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.byID)
}

// dueHeap orders checks by time, then by row.
type dueHeap []*due

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].row < h[j].row
	}
	return h[i].at.Before(h[j].at)
}
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *dueHeap) Push(x any) {
	d := x.(*due)
	d.index = len(*h)
	*h = append(*h, d)
}
func (h *dueHeap) Pop() any {
	old := *h
	d := old[len(old)-1]
	old[len(old)-1] = nil
	d.index = -1
	*h = old[:len(old)-1]
	return d
}
