package server

import (
	"context"
	"net/http"
	"time"

	"bulkpay/batch"
	"bulkpay/providers"
)

// Provider callbacks (public routes: providers sign in to nothing; each
// callback is verified as its provider signs it). A refused one is kept in
// the callback log with its source address and what was received, and
// changes nothing; a verified one is acted on by batch.Confirm, which moves
// an item only on what a status lookup confirms.

// lookupTimeout bounds what a callback's lookup and recording may take: the
// provider may hang up meanwhile, the work goes on.
const lookupTimeout = 30 * time.Second

// callbackRoutes are the routes providers call back on: CinetPay, Camoo and
// MoMo name the item in the URL (bulkpay gives them one per item).
func (s *Server) callbackRoutes() []route {
	var out []route
	for _, p := range []struct{ name, path string }{
		{"campay", "/callbacks/campay"},
		{"cinetpay", "/callbacks/cinetpay/{item_reference}"},
		{"mycoolpay", "/callbacks/mycoolpay"},
		{"camoo", "/callbacks/camoo/{item_reference}"},
	} {
		h := s.callback(p.name)
		out = append(out, route{"GET " + p.path, public, 0, h}, route{"POST " + p.path, public, providers.MaxCallbackBody, h})
	}
	// MoMo calls back the X-Callback-Url each transfer named, with PUT or POST
	h := s.callback("momo")
	for _, m := range []string{"PUT ", "POST "} {
		out = append(out, route{m + "/callbacks/momo/{item_reference}", public, providers.MaxCallbackBody, h})
	}
	return out
}

// callback receives provider's callbacks and answers as it expects.
func (s *Server) callback(provider string) func(w http.ResponseWriter, r *http.Request, rq *request) {
	return func(w http.ResponseWriter, r *http.Request, _ *request) {
		p, ok := s.opt.Callbacks[provider]
		if !ok {
			http.Error(w, provider+" callbacks are not received here: its keys are not configured", http.StatusNotFound)
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), lookupTimeout)
		defer cancel()
		cb, err := p.ParseCallback(r)
		if err != nil {
			s.opt.Log.Warn("callback refused", "provider", provider, "from", providers.SourceIP(r), "err", err)
			if rerr := batch.RecordRefused(ctx, s.opt.Store, provider, r.Method, err); rerr != nil {
				s.opt.Log.Error("callback not recorded", "provider", provider, "err", rerr)
			}
			answerCallback(w, p, err)
			return
		}
		lanes, err := s.callbackLanes(ctx)
		if err != nil {
			s.opt.Log.Warn("no provider client for callback lookups", "provider", provider, "err", err)
		}
		conf, err := batch.Confirm(ctx, s.opt.Store, lanes, cb, providers.SystemClock)
		if err != nil {
			s.opt.Log.Error("callback not recorded", "provider", provider, "err", err)
			http.Error(w, "not recorded", http.StatusInternalServerError)
			return
		}
		if conf.Verdict == batch.VerdictRefused { // a token other than the one its payout was given
			s.opt.Log.Warn("callback refused", "provider", provider, "from", providers.SourceIP(r), "row", conf.Item.Row, "detail", conf.Detail)
			answerCallback(w, p, &providers.CallbackError{Class: providers.ErrCallbackSignature, Provider: provider, Reason: conf.Detail})
			return
		}
		s.opt.Log.Info("callback", "provider", provider, "verdict", conf.Verdict, "row", conf.Item.Row, "detail", conf.Detail)
		if conf.Item.BatchID != 0 {
			s.runs.notify(conf.Item.BatchID)
		}
		answerCallback(w, p, nil)
	}
}

// revisit settles, every d until the server closes, the items a run left in
// doubt after their callback came (batch.Revisit).
func (s *Server) revisit(d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-s.base.Done():
			return
		case <-t.C:
		}
		s.Revisit(s.base)
	}
}

// Revisit settles the items runs left in doubt after their callback came
// (batch.Revisit); serve does it every Options.RevisitEvery.
func (s *Server) Revisit(ctx context.Context) {
	lanes, err := s.callbackLanes(ctx)
	if err != nil {
		s.opt.Log.Warn("no provider client to revisit callbacks with", "err", err)
		return
	}
	n, err := batch.Revisit(ctx, s.opt.Store, lanes, 0, providers.SystemClock)
	if err != nil {
		s.opt.Log.Error("revisit callbacks", "err", err)
	}
	if n > 0 {
		s.opt.Log.Info("callbacks revisited", "settled", n)
	}
}

// answerCallback writes what p expects in reply to a callback it parsed with err.
func answerCallback(w http.ResponseWriter, p providers.CallbackParser, err error) {
	status, body := p.Answer(err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// callbackLanes are the provider clients callbacks are looked up through:
// the server's one connection (connect), whose Callers the runs share, so
// that a lookup takes its turn of each provider's rate limit with them.
func (s *Server) callbackLanes(ctx context.Context) (map[string]batch.Lane, error) {
	c, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	return c.Lanes, nil
}

// stack gives each lane of c one Caller with the default retry policy (what
// a session would stack), its status checks with a budget of their own one
// too, paced with the other workers when the ledger is shared: every user of
// c then shares each provider's rate limit.
func (s *Server) stack(c *batch.Connection) {
	ls, shared := s.opt.Store.(batch.LeaseStore)
	lanes := make(map[string]batch.Lane, len(c.Lanes))
	for name, l := range c.Lanes {
		if shared && ls.Shared() {
			l.Shared = ls
		}
		lanes[name] = l
	}
	c.Lanes = batch.StackLanes(lanes, providers.SystemClock, s.opt.Log)
}

// builtinEndpoint says whether batches are paid through the sandbox started
// in this process.
func (s *Server) builtinEndpoint() bool {
	return s.opt.Config.Endpoint(s.opt.Target).Kind == batch.EndpointBuiltin
}
