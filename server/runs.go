package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"bulkpay/batch"
)

// ErrRunning: the batch is already being paid by this server.
var ErrRunning = errors.New("this batch is already being paid")

// runs pays batches in the background, one goroutine per batch (the
// batch's lock in the ledger keeps other processes away), and tells the
// progress streams when an item moves.
type runs struct {
	s      *Server
	mu     sync.Mutex
	active map[int64]*job
	ended  map[int64]outcome       // the latest run of each batch this server paid
	change map[int64]chan struct{} // closed at the batch's next change
	rerun  map[int64]bool          // a link was claimed during the run: a links pass follows its end
	wg     sync.WaitGroup
}

// job is a batch this server is paying, or holds while it cancels it.
type job struct {
	stop   context.CancelFunc // pauses the run: nothing more is claimed
	done   chan struct{}      // closed when the run has ended and let go of the batch
	paused bool               // stop was called: the run ends paused, not interrupted
}

// outcome is how a run ended.
type outcome struct {
	At     time.Time
	Err    string
	Paused bool // a person paused it: resumable
}

func newRuns(s *Server) *runs {
	return &runs{s: s, active: map[int64]*job{}, ended: map[int64]outcome{}, change: map[int64]chan struct{}{}, rerun: map[int64]bool{}}
}

// again asks for a links pass once the batch's run ends: a link claimed
// while it ran may have been passed by it.
func (m *runs) again(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rerun[id] = true
}

func (m *runs) running(id int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.active[id] != nil
}

// ErrNotRunning: the batch is not being paid by this server.
var ErrNotRunning = errors.New("this batch is not being paid by this server")

// pause stops the server's run of a batch: it claims nothing more, the
// payouts in flight finish and are recorded, and the run gives the batch's
// lock back, leaving it resumable. It returns at once, with a channel closed
// when the run has ended.
func (m *runs) pause(id int64) (<-chan struct{}, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j := m.active[id]
	if j == nil || j.stop == nil {
		return nil, ErrNotRunning
	}
	j.paused = true
	j.stop()
	return j.done, nil
}

// hold keeps the batch from being started by this server until release is
// called (while it is cancelled); a batch being paid gives ErrRunning.
func (m *runs) hold(id int64) (release func(), err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.active[id] != nil {
		return nil, ErrRunning
	}
	m.active[id] = &job{done: make(chan struct{})}
	m.wg.Add(1)
	return func() { m.abandon(id) }, nil
}

func (m *runs) last(id int64) (outcome, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.ended[id]
	return o, ok
}

// changes is closed at the batch's next change.
func (m *runs) changes(id int64) <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := m.change[id]
	if ch == nil {
		ch = make(chan struct{})
		m.change[id] = ch
	}
	return ch
}

func (m *runs) notify(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ch := m.change[id]; ch != nil {
		close(ch)
		delete(m.change, id)
	}
}

// start opens a payment session on b (checking the ledger and where b is
// paid, and taking its lock: a batch another process pays is refused at
// once) and pays it in the background. The run ends when it has done what
// it can, or when the server closes: it then leaves the batch consistent in
// the ledger, to be resumed.
func (m *runs) start(b batch.Batch, actor, cause string) error {
	rctx, cancel := context.WithCancel(m.s.base)
	m.mu.Lock()
	if m.active[b.ID] != nil {
		m.mu.Unlock()
		cancel()
		return ErrRunning
	}
	if m.s.base.Err() != nil {
		m.mu.Unlock()
		cancel()
		return errors.New("the server is stopping")
	}
	m.active[b.ID] = &job{stop: cancel, done: make(chan struct{})}
	m.wg.Add(1)
	m.mu.Unlock()
	o := m.s.opt
	sess, err := m.s.openSession(rctx, b, actor, "bulkpay resume "+b.Reference)
	if err != nil {
		cancel()
		m.abandon(b.ID)
		return err
	}
	if err := o.Store.NoteBy(rctx, b.ID, cause, "paying in the background", actor); err != nil {
		sess.Close()
		cancel()
		m.abandon(b.ID)
		return err
	}
	o.Log.Info("run started", "batch", b.Reference, "user", actor)
	m.notify(b.ID)
	go func() {
		defer cancel()
		var err error
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("internal error (a bug in bulkpay): %v; every step taken is in the ledger: start the batch again to finish it", v)
			}
			sess.Close()
			m.end(b.ID, err)
		}()
		_, err = sess.Pay(rctx, batch.PayRequest{Run: o.Config.RunOptions(sess.Conn.Sandbox, o.Log, nil),
			Watch: func(batch.ItemSource) (batch.Observer, func(), error) { return mover{m, b.ID}, func() {}, nil }})
		if err != nil {
			o.Log.Warn("run ended", "batch", b.Reference, "err", err)
		}
	}()
	return nil
}

// openSession opens a payment session on b for actor (checking the ledger
// and where b is paid, and taking b's lock for this server: a batch another
// process holds gives its *batch.LockedError at once); cont is the command
// that continues b should the session be refused.
func (s *Server) openSession(ctx context.Context, b batch.Batch, actor, cont string) (*batch.Session, error) {
	o := s.opt
	owner := o.Owner
	owner.At = o.Now()
	return batch.OpenSession(ctx, o.Store, b, batch.SessionRequest{
		Endpoint: o.Config.Endpoint(o.Target), Actor: actor, Continue: cont,
		Connect: s.connect, Owner: owner, Log: o.Log,
	})
}

// end records how a run ended and wakes the streams.
func (m *runs) end(id int64, err error) {
	o := outcome{At: m.s.opt.Now()}
	m.mu.Lock()
	if j := m.active[id]; j != nil && j.paused && (err == nil || errors.Is(err, batch.ErrInterrupted)) {
		o.Paused, err = true, nil
	}
	if err != nil {
		o.Err = err.Error()
	}
	m.ended[id] = o
	rerun := m.rerun[id]
	delete(m.rerun, id)
	m.mu.Unlock()
	m.abandon(id)
	if rerun {
		m.s.kickLinks()
	}
}

// abandon forgets a run that is over, or that never began.
func (m *runs) abandon(id int64) {
	m.mu.Lock()
	if j := m.active[id]; j != nil {
		close(j.done)
	}
	delete(m.active, id)
	m.mu.Unlock()
	m.wg.Done()
	m.notify(id)
}

func (m *runs) wait() { m.wg.Wait() }

// mover wakes a batch's progress streams when one of its items moves.
type mover struct {
	m  *runs
	id int64
}

func (v mover) Moved(batch.Item, batch.State, batch.State) { v.m.notify(v.id) }

// progress is a batch's standing per provider, from the ledger's counts.
type progress struct {
	Providers []providerProgress `json:"providers"`
	Items     int                `json:"items"`
	Done      int                `json:"done"` // items that ended (succeeded, failed, rejected)
	Running   bool               `json:"running"`
	Paused    bool               `json:"paused"` // the last run was paused by a person: resumable
	Complete  bool               `json:"complete"`
	Ended     bool               `json:"ended"` // nothing runs and nothing will move without someone
	Error     string             `json:"error,omitempty"`
}

type providerProgress struct {
	Name    string              `json:"name"`
	Counts  map[batch.State]int `json:"counts"`
	Items   int                 `json:"items"`
	Done    int                 `json:"done"`
	Paid    int64               `json:"paid"`
	Amount  int64               `json:"amount"`
	Percent int                 `json:"percent"`
}

// snapshot reads b's progress from the ledger's counts.
func (s *Server) snapshot(ctx context.Context, b batch.Batch) (progress, error) {
	totals, err := s.opt.Store.ProviderTotals(ctx, b.ID)
	if err != nil {
		return progress{}, err
	}
	p := progress{Running: s.runs.running(b.ID), Complete: true}
	for name, byState := range totals {
		pp := providerProgress{Name: name, Counts: map[batch.State]int{}}
		for st, t := range byState {
			pp.Counts[st] = t.Items
			pp.Items += t.Items
			pp.Amount += t.Amount
			if st.Terminal() {
				pp.Done += t.Items
			} else {
				p.Complete = false
			}
			if st == batch.Succeeded {
				pp.Paid += t.Amount
			}
		}
		if pp.Items > 0 {
			pp.Percent = pp.Done * 100 / pp.Items
		}
		p.Items += pp.Items
		p.Done += pp.Done
		p.Providers = append(p.Providers, pp)
	}
	slices.SortFunc(p.Providers, func(a, b providerProgress) int { return strings.Compare(a.Name, b.Name) })
	last, ran := s.runs.last(b.ID)
	p.Error, p.Paused = last.Err, last.Paused && !p.Running
	p.Ended = !p.Running && (p.Complete || ran)
	return p, nil
}

// progressStream sends a batch's progress as server-sent events: a
// "progress" event whenever the counts change (an item moved in this
// process, or the counts read every ProgressEvery differ: a run in another
// process), and an "end" event when nothing runs any more. A page reloaded
// opens a new stream and gets the standing at once.
func (s *Server) progress(w http.ResponseWriter, r *http.Request, rq *request) {
	b, ok := s.findBatch(w, r, rq)
	if !ok {
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		s.fail(w, rq, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	tick := time.NewTicker(s.opt.ProgressEvery)
	defer tick.Stop()
	var sent []byte
	for {
		changed := s.runs.changes(b.ID) // before reading: a move after the read wakes us
		p, err := s.snapshot(r.Context(), b)
		if err != nil {
			s.opt.Log.Warn("read progress", "batch", b.Reference, "err", err)
			return
		}
		data, _ := json.Marshal(p)
		if string(data) != string(sent) {
			fmt.Fprintf(w, "event: progress\ndata: %s\n\n", data)
			sent = data
		}
		if p.Ended {
			fmt.Fprintf(w, "event: end\ndata: %s\n\n", data)
			fl.Flush()
			return
		}
		fl.Flush()
		select {
		case <-changed:
		case <-tick.C:
		case <-r.Context().Done():
			return
		case <-s.base.Done():
			return
		}
	}
}
