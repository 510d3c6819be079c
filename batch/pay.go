package batch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"bulkpay/providers"
)

// Connection is the providers a payment session pays through, as the door
// built them from its config.
type Connection struct {
	Lanes   map[string]Lane
	Costs   Costs  // what each provider draws from its balance beyond the amount
	Sandbox bool   // no real money moves
	Where   string // for people: which sandbox, or "live"
	Close   func()
	// Names are the providers that can tell the name behind a number, in
	// the order they are asked (the sandbox's directory last).
	Names []NameSource
}

// Wait says whether to wait for a batch another live run holds, and for how long.
type Wait struct {
	On    bool
	Bound time.Duration // 0: as long as it takes
}

// LockPause is how often a waiting command asks for the batch's lock again.
const LockPause = 2 * time.Second

// SessionRequest is how a command opens a payment session on a batch.
type SessionRequest struct {
	Endpoint       Endpoint // where this command would pay
	ChangeEndpoint bool     // continue a started batch elsewhere than where it was paid (recorded)
	Actor          string   // who, for the events
	// Continue is the command that continues the batch where it was paid,
	// quoted in a refusal to pay it elsewhere.
	Continue string
	// Connect reaches the providers; it is called only once the ledger and the
	// endpoint are checked and the batch's lock is taken, so that a refused
	// batch, or one another run holds, starts no sandbox.
	Connect func(ctx context.Context) (*Connection, error)
	Owner   Owner // this process, for the lock
	Wait    Wait
	Clock   providers.Clock // SystemClock when nil
	// Say tells people what is happening (nil: nothing is said).
	Say func(format string, args ...any)
	// Held, when set, is called once the lock is taken: from then on requests
	// may leave.
	Held func()
	// Log hears the provider calls of the session's lanes (discarded when nil).
	Log *slog.Logger
}

// Session is a batch held by this process and connected to its providers:
// every command that may send money (run, resume, retry, reconcile) pays or
// settles through one. Close it.
type Session struct {
	Batch Batch // with where it is paid, as recorded
	Conn  *Connection

	st    Store
	owner Owner
	// shared is the store when several workers pay from it: no lock is
	// taken, claims are leased and the providers' pace is the store's.
	shared LeaseStore
	clock  providers.Clock
	say    func(format string, args ...any)
	// run runs a Runner; tests replace it.
	run func(ctx context.Context, r *Runner, b Batch) error
}

// OpenSession checks the ledger file's integrity, refuses to pay b anywhere
// else than where it was paid (unless req.ChangeEndpoint, recorded), takes
// the batch's lock, waiting for another run to let go when req.Wait says so,
// then, as the batch's holder, records where it is paid and connects to the
// providers. A batch held by another live run gives a *LockedError (ErrHeld)
// and nothing is written: where a batch is paid is written only by the run
// that holds it.
func OpenSession(ctx context.Context, st Store, b Batch, req SessionRequest) (*Session, error) {
	s := &Session{Batch: b, st: st, owner: req.Owner, clock: req.Clock, say: req.Say,
		run: func(ctx context.Context, r *Runner, b Batch) error { _, err := r.Run(ctx, b); return err }}
	if s.clock == nil {
		s.clock = providers.SystemClock
	}
	if s.say == nil {
		s.say = func(string, ...any) {}
	}
	if err := st.Check(ctx); err != nil {
		return nil, err
	}
	// a batch refused where it would be paid is refused before its lock is
	// asked for: nothing is written, no sandbox started
	if _, _, err := s.endpoint(ctx, req); err != nil {
		return nil, err
	}
	ls, isLease := st.(LeaseStore)
	if isLease && ls.Shared() {
		s.shared = ls
	} else if err := s.lock(ctx, req.Wait); err != nil {
		// a run that lost the race for the batch writes nothing
		return nil, err
	}
	if err := s.recordEndpoint(ctx, req); err != nil {
		s.unlock()
		return nil, err
	}
	var err error
	if s.Conn, err = req.Connect(ctx); err != nil {
		s.unlock()
		return nil, err
	}
	if s.Conn.Close == nil {
		s.Conn.Close = func() {}
	}
	if s.shared != nil {
		for name, l := range s.Conn.Lanes {
			l.Shared = ls
			s.Conn.Lanes[name] = l
		}
	}
	s.Conn.Lanes = shared(s.Conn.Lanes, s.clock, req.Log)
	if s.Conn.Sandbox {
		s.say("SANDBOX: no real money moves (%s)", s.Conn.Where)
	}
	if s.shared != nil {
		// several workers share the batch: each item is claimed under a
		// lease instead of the batch being locked to one process
		if err := st.Note(ctx, b.ID, "worker joined", "worker "+WorkerName(s.owner)+" pays the batch beside any other"); err != nil {
			s.Conn.Close()
			return nil, err
		}
	}
	if req.Held != nil {
		req.Held()
	}
	return s, nil
}

// Stacked returns the lane's Caller, or when it has none a providers.Stack of
// its own from the lane's Rate, Burst and Concurrency, with retry, on clock.
func (l Lane) Stacked(retry providers.Retry, clock providers.Clock, log *slog.Logger) providers.Caller {
	if l.Caller != nil {
		return l.Caller
	}
	return providers.Stack(providers.Options{Provider: l.Provider.Name(), Rate: l.Rate, Burst: l.Burst,
		Concurrency: l.Concurrency, Retry: retry, Log: log, Clock: clock,
		Gate: gate(l.Shared, l.Provider.Name(), l.Concurrency)})
}

// StackLanes is shared for a connection kept beyond one session (a server's):
// each lane without a Caller, and its status checks with a budget of their
// own, get one, stacked once, so that every session and lookup made through
// the lanes keeps one rate limit and one bound on calls in flight per
// provider. A lane's Shared, when set, paces it with the other workers.
func StackLanes(lanes map[string]Lane, clock providers.Clock, log *slog.Logger) map[string]Lane {
	return shared(lanes, clock, log)
}

// shared gives each lane without a Caller one, stacked here once for the
// session: the balance checks and the runs of the session then ask each
// provider through one rate limit and one bound on calls in flight. The
// retry policy is the Runner's default; a balance ask sets its own resends.
func shared(lanes map[string]Lane, clock providers.Clock, log *slog.Logger) map[string]Lane {
	out := make(map[string]Lane, len(lanes))
	for name, l := range lanes {
		l.Caller = l.Stacked(providers.Retry{}, clock, log)
		if l.Status != nil { // status checks with a budget of their own keep one Caller too
			st := *l.Status
			st.Caller = st.stacked(l.Provider.Name(), providers.Retry{}, clock, log, l.Shared)
			l.Status = &st
		}
		out[name] = l
	}
	return out
}

// Close lets go of the batch and of the providers.
func (s *Session) Close() {
	s.unlock()
	s.Conn.Close()
}

// unlock lets go of the batch's lock (none is taken on a shared store).
func (s *Session) unlock() {
	if s.shared == nil {
		s.st.Unlock(context.Background(), s.Batch.ID, s.owner)
	}
}

// recordEndpoint checks where the batch is paid again, as the ledger holds it
// now that this session holds the batch (another run may have recorded it
// since the batch was read), and records where it is paid when that changes.
// Only the holder of the batch's lock writes it: a run that lost the race
// for the batch never overwrites where the winner pays it.
func (s *Session) recordEndpoint(ctx context.Context, req SessionRequest) error {
	if s.Batch.Reference != "" {
		now, err := s.st.Batch(ctx, s.Batch.Reference)
		if err != nil {
			return fmt.Errorf("read batch %s: %w", s.Batch.Reference, err)
		}
		s.Batch.Endpoint = now.Endpoint
	}
	e, record, err := s.endpoint(ctx, req)
	if err != nil {
		return err
	}
	if record != nil {
		if err := record(); err != nil {
			return err
		}
	}
	s.Batch.Endpoint = e
	return nil
}

// endpoint refuses to pay or settle b anywhere else than where it was paid,
// unless req.ChangeEndpoint says so; it returns where b is paid and, when
// that is to be recorded, the write that records it (it writes nothing
// itself). A sandbox batch is never continued with real providers, nor the
// other way round, whatever the request says.
func (s *Session) endpoint(ctx context.Context, req SessionRequest) (Endpoint, func() error, error) {
	b, cur, rec := s.Batch, req.Endpoint, s.Batch.Endpoint
	set := func(cause, detail string) func() error {
		return func() error { return s.st.SetEndpoint(ctx, b.ID, cur, cause, detail, req.Actor) }
	}
	switch {
	case b.Sandbox && !cur.IsSandbox():
		return rec, nil, fmt.Errorf("batch %s was paid on the sandbox; it cannot be continued with real providers: give the sheet a new --reference to pay it for real, or continue it on the sandbox: `%s`",
			b.Reference, req.Continue)
	case !b.Sandbox && cur.IsSandbox():
		return rec, nil, fmt.Errorf("batch %s moves real money; it cannot be continued on the sandbox: `%s`", b.Reference, req.Continue)
	case rec.IsZero():
		return cur, set("paid through", cur.String()), nil
	case rec.Same(cur):
		return rec, nil, nil
	}
	items, err := s.st.Items(ctx, b.ID)
	if err != nil {
		return rec, nil, fmt.Errorf("read items: %w", err)
	}
	moved := fmt.Sprintf("from %s to %s", rec, cur)
	switch {
	case !Started(items):
		return cur, set("endpoint changed before anything was sent", moved), nil
	case req.ChangeEndpoint:
		change := set("endpoint changed (--change-endpoint)", moved)
		return cur, func() error {
			s.say("--change-endpoint: batch %s moves %s", b.Reference, moved)
			return change()
		}, nil
	}
	what := fmt.Sprintf("%s, and this command would use %s", rec, cur)
	if rec.Kind == EndpointLive && cur.Kind == EndpointLive {
		what = fmt.Sprintf("%s, and this config gives another address: %s", rec, strings.Join(rec.Differences(cur), "; "))
	}
	return rec, nil, fmt.Errorf("batch %s was paid through %s. Its pending and in-doubt payouts can only be settled where they were sent.\n"+
		"Continue it where it was paid: `%s`\n"+
		"If the same provider accounts are really reached at the new address, pass --change-endpoint (recorded in the events)",
		b.Reference, what, req.Continue)
}

// lock takes the batch for this process. Held by another live run, it waits
// as w says, asking again every LockPause, or gives the *LockedError.
func (s *Session) lock(ctx context.Context, w Wait) error {
	var since time.Time // when waiting began
	for {
		err := s.st.Lock(ctx, s.Batch.ID, s.owner)
		var le *LockedError
		if err == nil {
			return nil
		}
		if !errors.As(err, &le) || !w.On {
			return err
		}
		pause := LockPause
		if since.IsZero() {
			since = s.clock.Now()
			if w.Bound > 0 {
				s.say("%v: waiting for it to finish (at most %s)", err, w.Bound)
			} else {
				s.say("%v: waiting for it to finish", err)
			}
		}
		if w.Bound > 0 {
			left := w.Bound - s.clock.Now().Sub(since)
			if left <= 0 {
				return fmt.Errorf("%w; still running after waiting %s: try again later, or wait longer with --wait", err, w.Bound)
			}
			pause = min(pause, left)
		}
		if err := s.clock.Sleep(ctx, pause); err != nil {
			return ErrInterrupted
		}
	}
}

// RunOptions are how the runner goes about a run, from the door's config.
type RunOptions struct {
	Description  string        // sent with each payout
	PendingWait  time.Duration // how long a pending item is checked (Runner.PendingWait)
	PollInterval time.Duration // from acceptance to the first status check (Runner.PollInterval)
	// CallbackPollDelay is the same for the payouts of providers that call
	// back (Runner.CallbackPollDelay).
	CallbackPollDelay time.Duration
	Log               *slog.Logger
	// Crash is the test build's crash points (nil in the production binary).
	Crash func(point string)
	// Lease is how long a claim holds on a shared ledger without being
	// renewed (Runner.Lease).
	Lease time.Duration
}

// PayRequest is how a session pays its batch.
type PayRequest struct {
	// AllowPartial: when an account cannot cover its items, pay them in row
	// order while money lasts and leave the rest planned (held).
	AllowPartial bool
	Run          RunOptions
	// Short, when set, shows people the accounts that cannot cover the batch,
	// before the run is refused or goes on partially.
	Short func(needs []Need)
	// Progress, when set, makes the observer of the run from the batch's
	// items, all read at once; done is called when the run ends. Watch does
	// the same without holding the batch.
	Progress func(items []Item) (obs Observer, done func())
	// Watch, when set, makes the observer of the run from the batch's open
	// items (planned, submitting, pending, unknown), which open gives a page
	// at a time; done is called when the run ends.
	Watch func(open ItemSource) (obs Observer, done func(), err error)
}

// PayResult is what paying did besides the payouts the ledger records.
type PayResult struct {
	Needs []Need         // the balances checked (none when nothing was planned)
	Held  map[int64]bool // items left planned because a balance was short
	// Ran: the checks passed and the runner ran, or nothing was left to pay.
	// Pay's error is then the run's, and the batch's standing is worth showing.
	Ran bool
}

// Pay pays the session's batch to the end it can reach now. Before anything is
// sent, the planned items are checked against the provider balances: when an
// account cannot cover them the run is refused with a *Refusal (ErrRefused),
// or with req.AllowPartial the items beyond what it holds are held, in row
// order. The error is the run's: the batch's standing is in the ledger.
func (s *Session) Pay(ctx context.Context, req PayRequest) (PayResult, error) {
	var res PayResult
	b, log := s.Batch, req.Run.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	before, err := SummaryOf(ctx, s.st, b)
	if err != nil {
		return res, err
	}
	if before.Complete() {
		// Answered from the counts: a complete batch's items are not read.
		forgetNames(context.WithoutCancel(ctx), s.st, b, log)
		res.Ran = true
		s.say("batch %s is already complete: nothing to pay", b.Reference)
		return res, nil
	}
	if before.Counts[Planned] > 0 {
		// the planned items are read a page at a time: for their sums, then,
		// when an account is short, for which of them it cannot cover
		planned := storedPlanned(ctx, s.st, b)
		if res.Needs, err = checkBalances(ctx, s.Conn.Lanes, planned, s.Conn.Costs, s.clock); err != nil {
			return res, err
		}
		if Short(res.Needs) {
			if req.Short != nil {
				req.Short(res.Needs)
			}
			if !req.AllowPartial {
				s.note(ctx, log, "run refused", "provider balance short; nothing sent")
				return res, &Refusal{Rule: "balance", Reason: "balance short: fund the accounts above, or pass --allow-partial to pay in row order while money lasts"}
			}
			if res.Held, err = holdsOf(planned, res.Needs, s.Conn.Costs, s.Conn.Lanes); err != nil {
				return res, err
			}
			s.note(ctx, log, "partial run", fmt.Sprintf("%d item(s) held: provider balance short", len(res.Held)))
			s.say("--allow-partial: %d item(s) wait for the accounts to be funded", len(res.Held))
		}
	}
	res.Ran = true
	r := s.runner(req.Run)
	r.Hold = res.Held
	done := func() {}
	switch {
	case req.Watch != nil:
		if r.Observer, done, err = req.Watch(StoredItems(ctx, s.st, b.ID, Planned, Submitting, Pending, Unknown)); err != nil {
			return res, fmt.Errorf("read items: %w", err)
		}
	case req.Progress != nil:
		items, err := s.st.Items(ctx, b.ID)
		if err != nil {
			return res, fmt.Errorf("read items: %w", err)
		}
		r.Observer, done = req.Progress(items)
	}
	err = s.run(ctx, r, b)
	done()
	for id := range res.Held {
		if aerr := s.st.Apply(context.WithoutCancel(ctx), Change{ItemID: id, Message: "held: the provider's balance could not cover it; resume once the account is funded"}); aerr != nil {
			log.Warn("could not record why an item was held", "item", id, "err", aerr)
		}
	}
	forgetNames(context.WithoutCancel(ctx), s.st, b, log)
	return res, err
}

func (s *Session) runner(o RunOptions) *Runner {
	return &Runner{Store: s.st, Lanes: s.Conn.Lanes, Log: o.Log, Description: o.Description,
		PendingWait: o.PendingWait, PollInterval: o.PollInterval, CallbackPollDelay: o.CallbackPollDelay, Crash: o.Crash, Clock: s.clock,
		Worker: WorkerName(s.owner), Lease: o.Lease}
}

// note appends a batch event; the session goes on if the ledger cannot take
// it, but says so in the logs.
func (s *Session) note(ctx context.Context, log *slog.Logger, cause, detail string) {
	if err := s.st.Note(context.WithoutCancel(ctx), s.Batch.ID, cause, detail); err != nil {
		log.Warn("could not record an event", "cause", cause, "err", err)
	}
}

// Outcome is the error a batch's standing gives: ErrUnfinished while items are
// open, ErrFailed when it is finished with failed items, nil when all are paid.
func Outcome(sum Summary) error {
	switch {
	case sum.Counts.Open() > 0:
		if n := sum.Counts[ToConfirm]; n > 0 {
			return fmt.Errorf("%w: %d pending, %d unknown, %d in review, %d not sent yet, %d waiting for an approver to confirm the name", ErrUnfinished,
				sum.Counts[Pending], sum.Counts[Unknown]+sum.Counts[Submitting], sum.Counts[Review], sum.Counts[Planned], n)
		}
		return fmt.Errorf("%w: %d pending, %d unknown, %d in review, %d not sent yet", ErrUnfinished,
			sum.Counts[Pending], sum.Counts[Unknown]+sum.Counts[Submitting], sum.Counts[Review], sum.Counts[Planned])
	case sum.Counts[Failed] > 0:
		return fmt.Errorf("%w: %d failed", ErrFailed, sum.Counts[Failed])
	}
	return nil
}
