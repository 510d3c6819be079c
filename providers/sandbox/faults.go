package sandbox

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind is what a fault does to a request.
type FaultKind string

const (
	// HangBefore holds the request without processing it.
	HangBefore FaultKind = "hang-before"
	// HangAfter processes the request (a payout is recorded) and never answers.
	HangAfter FaultKind = "hang-after"
	// Status answers with an HTTP status (500, 502, 503, 429) without processing.
	Status FaultKind = "status"
	// Reset processes nothing and drops the connection.
	Reset FaultKind = "reset"
	// Malformed processes the request and answers 200 with broken JSON.
	Malformed FaultKind = "malformed"
)

// Fault hits the next Times requests to a provider's operation.
type Fault struct {
	Provider   string        // campay; empty: any
	Op         string        // withdraw, status, token, balance, history; empty: any
	Kind       FaultKind     // what happens
	Status     int           // for Status
	RetryAfter int           // seconds, for a 429
	Times      int           // how many requests; 0 means 1
	Delay      time.Duration // for SMSDelayedFault
}

// AddFault queues a fault; faults are taken in the order added.
func (s *Server) AddFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// takeFault returns the fault for one request: the first queued fault matching
// provider and op (used up), else one drawn from the standing rules.
func (s *Server) takeFault(r *http.Request, provider, op string) *Fault {
	if f := s.takeQueued(provider, op); f != nil {
		return f
	}
	return s.ruleFault(r, provider, op)
}

func (s *Server) takeQueued(provider, op string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if (f.Provider == "" || f.Provider == provider) && (f.Op == "" || f.Op == op) {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			c := *f
			return &c
		}
	}
	return nil
}

// before applies a fault that acts before processing; it reports whether the
// request was answered (or dropped) and must not be processed.
func (s *Server) before(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f == nil {
		return false
	}
	switch f.Kind {
	case HangBefore:
		s.hang(r.Context())
		return true
	case Status:
		if f.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(max(f.RetryAfter, 0)))
		}
		writeJSON(w, f.Status, map[string]string{"message": strings.ToLower(http.StatusText(f.Status))})
		return true
	case Reset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	}
	return false
}

// after applies a fault that acts once the request was processed.
func (s *Server) after(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	switch {
	case f == nil:
		return false
	case f.Kind == HangAfter:
		s.hang(r.Context())
		return true
	case f.Kind == Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"status": "succ`))
		return true
	}
	return false
}
