package sandbox

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Rule is one standing fault, drawn at random (seeded) on each matching request:
//
//	[provider[.op]:]kind[=value][@percent][,retry-after=seconds]
//
// Rules are separated by ';'. provider is campay, cinetpay, mycoolpay, camoo or *
// (all); op is the provider's operation (withdraw, send, payout, cashout, status,
// token, ...). Kinds:
//
//	latency=50ms | latency=10ms..200ms   delay every answer (fixed, or uniform in the range)
//	error=500@5%[,retry-after=2]         answer that status without processing (500, 502, 503, 429)
//	hang-before@2%                       hold the request, unprocessed, until the client gives up
//	hang-after@2%                        process it (the payout exists) and never answer
//	reset@1%                             drop the connection without processing
//	malformed@1%                         process it and answer with broken JSON
//	token-ttl=30s                        tokens expire this early (CamPay, CinetPay)
//	balance-after=N                      insufficient balance once N payouts were accepted
//	pending=30s                          payouts stay pending this long
//	flip-failed@5%                       payouts stay pending, then end FAILED late
//
// and, for the callbacks a final payout sends (see CallbackOptions; op is
// "callback"):
//
//	callback-lost@5%                     never sent
//	callback-duplicate@5%                sent twice
//	callback-late=30s@5%                 sent this long after the payout settles
//	callback-out-of-order@5%             followed by a stale one carrying the pending status
//	callback-forged@5%                   preceded by a third party's, badly signed, claiming the opposite outcome
//	callback-wrong-source@5%             followed by the same, sent from another address (127.0.0.2)
//
// and, for the SMS simulator (camoo.sms):
//
//	sms-lost@5%                          accepted, never delivered
//	sms-delayed=30s@5%                   accepted, delivered this long after
type Rule struct {
	Provider   string
	Op         string
	Kind       string
	Percent    float64 // chance per request, 0-100; 100 when not given
	Status     int
	RetryAfter int
	Min, Max   time.Duration
	N          int
	text       string
}

func (r Rule) String() string { return r.text }

var ruleKinds = map[string]bool{"latency": true, "error": true, "hang-before": true, "hang-after": true, "reset": true,
	"malformed": true, "token-ttl": true, "balance-after": true, "pending": true, "flip-failed": true,
	"callback-lost": true, "callback-duplicate": true, "callback-late": true, "callback-out-of-order": true, "callback-forged": true,
	"callback-wrong-source": true, "sms-lost": true, "sms-delayed": true}

// ParseRules reads a fault spec (see Rule).
func ParseRules(spec string) ([]Rule, error) {
	var out []Rule
	for _, part := range strings.Split(spec, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		r, err := parseRule(part)
		if err != nil {
			return nil, fmt.Errorf("fault %q: %w", part, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func parseRule(s string) (Rule, error) {
	r := Rule{text: s, Percent: 100}
	body := s
	if target, rest, ok := strings.Cut(s, ":"); ok && !strings.ContainsAny(target, "=@") {
		r.Provider, r.Op, _ = strings.Cut(target, ".")
		if r.Provider == "*" {
			r.Provider = ""
		}
		body = rest
	}
	params := strings.Split(body, ",")
	head := params[0]
	if h, pct, ok := strings.Cut(head, "@"); ok {
		p, err := strconv.ParseFloat(strings.TrimSuffix(pct, "%"), 64)
		if err != nil || p < 0 || p > 100 {
			return r, fmt.Errorf("the chance %q is not a percentage", pct)
		}
		r.Percent, head = p, h
	}
	kind, value, _ := strings.Cut(head, "=")
	r.Kind = kind
	if !ruleKinds[kind] {
		return r, fmt.Errorf("unknown kind %q", kind)
	}
	var err error
	switch kind {
	case "latency":
		lo, hi, isRange := strings.Cut(value, "..")
		if r.Min, err = time.ParseDuration(lo); err == nil {
			r.Max = r.Min
			if isRange {
				r.Max, err = time.ParseDuration(hi)
			}
		}
	case "error":
		r.Status, err = strconv.Atoi(value)
		if err == nil && (r.Status < 400 || r.Status > 599) {
			err = fmt.Errorf("status %d is not an error", r.Status)
		}
	case "token-ttl", "pending", "callback-late", "sms-delayed":
		r.Min, err = time.ParseDuration(value)
	case "balance-after":
		r.N, err = strconv.Atoi(value)
	}
	if err != nil {
		return r, err
	}
	for _, p := range params[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if k != "retry-after" {
			return r, fmt.Errorf("unknown parameter %q", k)
		}
		if r.RetryAfter, err = strconv.Atoi(v); err != nil {
			return r, err
		}
	}
	return r, nil
}

// SetRules replaces the standing fault rules.
func (s *Server) SetRules(rules []Rule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = rules
}

// Rules returns the standing fault rules.
func (s *Server) Rules() []Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Rule(nil), s.rules...)
}

// hit draws whether a rule of kind applies to this request. Called with s.mu held.
func (s *Server) hit(provider, op, kind string) *Rule {
	for i := range s.rules {
		r := &s.rules[i]
		if r.Kind != kind || (r.Provider != "" && r.Provider != provider) || (r.Op != "" && r.Op != op) {
			continue
		}
		if r.Percent >= 100 || s.rng.Float64()*100 < r.Percent {
			return r
		}
	}
	return nil
}

// ruleFault draws the standing rules for one request: it sleeps the latency and
// returns the fault to apply, if any.
func (s *Server) ruleFault(r *http.Request, provider, op string) *Fault {
	s.mu.Lock()
	var delay time.Duration
	if l := s.hit(provider, op, "latency"); l != nil {
		delay = l.Min
		if l.Max > l.Min {
			delay += time.Duration(s.rng.Int64N(int64(l.Max - l.Min)))
		}
	}
	var f *Fault
	if e := s.hit(provider, op, "error"); e != nil {
		f = &Fault{Kind: Status, Status: e.Status, RetryAfter: e.RetryAfter}
	} else if s.hit(provider, op, "hang-before") != nil {
		f = &Fault{Kind: HangBefore}
	} else if s.hit(provider, op, "hang-after") != nil {
		f = &Fault{Kind: HangAfter}
	} else if s.hit(provider, op, "reset") != nil {
		f = &Fault{Kind: Reset}
	} else if s.hit(provider, op, "malformed") != nil {
		f = &Fault{Kind: Malformed}
	}
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
		case <-s.done:
		}
	}
	return f
}

// duration returns a rule's duration for provider, or def. Called with s.mu held.
func (s *Server) duration(provider, kind string, def time.Duration) time.Duration {
	for _, r := range s.rules {
		if r.Kind == kind && (r.Provider == "" || r.Provider == provider) {
			return r.Min
		}
	}
	return def
}

// exhausted reports whether a balance-after rule says the provider has run dry.
// Called with s.mu held.
func (s *Server) exhausted(provider string) bool {
	for _, r := range s.rules {
		if r.Kind == "balance-after" && (r.Provider == "" || r.Provider == provider) {
			return len(s.byTime[provider]) >= r.N
		}
	}
	return false
}

// shape sets when and how a new payout ends: after the settle delay (or a
// pending rule), failed for FailPhones / FailPercent, or failed late for a
// flip-failed rule. Called with s.mu held.
func (s *Server) shape(p *Payout, failed string) {
	delay := s.duration(p.Provider, "pending", s.opts.SettleDelay)
	p.SettleAt = p.CreatedAt.Add(delay)
	if !s.decide(p.Phone, p.ProviderReference+p.ClientReference) {
		p.Final, p.Success = failed, false
	}
	if s.hit(p.Provider, "", "flip-failed") != nil {
		p.Final, p.Success = failed, false
		p.SettleAt = p.CreatedAt.Add(max(3*delay, 2*time.Second))
	}
}

func newRNG(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
}

// faultsEndpoint serves /_sandbox/faults: GET lists the rules, POST (a spec in
// the body) replaces them, DELETE clears them.
func (s *Server) faultsEndpoint(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost, http.MethodPut:
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		rules, err := ParseRules(string(body))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
			return
		}
		s.SetRules(rules)
	case http.MethodDelete:
		s.SetRules(nil)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "use GET, POST or DELETE"})
		return
	}
	var out []string
	for _, r := range s.Rules() {
		out = append(out, r.String())
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": out})
}
