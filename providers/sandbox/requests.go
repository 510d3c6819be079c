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

func (s *Server) logRequest(provider string, r *http.Request) {
	req := Request{Provider: provider, Method: r.Method, Path: r.URL.Path, At: s.opts.Now()}
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	if len(s.requests) >= keptRequests {
		s.requests = slices.Delete(s.requests, 0, len(s.requests)-keptRequests+1)
	}
	s.requests = append(s.requests, req)
}

// Requests lists the requests the simulators received, oldest first (the
// latest 200 000).
func (s *Server) Requests() []Request {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	return slices.Clone(s.requests)
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
