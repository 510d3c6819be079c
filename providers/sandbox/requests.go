package sandbox

import (
	"net/http"
	"slices"
	"time"
)

// Request is one request a simulator received, as /_sandbox/requests lists
// it: which provider, what, and when it arrived (before any latency).
type Request struct {
	Provider string    `json:"provider"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	At       time.Time `json:"at"`
}

// keptRequests bounds the request log: the oldest are dropped beyond it.
const keptRequests = 200_000

// requestLog is the latest requests the simulators received, in a ring of
// keptRequests: logging one costs the same however many came before.
type requestLog struct {
	ring []Request
	next int // where the next request goes once the ring is full
}

func (l *requestLog) add(req Request, kept int) {
	if len(l.ring) < kept {
		l.ring = append(l.ring, req)
		return
	}
	l.ring[l.next] = req
	l.next = (l.next + 1) % kept
}

// list is the requests kept, oldest first.
func (l *requestLog) list() []Request {
	return append(slices.Clone(l.ring[l.next:]), l.ring[:l.next]...)
}

func (s *Server) logRequest(provider string, r *http.Request) {
	req := Request{Provider: provider, Method: r.Method, Path: r.URL.Path, At: s.opts.Now()}
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	s.requests.add(req, keptRequests)
}

// Requests lists the requests the simulators received, oldest first (the
// latest 200 000).
func (s *Server) Requests() []Request {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	return s.requests.list()
}

// MostInWindow is the most requests provider received within any window of
// the given length (a request at its very end counted out), and when the
// busiest such window began.
func MostInWindow(reqs []Request, provider string, window time.Duration) (most int, from time.Time) {
	var at []time.Time
	for _, r := range reqs {
		if r.Provider == provider {
			at = append(at, r.At)
		}
	}
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	j := 0
	for i := range at {
		for j < len(at) && at[j].Sub(at[i]) < window {
			j++
		}
		if n := j - i; n > most {
			most, from = n, at[i]
		}
	}
	return most, from
}
