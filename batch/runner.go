package batch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"bulkpay/providers"
)

// Lane is one provider with its pace: a rate limit and a bound on requests in flight.
type Lane struct {
	Provider    Provider
	Rate        float64 // requests per second; unlimited when 0
	Burst       int
	Concurrency int // requests in flight at once, and items sent side by side; 1 when 0
	// Caller, when set, makes every call to Provider: the provider's one
	// providers.Stack, shared with whatever else calls it in the process so
	// that its rate limit holds. When nil, the Runner stacks one from Rate,
	// Burst and Concurrency for the run, with its MaxRetries and RetryBase.
	Caller providers.Caller
	// Status, when set, is the status checks' own budget: the provider limits
	// its status endpoint apart from its payouts. When nil, status checks go
	// through Caller with the sends, sharing their rate and concurrency.
	Status *Pace
	// Callbacks: the provider calls back when a payout ends, and its
	// callbacks reach bulkpay (a public URL is configured). Its pending items
	// are then checked at the Runner's CallbackPollDelay, polling being only
	// the fallback, and a check first reads the item from the store: one a
	// callback settled meanwhile is not asked about.
	Callbacks bool

	// Shared, when set, keeps Concurrency for every worker paying from the
	// ledger together (the ledger's Pacer, on a shared ledger): the Callers
	// stacked for the lane take a slot from it for each attempt.
	Shared Pacer
}

// gate is the providers.Options.Gate that takes one of key's concurrency
// slots from pacer for each call, or nil without a pacer. (The rate is kept
// per request, by the door's HTTP clients: see Pacer.)
func gate(pacer Pacer, key string, concurrency int) func(context.Context) (func(), error) {
	if pacer == nil {
		return nil
	}
	n := max(concurrency, 1)
	return func(ctx context.Context) (func(), error) { return pacer.Take(ctx, key, 0, n) }
}

// Pace is a rate limit and a bound on requests in flight.
type Pace struct {
	Rate        float64 // requests per second; unlimited when 0
	Burst       int
	Concurrency int // requests in flight at once; 1 when 0
	// Caller, when set, keeps the pace: shared with whatever else makes these
	// calls in the process. When nil, the Runner stacks one for the run.
	Caller providers.Caller
}

// stacked returns the pace's Caller, or when it has none a providers.Stack of
// its own for provider.
func (p Pace) stacked(provider string, retry providers.Retry, clock providers.Clock, log *slog.Logger, shared Pacer) providers.Caller {
	if p.Caller != nil {
		return p.Caller
	}
	return providers.Stack(providers.Options{Provider: provider, Rate: p.Rate, Burst: p.Burst,
		Concurrency: p.Concurrency, Retry: retry, Log: log, Clock: clock,
		Gate: gate(shared, provider+".status", p.Concurrency)})
}

// stackedStatus returns the lane's Callers for sends and for status checks:
// the same one unless the lane's status checks have a budget of their own.
func (l Lane) stackedStatus(retry providers.Retry, clock providers.Clock, log *slog.Logger) (send, status providers.Caller) {
	send = l.Stacked(retry, clock, log)
	if l.Status == nil {
		return send, send
	}
	return send, l.Status.stacked(l.Provider.Name(), retry, clock, log, l.Shared)
}

// Observer hears of every state change the runner records.
type Observer interface {
	Moved(it Item, from, to State)
}

// ItemShower is an Observer that shows the items it hears of (a line per
// change with the name, phone and amount): for a final status found by a
// status check the runner reads the item back from the store when
// ShowsItems says so. Other observers hear of what the check knows: the
// item's id, row, provider and provider reference.
type ItemShower interface {
	Observer
	ShowsItems() bool
}

// Runner pays a batch's items through their providers' lanes, recording each step
// in the Store before taking the next. Run reads its fields and never changes
// them: a Runner may run several batches, one after the other or at once.
type Runner struct {
	Store       RunStore
	Lanes       map[string]Lane
	Observer    Observer
	Log         *slog.Logger // discarded when nil
	Description string       // sent with each payout
	// MaxRetries and RetryBase are the retry policy of lanes without their own
	// Caller (providers.Retry's Max and Base): resends of a request that was
	// not processed, 4 when 0, none when negative; the first backoff, 500ms
	// when 0.
	MaxRetries int
	RetryBase  time.Duration
	// PollInterval is how long after a payout is accepted (pending) its
	// status is first checked; each later check waits twice as long as the
	// one before, up to PollCap. An item already pending when the run starts
	// is checked at once. Default 2s; PollCap's default is 30s (at least
	// PollInterval).
	PollInterval time.Duration
	PollCap      time.Duration
	// CallbackPollDelay is PollInterval for the items of lanes whose
	// provider calls back (Lane.Callbacks): their first check waits this
	// long after acceptance, and their backoff starts from it (capped at
	// PollCap or at it, whichever is longer). Default 30s; never shorter than
	// PollInterval.
	CallbackPollDelay time.Duration
	// PendingWait is how long an item is checked after it was accepted (or,
	// pending at the start, after the run started) before it is left pending
	// to the next run; default 2m, none checked when negative.
	PendingWait time.Duration
	// Clock tells the time and waits (the status checks, the backoffs of the
	// lanes the Runner stacks); providers.SystemClock when nil.
	Clock providers.Clock
	// Crash, when set, is called at the named points where a crash would leave
	// the ledger behind the provider: "after-claim" (intent committed, nothing
	// sent) and "after-answer" (the provider answered, nothing recorded yet).
	// Tests use it to kill the process there; it is nil otherwise.
	Crash func(point string)
	// SettleOnly sends nothing new: it settles what is in doubt and polls what
	// is pending (reconcile).
	SettleOnly bool
	// Hold lists items not to send in this run (a provider's balance cannot
	// cover them); they stay planned.
	Hold map[int64]bool
	// Worker names this process among the workers paying from a shared
	// ledger (a LeaseStore that says Shared): its claims are held under
	// leases of Lease (DefaultLease when 0), renewed while it runs, and only
	// items whose lease ran out are recovered. Empty, or on a store one
	// process pays from, every item left Submitting is recovered at the start.
	Worker string
	Lease  time.Duration
}

// run is one Run: the Runner's settings with their defaults filled in, and
// what the run learns on the way.
type run struct {
	Runner    // a copy: Run never writes to its caller's Runner
	log       *slog.Logger
	clock     providers.Clock
	currency  string // the batch's
	lanes     map[string]*lane
	failovers atomic.Int64 // items moved to another provider in this round
}

func (r *Runner) start(b Batch) *run {
	ru := &run{Runner: *r, log: r.Log, clock: r.Clock, currency: b.Currency, lanes: map[string]*lane{}}
	if ru.PollInterval <= 0 {
		ru.PollInterval = 2 * time.Second
	}
	if ru.PendingWait == 0 {
		ru.PendingWait = 2 * time.Minute
	}
	if ru.Lease <= 0 {
		ru.Lease = DefaultLease
	}
	if ru.PollCap <= 0 {
		ru.PollCap = 30 * time.Second
	}
	ru.PollCap = max(ru.PollCap, ru.PollInterval)
	if ru.CallbackPollDelay <= 0 {
		ru.CallbackPollDelay = 30 * time.Second
	}
	ru.CallbackPollDelay = max(ru.CallbackPollDelay, ru.PollInterval)
	if ru.log == nil {
		ru.log = slog.New(slog.DiscardHandler)
	}
	if ru.clock == nil {
		ru.clock = providers.SystemClock
	}
	for name, l := range r.Lanes {
		send, status := l.stackedStatus(providers.Retry{Max: r.MaxRetries, Base: r.RetryBase}, ru.clock, ru.log)
		checkers := max(l.Concurrency, 1)
		if l.Status != nil {
			checkers = max(l.Status.Concurrency, 1)
		}
		ru.lanes[name] = &lane{Lane: l, caller: send, status: status, workers: max(l.Concurrency, 1),
			checkers: checkers, due: newDueQueue()}
	}
	return ru
}

// lane is a Lane at run time.
type lane struct {
	Lane
	caller   providers.Caller // sends, settles, contacts
	status   providers.Caller // status checks: caller unless the lane gives them their own pace
	workers  int              // items sent side by side
	checkers int              // status checks made side by side
	due      *dueQueue        // the pending items' next checks
	halted   atomic.Bool      // the provider keeps refusing to process: claim nothing more this run
	mu       sync.Mutex
	haltErr  error // why, when it needs a person (credentials refused)
}

// Run pays every open item of b: it settles what a previous run left in doubt,
// sends what is planned, settles what became unknown, and checks what is
// pending, while it sends, until it is final or PendingWait has passed. It
// returns the batch's standing; an error means the run could not go on (the
// ledger failed, or ctx was cancelled).
func (r *Runner) Run(ctx context.Context, b Batch) (Summary, error) {
	return r.Start(b).Pay(ctx)
}

// Run is one run of a batch, made by Runner.Start: Pay pays it, once; while
// it pays, Settled tells it of items whose final state was recorded elsewhere.
type Run struct {
	r *run
	b Batch
}

// Start makes a run of b, to be paid with Pay.
func (r *Runner) Start(b Batch) *Run { return &Run{r: r.start(b), b: b} }

// Pay is Runner.Run: it pays the run's batch.
func (ru *Run) Pay(ctx context.Context) (Summary, error) { return ru.r.run(ctx, ru.b) }

// Settled tells the run that something outside it (a provider's callback)
// recorded item id's final state in the store: the item's status check is
// dropped. It reports whether one was queued or under way; one under way
// finds the item moved (ErrStale) and leaves it so. Safe to call at any time,
// from any goroutine.
func (ru *Run) Settled(itemID int64) bool {
	for _, l := range ru.r.lanes {
		if l.due.drop(itemID) {
			return true
		}
	}
	return false
}

func (r *run) run(ctx context.Context, b Batch) (Summary, error) {
	if ls := r.leased(); ls != nil {
		// renewed until every send is recorded, even once ctx is cancelled:
		// requests in flight finish (WithoutCancel) and their items stay ours
		rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		defer stop()
		go r.renew(rctx, ls)
		if err := r.recoverExpired(ctx, b, ls); err != nil {
			return Summary{}, err
		}
	} else if err := r.recoverSubmitting(ctx, b); err != nil {
		return Summary{}, err
	}
	if err := r.configured(ctx, b); err != nil {
		return Summary{}, err
	}
	if err := r.pendingAtStart(ctx, b); err != nil {
		return Summary{}, err
	}
	// Each lane checks its pending items from the start, beside the sends,
	// until every lane has sent all it will and its checks are done.
	g, gctx := errgroup.WithContext(ctx)
	for _, l := range r.lanes {
		g.Go(guard(func() error { return r.checks(gctx, b, l) }))
	}
	g.Go(guard(func() error {
		defer func() {
			for _, l := range r.lanes {
				l.due.close()
			}
		}()
		return r.sendAll(gctx, b)
	}))
	err := g.Wait()
	for _, l := range r.lanes {
		if l.haltErr != nil {
			err = errors.Join(err, fmt.Errorf("%s stopped: %w", l.Provider.Name(), l.haltErr))
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sum, serr := SummaryOf(sctx, r.Store, b)
	if err == nil && ctx.Err() != nil {
		err = ErrInterrupted
	}
	if err != nil && errors.Is(err, context.Canceled) {
		err = ErrInterrupted
	}
	if serr != nil && err == nil {
		err = serr
	}
	return sum, err
}

// sendAll runs the lanes side by side. An item that fails over to another
// provider is planned again on that provider's lane, so lanes run in rounds
// until a round moves nothing to another provider.
func (r *run) sendAll(ctx context.Context, b Batch) error {
	for round := 0; round <= len(r.lanes); round++ {
		r.failovers.Store(0)
		g, gctx := errgroup.WithContext(ctx)
		for _, l := range r.lanes {
			g.Go(guard(func() error { return r.runLane(gctx, b, l) }))
		}
		if err := g.Wait(); err != nil || r.failovers.Load() == 0 {
			return err
		}
	}
	return nil
}

// configured refuses a run with open items routed to a provider the run has
// no lane for, from the counts of open items by provider.
func (r *run) configured(ctx context.Context, b Batch) error {
	open, err := r.Store.OpenByProvider(ctx, b.ID)
	if err != nil {
		return fmt.Errorf("count open items by provider: %w", err)
	}
	names := slices.Sorted(maps.Keys(open))
	for _, name := range names {
		if _, ok := r.lanes[name]; !ok && open[name] > 0 {
			return fmt.Errorf("%d open item(s) are routed to provider %q, which is not configured", open[name], name)
		}
	}
	return nil
}

// pendingAtStart queues a check, due at once, of every item an earlier run
// left pending, reading them a page at a time.
func (r *run) pendingAtStart(ctx context.Context, b Batch) error {
	if r.PendingWait < 0 {
		return nil
	}
	now := r.clock.Now()
	for _, l := range r.lanes {
		err := r.eachPage(ctx, b, l, Pending, func(it Item) error {
			l.due.add(it.ID, it.Row, it.ProviderReference, now, now.Add(r.PendingWait))
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// pageSize is how many items a run reads at once.
const pageSize = 500

// eachPage calls fn with each of the lane's items in state, in sheet order,
// reading them a page at a time, until fn fails or ctx ends (no error: the
// caller sees ctx).
func (r *run) eachPage(ctx context.Context, b Batch, l *lane, state State, fn func(Item) error) error {
	for after := 0; ctx.Err() == nil; {
		items, err := r.Store.LaneItemsAfter(ctx, b.ID, l.Provider.Name(), state, after, pageSize)
		if err != nil {
			return fmt.Errorf("read %s items: %w", state, err)
		}
		for _, it := range items {
			if ctx.Err() != nil {
				return nil // cancelled: what is left waits for the next run
			}
			if err := fn(it); err != nil {
				return err
			}
			after = it.Row
		}
		if len(items) < pageSize {
			return nil
		}
	}
	return nil
}

// recoverSubmitting moves items a previous run left in Submitting to Unknown: their
// request may have left, and only the provider can say.
func (r *run) recoverSubmitting(ctx context.Context, b Batch) error {
	items, err := r.Store.Items(ctx, b.ID, Submitting)
	if err != nil {
		return fmt.Errorf("read submitting items: %w", err)
	}
	hs, _ := r.Store.(HoldingStore)
	for _, it := range items {
		if hs != nil {
			unsent, err := r.neverSent(ctx, hs, it)
			if err != nil {
				return err
			}
			if unsent != nil {
				err := r.Store.Apply(context.WithoutCancel(ctx), unsent...)
				if err == nil {
					for _, c := range unsent {
						it = r.notify(it, c)
					}
					continue
				}
				if !errors.Is(err, ErrStale) {
					return fmt.Errorf("record row %d: %w", it.Row, err)
				}
				// released meanwhile (another worker's): it may be leaving
			}
		}
		if err := r.apply(ctx, it, Change{ItemID: it.ID, From: Submitting, To: Unknown, CloseOpen: true,
			Cause:   "recovered: an earlier run ended before the provider's answer was recorded",
			Message: "outcome in doubt after an interrupted run"}); err != nil {
			return err
		}
	}
	return nil
}

// neverSent returns the changes that plan a submitting item again when its
// open attempts are all still held (see HoldingStore): the earlier run ended
// after claiming it and before releasing its request, so nothing left. Nil
// when any open attempt may have left, or none is open.
func (r *run) neverSent(ctx context.Context, hs HoldingStore, it Item) ([]Change, error) {
	atts, err := hs.Attempts(ctx, it.ID)
	if err != nil {
		return nil, fmt.Errorf("read the attempts of row %d: %w", it.Row, err)
	}
	var changes []Change
	for _, a := range atts {
		if !a.FinishedAt.IsZero() {
			continue
		}
		if a.Outcome != OutcomeHeld {
			return nil, nil
		}
		end := &AttemptEnd{ID: a.ID, Outcome: OutcomeNotProcessed, Response: "never sent: the run ended before its request left", WhileHeld: true}
		if changes == nil {
			changes = append(changes, Change{ItemID: it.ID, From: Submitting, To: Planned, Attempt: end,
				Message: "not sent: an earlier run ended after claiming it, before its request left",
				Cause:   "recovered: an earlier run ended before the request left (its claim was still held): nothing was sent, the same reference is sent again"})
			continue
		}
		changes = append(changes, Change{ItemID: it.ID, Attempt: end})
	}
	return changes, nil
}

// runLane settles the lane's unknown items, registers contacts where the provider
// needs them, sends its planned items with Concurrency workers (a chunk per call
// where the provider takes several), then settles what became unknown on the way.
func (r *run) runLane(ctx context.Context, b Batch, l *lane) error {
	name := l.Provider.Name()
	if l.halted.Load() {
		return nil
	}
	if err := r.settle(ctx, b, l); err != nil {
		return err
	}
	if r.SettleOnly {
		return nil
	}
	if err := r.addContacts(ctx, b, l); err != nil {
		return err
	}
	size := 1
	chunker, chunked := l.Provider.(ChunkSender)
	if chunked {
		size = max(1, chunker.ChunkSize())
	}
	hold := r.holding(l)
	if r.claimsAhead(l, chunked, hold) {
		size = claimAhead
	}
	claim := func(ctx context.Context) ([]Claim, error) {
		if hold != nil {
			return hold.ClaimHeld(ctx, b.ID, name, size, r.held()...)
		}
		return r.Store.Claim(ctx, b.ID, name, size, r.held()...)
	}
	if ls := r.leased(); ls != nil {
		claim = func(ctx context.Context) ([]Claim, error) {
			return ls.store.ClaimLeased(ctx, b.ID, name, size,
				ls.claim(r.clock.Now(), hold != nil), r.held()...)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	for range l.workers {
		g.Go(guard(func() error {
			// The answer to a worker's send is recorded while it claims its
			// next item, so that both reach the ledger in one group commit
			// (an answer a crash loses leaves its item submitting, which the
			// next run settles like any unknown). Every answer is recorded
			// before the worker's next claim, and the worker stops once one
			// could not be. Items claimed ahead (claimsAhead) are sent one
			// after the other without waiting for the answers before theirs
			// to be recorded: their claims, in the main file, already say
			// they may have left, and the answers of the whole claim share
			// the commits of the other workers'.
			results := make(chan error, claimAhead) // one per answer being recorded
			outstanding := 0
			recorded := func(err error) error { // waits for every answer
				for ; outstanding > 0; outstanding-- {
					err = errors.Join(<-results, err)
				}
				return err
			}
			// a worker that stops for any reason, a panic included, first
			// waits for the answers it handed over: none is recorded after
			// the run ends
			defer recorded(nil)
			failed := func() error { // the answers recorded so far, without waiting
				var err error
				for outstanding > 0 {
					select {
					case rerr := <-results:
						outstanding--
						err = errors.Join(err, rerr)
					default:
						return err
					}
				}
				return err
			}
			// Claimed ahead and not sent yet (claimsAhead); planned again
			// when the worker stops before sending them.
			var queue []Claim
			drop := func(err error) error {
				if len(queue) > 0 {
					why := err
					if why == nil {
						why = errors.New("the run stopped")
					}
					err = errors.Join(err, r.unclaimFor(context.WithoutCancel(gctx), queue, why,
						"not sent: claimed ahead of its request, which had not left when the worker stopped; the next run sends it"))
					queue = nil
				}
				return err
			}
			for !l.halted.Load() {
				if gctx.Err() != nil {
					return drop(recorded(nil))
				}
				var claims []Claim
				var err error
				if len(queue) == 0 || chunked {
					// the run ended, or the lane halted, while the checks caught up: nothing more goes out
					if r.keepUp(gctx, l) != nil || l.halted.Load() {
						return drop(recorded(nil))
					}
					claims, err = claim(gctx)
					if rerr := recorded(nil); rerr != nil {
						if err == nil && len(claims) > 0 {
							rerr = errors.Join(rerr, r.unclaim(gctx, claims, rerr))
						}
						return rerr
					}
					if err != nil {
						if gctx.Err() != nil {
							return nil
						}
						return fmt.Errorf("claim items: %w", err)
					}
					if len(claims) == 0 {
						return nil
					}
					r.crash("after-claim")
					queue = claims
				} else if rerr := failed(); rerr != nil {
					return drop(recorded(rerr))
				}
				var record func() error
				if chunked {
					record, err = r.sendChunk(gctx, l, chunker, queue)
					queue = nil
				} else {
					c := queue[0]
					queue = queue[1:]
					record, err = r.send(gctx, l, c, hold)
				}
				if err != nil {
					return drop(recorded(err))
				}
				outstanding++
				go func() { results <- guard(record)() }()
			}
			return drop(recorded(nil))
		}))
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return r.settle(ctx, b, l)
}

// dueBacklog bounds the status checks a lane keeps in memory while they run
// behind its sends (about 200 bytes each).
const dueBacklog = 20_000

// keepUp holds a worker's next claim while the lane's status checks run
// behind its sends with more than dueBacklog of them queued: a payout is
// finished before another is started, and the checks waiting do not pile up
// in memory, one for every payout sent faster than checks settle them (a
// million-row batch at zero latency had 300,000 queued). Checks that are not
// due yet (a provider that settles slowly) never hold a claim; checks paced
// slower than sends (a lane's own status rate) do once 20,000 are due, and the
// lane then sends at about the pace it can check.
func (r *run) keepUp(ctx context.Context, l *lane) error {
	for {
		crowded, moved := l.due.crowded(r.clock.Now(), dueBacklog)
		if !crowded {
			return nil
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// claimAhead is how many items a worker claims at once on a lane that
// claims ahead (see claimsAhead): one claim, committed and checkpointed into
// the main file, for that many requests instead of one each.
const claimAhead = 16

// claimsAhead reports whether the lane's workers claim claimAhead items at a
// time and send them one after the other: the provider sends one item a
// call, its rate is unlimited, and an item claimed and never sent is settled
// by sending its reference again (Settler), so that a crash leaves it
// submitting at worst, to be settled and paid once by the next run, as an item
// whose request left without an answer. Claims that are held (HoldingStore)
// or leased (a shared ledger) are made one at a time.
func (r *run) claimsAhead(l *lane, chunked bool, hold HoldingStore) bool {
	_, settles := l.Provider.(Settler)
	return settles && !chunked && hold == nil && l.Rate == 0 && r.leased() == nil
}

// payout is what goes to the item's provider. Its currency is the batch's, or
// the one the provider pays in the payee's country when it is worth the same
// (XOF for a CFA-franc batch paid in West Africa); planning refused the rest.
func (r *run) payout(it Item) providers.Payout {
	return providers.Payout{
		Reference:   it.Reference,
		Phone:       it.Phone,
		Country:     it.Country,
		Operator:    it.Operator,
		Amount:      it.Send(),
		Currency:    providers.Or(providers.PayCurrency(it.Provider, it.Country, it.Operator, r.currency), r.currency),
		Name:        it.Name,
		Email:       it.Email,
		Description: r.Description,
	}
}

// send sends a claimed item through the lane's Caller, which resends the same
// reference while the provider proves it did not process the request (each
// resend a new attempt, opened in BeforeRetry), and returns what records the
// outcome.
//
// A claim held (hold not nil) is released just before its request is
// written; one the call never released provably sent nothing, and goes back
// to planned whatever the call's error.
func (r *run) send(ctx context.Context, l *lane, c Claim, hold HoldingStore) (record func() error, err error) {
	it, attempt := c.Item, c.AttemptID
	p := r.payout(it)
	var ledgerErr error
	held, unreleased := hold != nil, false
	res, err := providers.Call(ctx, l.caller, providers.Op{Name: "send",
		BeforeRetry: func(ctx context.Context, _ int, err error) error {
			// the refused attempt is closed, the next one opened, before the resend leaves
			end := &AttemptEnd{ID: attempt, Outcome: OutcomeNotProcessed, Response: err.Error()}
			if ledgerErr = r.apply(ctx, it, Change{ItemID: it.ID, Attempt: end}); ledgerErr != nil {
				return ledgerErr
			}
			var id int64
			var serr error
			if hold != nil { // the resend is held until it leaves, as the first was
				id, serr = hold.StartHeld(context.WithoutCancel(ctx), it.ID, KindRetry)
			} else {
				id, serr = r.Store.StartAttempt(context.WithoutCancel(ctx), it.ID, KindRetry, "")
			}
			if serr != nil {
				ledgerErr = fmt.Errorf("start retry attempt: %w", serr)
				return ledgerErr
			}
			attempt, held = id, hold != nil
			return nil
		}},
		func(ctx context.Context) (providers.Result, error) {
			if held {
				if rerr := hold.Release(context.WithoutCancel(ctx), attempt); rerr != nil {
					ledgerErr = fmt.Errorf("release the request of row %d: %w", it.Row, rerr)
					unreleased = true
					return providers.Result{}, ledgerErr
				}
				held = false
			}
			// once it leaves, a payout is not cut off by another lane's error
			// or Ctrl-C: its answer is waited for (the client's timeout bounds
			// it) and recorded, so it does not end in doubt for nothing
			res, err := l.Provider.Send(context.WithoutCancel(ctx), p)
			r.crash("after-answer")
			return res, err
		})
	if ledgerErr != nil {
		if unreleased {
			// nothing left: planned again if the ledger takes it (its release
			// may have been committed without reaching the main file)
			ledgerErr = errors.Join(ledgerErr, r.apply(ctx, it, Change{ItemID: it.ID, From: Submitting, To: Planned, Message: ledgerErr.Error(),
				Cause:   "not sent: its release could not be recorded durably, so its request never left; the next run sends it",
				Attempt: &AttemptEnd{ID: attempt, Outcome: OutcomeNotProcessed, Response: "never sent: " + ledgerErr.Error()}}))
		}
		return nil, ledgerErr
	}
	if held { // never released: nothing left
		why := "the run stopped"
		if err != nil {
			why = err.Error()
		}
		changes := []Change{{ItemID: it.ID, From: Submitting, To: Planned, Message: why,
			Cause:   "not sent: the run stopped before its request left; the next run sends it",
			Attempt: &AttemptEnd{ID: attempt, Outcome: OutcomeNotProcessed, Response: "never sent: " + why, WhileHeld: true}}}
		return func() error { return r.apply(ctx, it, changes...) }, nil
	}
	r.refused(ctx, l, err)
	changes := r.sendOutcome(it, attempt, res, err)
	return func() error { return r.apply(ctx, it, changes...) }, nil
}

// unclaim plans claimed items again that will not be sent: the answer to the
// worker's previous send could not be recorded (why), so it stops before
// sending them. Should the ledger not take this either, the next run finds
// them submitting and recovers them.
func (r *run) unclaim(ctx context.Context, claims []Claim, why error) error {
	return r.unclaimFor(ctx, claims, why, "not sent: the answer to the previous payout could not be recorded, so nothing more is sent; the next run sends it")
}

// unclaimFor is unclaim with the cause its events record.
func (r *run) unclaimFor(ctx context.Context, claims []Claim, why error, cause string) error {
	changes := make([]Change, 0, len(claims))
	for _, c := range claims {
		changes = append(changes, Change{ItemID: c.Item.ID, From: Submitting, To: Planned, Message: "not sent: " + why.Error(),
			Cause:   cause,
			Attempt: &AttemptEnd{ID: c.AttemptID, Outcome: OutcomeNotProcessed, Response: "never sent: " + why.Error()}})
	}
	if err := r.applyEach(ctx, claims, changes); err != nil {
		return fmt.Errorf("plan again the items claimed and not sent: %w", err)
	}
	return nil
}

// holding returns the store when the lane's claims are to be held (see
// HoldingStore): the provider sends one item a call and cannot be asked
// about our reference, so that an item in doubt would go to a person. Nil
// otherwise.
func (r *run) holding(l *lane) HoldingStore {
	hs, ok := r.Store.(HoldingStore)
	if !ok {
		return nil
	}
	if _, chunked := l.Provider.(ChunkSender); chunked {
		return nil
	}
	if _, ok := l.Provider.(Settler); ok {
		return nil
	}
	if _, ok := l.Provider.(ReferenceChecker); ok {
		return nil
	}
	return hs
}

// sendChunk sends claimed items in one call, resending the whole chunk (same
// references) while the provider proves it did not process it, and returns what
// records each item's own outcome in one transaction.
func (r *run) sendChunk(ctx context.Context, l *lane, cs ChunkSender, claims []Claim) (record func() error, err error) {
	ps := make([]providers.Payout, len(claims))
	for i, c := range claims {
		ps[i] = r.payout(c.Item)
	}
	var ledgerErr error
	results, err := providers.Call(ctx, l.caller, providers.Op{Name: "send",
		BeforeRetry: func(ctx context.Context, _ int, err error) error {
			// close every attempt, then open the next ones: the same references again
			var ends []Change
			for _, c := range claims {
				ends = append(ends, Change{ItemID: c.Item.ID, Attempt: &AttemptEnd{ID: c.AttemptID, Outcome: OutcomeNotProcessed, Response: err.Error()}})
			}
			if ledgerErr = r.apply(ctx, claims[0].Item, ends...); ledgerErr != nil {
				return ledgerErr
			}
			for i, c := range claims {
				id, serr := r.Store.StartAttempt(context.WithoutCancel(ctx), c.Item.ID, KindRetry, "")
				if serr != nil {
					ledgerErr = fmt.Errorf("start retry attempt: %w", serr)
					return ledgerErr
				}
				claims[i].AttemptID = id
			}
			return nil
		}},
		func(ctx context.Context) ([]ChunkResult, error) {
			results, err := cs.SendChunk(context.WithoutCancel(ctx), ps) // as in send: never cut off once it leaves
			r.crash("after-answer")
			if err == nil && len(results) != len(claims) {
				err = &providers.Error{Class: providers.ErrUnknownOutcome, Provider: l.Provider.Name(), Op: "send",
					Message: fmt.Sprintf("%d answers for %d transfers", len(results), len(claims))}
			}
			return results, err
		})
	if ledgerErr != nil {
		return nil, ledgerErr
	}
	r.refused(ctx, l, err)
	var changes []Change
	for i, c := range claims {
		res, ierr := providers.Result{}, err
		if err == nil {
			res, ierr = results[i].Result, results[i].Err
		}
		changes = append(changes, r.sendOutcome(c.Item, c.AttemptID, res, ierr)...)
	}
	return func() error { return r.applyEach(ctx, claims, changes) }, nil
}

// refused halts the lane when a send came back not processed after the
// Caller's resends (retries spent, credentials refused, a Retry-After too
// long): the provider keeps refusing, so the lane claims nothing more this run.
// A cancelled run is not the provider's refusal.
func (r *run) refused(ctx context.Context, l *lane, err error) {
	if err == nil || ctx.Err() != nil || providers.Classify(err) != providers.ErrTransient {
		return
	}
	l.halt(err)
	r.log.Warn("provider keeps refusing to process requests; its remaining items wait for the next run",
		"provider", l.Provider.Name(), "err", err)
}

func (l *lane) halt(err error) {
	l.halted.Store(true)
	if errors.Is(err, providers.ErrAuth) {
		l.mu.Lock()
		l.haltErr = err
		l.mu.Unlock()
	}
}

// next returns the provider after the item's current one on its route that has
// a lane in this run, or "".
func (r *run) next(it Item) string {
	for i, p := range it.Route {
		if p != it.Provider {
			continue
		}
		for _, n := range it.Route[i+1:] {
			if _, ok := r.lanes[n]; ok {
				return n
			}
		}
	}
	return ""
}

// sendOutcome turns a provider's answer to a send into the changes to record.
func (r *run) sendOutcome(it Item, attempt int64, res providers.Result, err error) []Change {
	class := error(nil)
	if err != nil {
		class = providers.Classify(err)
	}
	switch class {
	case nil:
		to := stateOf(res.Status)
		return []Change{{ItemID: it.ID, From: Submitting, To: to, Cause: "provider accepted the payout",
			Message: res.Message, ProviderReference: res.ProviderReference, ProviderFee: res.Fee, ProviderNet: res.NetAmount,
			NotifyDigest: TokenDigest(res.NotifyToken), Attempt: &AttemptEnd{ID: attempt, Outcome: OutcomeAccepted, ProviderReference: res.ProviderReference, Response: resultText(res)}}}
	case providers.ErrRejected:
		end := &AttemptEnd{ID: attempt, Outcome: OutcomeRefused, Response: err.Error()}
		if errors.Is(err, providers.ErrInsufficientFunds) {
			if l := r.lanes[it.Provider]; l != nil && !l.halted.Swap(true) {
				r.log.Warn("provider balance ran out; its lane stops, the other providers go on", "provider", it.Provider)
			}
			return []Change{{ItemID: it.ID, From: Submitting, To: Planned, Attempt: end, Message: err.Error(),
				Cause: "not sent: the provider's balance ran out, nothing moved; the item waits for the next run once it is funded"}}
		}
		if next := r.next(it); next != "" && providers.IsProviderSide(err) {
			r.failovers.Add(1)
			return []Change{{ItemID: it.ID, From: Submitting, To: Planned, Provider: next, Attempt: end, Message: err.Error(),
				Cause: fmt.Sprintf("failover: %s refused without moving money; next provider %s", it.Provider, next)}}
		}
		return []Change{{ItemID: it.ID, From: Submitting, To: Failed, Cause: "provider refused the payout",
			Message: err.Error(), Attempt: end}}
	case providers.ErrDuplicate:
		return []Change{
			{ItemID: it.ID, From: Submitting, To: Unknown, Cause: "provider says our reference was already used",
				Message: err.Error(), Attempt: &AttemptEnd{ID: attempt, Outcome: OutcomeDuplicate, Response: err.Error()}},
			{ItemID: it.ID, From: Unknown, To: Review, Cause: "a payout exists under our reference but the provider did not return it: a person must check",
				Message: err.Error()},
		}
	case providers.ErrTransient:
		end := &AttemptEnd{ID: attempt, Outcome: OutcomeNotProcessed, Response: err.Error()}
		if next := r.next(it); next != "" && providers.NeverSent(err) {
			r.failovers.Add(1)
			return []Change{{ItemID: it.ID, From: Submitting, To: Planned, Provider: next, Attempt: end, Message: err.Error(),
				Cause: fmt.Sprintf("failover: %s could not be reached, nothing was sent; next provider %s", it.Provider, next)}}
		}
		return []Change{{ItemID: it.ID, From: Submitting, To: Planned, Attempt: end, Message: err.Error(),
			Cause: "not sent: the provider did not process the request; the next run sends it"}}
	default:
		return []Change{{ItemID: it.ID, From: Submitting, To: Unknown, Cause: "no definite answer from the provider",
			Message: err.Error(), Attempt: &AttemptEnd{ID: attempt, Outcome: OutcomeUnknown, Response: err.Error()}}}
	}
}

func stateOf(s providers.Status) State {
	switch s {
	case providers.StatusSucceeded:
		return Succeeded
	case providers.StatusFailed:
		return Failed
	default:
		return Pending
	}
}

func resultText(res providers.Result) string {
	s := fmt.Sprintf("status=%s provider_reference=%s", res.Status, res.ProviderReference)
	if res.Message != "" {
		s += " message=" + res.Message
	}
	return s
}

// settle asks the provider what became of each Unknown item of the lane: by its
// own reference when we hold it, by ours when the provider allows (Settler), and
// otherwise hands the item to a person.
func (r *run) settle(ctx context.Context, b Batch, l *lane) error {
	settler, canSettle := l.Provider.(Settler)
	return r.eachPage(ctx, b, l, Unknown, func(it Item) error {
		var err error
		// a lookup, or a resend the provider recognises by our reference: sent
		// again as often as the Caller allows
		op := providers.Op{Name: "settle", Idempotent: true}
		var res providers.Result
		var attempt int64
		switch {
		case it.ProviderReference != "":
			res, err = providers.Call(ctx, l.caller, op, func(ctx context.Context) (providers.Result, error) {
				return l.Provider.Check(ctx, it.ProviderReference)
			})
		case canSettle:
			if attempt, err = r.Store.StartAttempt(ctx, it.ID, KindSettle, ""); errors.Is(err, ErrStale) {
				return nil // another worker settled it since the page was read
			} else if err != nil {
				return fmt.Errorf("start settle attempt: %w", err)
			}
			p := r.payout(it)
			res, err = providers.Call(ctx, l.caller, op, func(ctx context.Context) (providers.Result, error) {
				return settler.Settle(ctx, p)
			})
		default:
			return r.apply(ctx, it, Change{ItemID: it.ID, From: Unknown, To: Review,
				Cause:   fmt.Sprintf("%s cannot be asked about our reference and gave no reference of its own: a person must check", it.Provider),
				Message: "needs review: " + it.Message})
		}
		return r.apply(ctx, it, settleOutcome(it, attempt, res, err)...)
	})
}

// settleOutcome's state changes close the item's other open attempts as
// interrupted: on a shared ledger another worker may be settling the same
// item, and a worker killed there would leave its attempt open.
func settleOutcome(it Item, attempt int64, res providers.Result, err error) []Change {
	var end *AttemptEnd
	class := error(nil)
	if err != nil {
		class = providers.Classify(err)
	}
	switch class {
	case nil:
		if attempt != 0 {
			end = &AttemptEnd{ID: attempt, Outcome: OutcomeAccepted, ProviderReference: res.ProviderReference, Response: resultText(res)}
		}
		return []Change{{ItemID: it.ID, From: Unknown, To: stateOf(res.Status), CloseOpen: true, Cause: "settled: the provider reported the payout",
			Message: res.Message, ProviderReference: res.ProviderReference, ProviderFee: res.Fee, ProviderNet: res.NetAmount,
			NotifyDigest: TokenDigest(res.NotifyToken), Attempt: end}}
	case providers.ErrRejected:
		if attempt != 0 {
			end = &AttemptEnd{ID: attempt, Outcome: OutcomeRefused, Response: err.Error()}
		}
		return []Change{{ItemID: it.ID, From: Unknown, To: Failed, CloseOpen: true, Cause: "settled: the provider refused the payout and holds none under our reference",
			Message: err.Error(), Attempt: end}}
	case providers.ErrDuplicate:
		if attempt != 0 {
			end = &AttemptEnd{ID: attempt, Outcome: OutcomeDuplicate, Response: err.Error()}
		}
		return []Change{{ItemID: it.ID, From: Unknown, To: Review, CloseOpen: true, Cause: "a payout exists under our reference but the provider did not return it: a person must check",
			Message: err.Error(), Attempt: end}}
	default:
		if attempt != 0 {
			end = &AttemptEnd{ID: attempt, Outcome: OutcomeUnknown, Response: err.Error()}
			return []Change{{ItemID: it.ID, Attempt: end}}
		}
		return nil // a failed lookup changes nothing; the next run asks again
	}
}

// pend queues the first status check of an item just accepted (pending):
// PollInterval from now, within PendingWait.
func (r *run) pend(it Item) {
	l := r.lanes[it.Provider]
	if l == nil || r.PendingWait < 0 {
		return
	}
	now := r.clock.Now()
	deadline := now.Add(r.PendingWait)
	first, _ := r.pace(l)
	at := now.Add(first)
	if at.After(deadline) {
		at = deadline
	}
	l.due.add(it.ID, it.Row, it.ProviderReference, at, deadline)
}

// checks makes the lane's status checks as they fall due, Status.Concurrency
// (or Concurrency) side by side, until the run has sent all it will and no
// check is left.
//
// On a lane whose provider calls back, checks are far apart: every
// PollInterval meanwhile the ledger is read (not the provider) and the checks
// of items a callback settled are dropped, so that the run ends when they
// are final, not at their next check.
//
// A final status is recorded apart from its check, by one of up to
// recordersPerChecker times as many goroutines, so that the next check does
// not wait for the commit: a status a crash loses leaves its item pending,
// checked again by the next run.
func (r *run) checks(ctx context.Context, b Batch, l *lane) error {
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	g, gctx := errgroup.WithContext(cctx)
	g.SetLimit(l.checkers)
	var rec errgroup.Group
	rec.SetLimit(recordersPerChecker * l.checkers)
	record := func(fn func() error) {
		rec.Go(func() error {
			err := guard(fn)() // a panic too stops the run
			if err != nil {
				cancel(err) // the run stops, as when a check fails
			}
			return err
		})
	}
	// every check ends before its records are waited for: none is added then
	waitAll := func(err error) error {
		werr := g.Wait()
		rerr := rec.Wait()
		// a status that could not be recorded is why the checks stopped,
		// not the cancellation it caused
		return cmp.Or(rerr, werr, err)
	}
	for {
		d, wait, over := l.due.take(r.clock.Now())
		if over {
			return waitAll(nil)
		}
		if d != nil {
			g.Go(guard(func() error { return r.check(gctx, l, d, record) }))
			continue
		}
		sweep := l.Callbacks && wait > r.PollInterval
		if sweep {
			wait = r.PollInterval
		}
		err := r.await(gctx, l.due.wake, wait)
		if err == nil && sweep {
			err = r.sweep(gctx, b, l)
		}
		if err != nil {
			return waitAll(err)
		}
	}
}

// recordersPerChecker: the final statuses recorded at once, per status check
// made side by side.
const recordersPerChecker = 8

// sweep drops the checks of the lane's items that are no longer pending in
// the ledger: a callback settled them.
func (r *run) sweep(ctx context.Context, b Batch, l *lane) error {
	pending := map[int64]bool{}
	if err := r.eachPage(ctx, b, l, Pending, func(it Item) error {
		pending[it.ID] = true
		return nil
	}); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for _, id := range l.due.ids() {
		if !pending[id] {
			l.due.drop(id)
		}
	}
	return nil
}

// await waits d on the clock, or when d < 0 without a bound, until wake says
// the queue changed or ctx ends.
func (r *run) await(ctx context.Context, wake <-chan struct{}, d time.Duration) error {
	if d < 0 {
		select {
		case <-wake:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-wake:
			cancel()
		case <-stop:
		}
	}()
	_ = r.clock.Sleep(sctx, d) // cut short by wake: the queue is looked at again
	return ctx.Err()
}

// check asks the provider for the status of one pending item, records a
// final one, and queues the next check of one still pending (or leaves it to
// the next run once PendingWait has passed). An item whose final state was
// recorded meanwhile by someone else (ErrStale) is left as it is.
func (r *run) check(ctx context.Context, l *lane, d *due, record func(func() error)) error {
	if l.Callbacks {
		// a callback may have settled it (in another process, too): the
		// ledger is asked before the provider
		it, err := r.Store.Item(ctx, d.id)
		if err == nil && it.State != Pending {
			l.due.finish(d)
			return nil
		}
	}
	// a check that fails is not resent: the item's next check asks again
	op := providers.Op{Name: "status", Idempotent: true, Retries: -1}
	res, err := providers.Call(ctx, l.status, op, func(ctx context.Context) (providers.Result, error) {
		return l.Provider.Check(ctx, d.ref)
	})
	d.tries++
	if err != nil {
		if ctx.Err() != nil {
			l.due.finish(d)
			return ctx.Err() // interrupted: not a provider's failure, nothing to warn about
		}
		r.log.Warn("status check failed", "row", d.row, "provider", l.Provider.Name(), "err", err)
		r.later(l, d)
		return nil
	}
	to := stateOf(res.Status)
	if to == Pending {
		r.later(l, d)
		return nil
	}
	record(func() error {
		defer l.due.finish(d)
		it := Item{ID: d.id, Row: d.row, Provider: l.Provider.Name(), ProviderReference: d.ref, State: Pending}
		if o, ok := r.Observer.(ItemShower); ok && o.ShowsItems() { // the observer hears of the whole item
			if full, err := r.Store.Item(ctx, d.id); err == nil {
				it = full
			}
		}
		// CloseOpen: on a shared ledger another worker may have opened a settle
		// attempt on this item (it was unknown) and died before closing it
		return r.apply(ctx, it, Change{ItemID: d.id, From: Pending, To: to, CloseOpen: true,
			Cause: "provider reported the final status", Message: res.Message, ProviderFee: res.Fee, ProviderNet: res.NetAmount})
	})
	return nil
}

// pace is the first wait of a lane's status checks and the longest: from
// PollInterval up to PollCap, or from CallbackPollDelay when its provider
// calls back (polling is then the fallback).
func (r *run) pace(l *lane) (first, capped time.Duration) {
	if l.Callbacks {
		return r.CallbackPollDelay, max(r.PollCap, r.CallbackPollDelay)
	}
	return r.PollInterval, r.PollCap
}

// later queues an item's next check, each wait twice the one before (from
// the lane's pace, up to its cap), the last at its deadline; past it, the
// item is left pending to the next run.
func (r *run) later(l *lane, d *due) {
	now := r.clock.Now()
	if !now.Before(d.deadline) {
		l.due.finish(d)
		return
	}
	base, capped := r.pace(l)
	wait := capped
	if d.tries < 32 {
		wait = min(base<<d.tries, capped)
	}
	at := now.Add(max(wait, time.Millisecond))
	if at.After(d.deadline) {
		at = d.deadline
	}
	l.due.again(d, at)
}

// apply records changes even when ctx is cancelled: an answer that came back must
// reach the ledger, or the next run would have to settle it.
func (r *run) apply(ctx context.Context, it Item, changes ...Change) error {
	done, err := r.record(ctx, changes)
	if err != nil {
		return fmt.Errorf("record row %d: %w", it.Row, err)
	}
	for _, c := range done {
		it = r.notify(it, c)
	}
	return nil
}

// record writes changes in one transaction. When an item was moved meanwhile
// by someone else (ErrStale: a confirmed callback settled it while its answer
// or status was on the way), the changes are written one by one instead, and
// those of a moved item keep only their attempt's end: its state stays as the
// other writer left it. It returns the changes written whole.
func (r *run) record(ctx context.Context, changes []Change) ([]Change, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	err := r.Store.Apply(wctx, changes...)
	if err == nil || !errors.Is(err, ErrStale) {
		return changes, err
	}
	var done []Change
	for _, c := range changes {
		err := r.Store.Apply(wctx, c)
		switch {
		case err == nil:
			done = append(done, c)
			continue
		case !errors.Is(err, ErrStale):
			return done, err
		}
		r.log.Info("item settled elsewhere while its answer was on the way; its state stays", "item", c.ItemID, "to", c.To)
		if c.Attempt != nil {
			err := r.Store.Apply(wctx, Change{ItemID: c.ItemID, Attempt: c.Attempt})
			switch {
			case errors.Is(err, ErrStale):
				// a worker that took this one's claim for lost (its lease ran
				// out) closed the attempt as interrupted and settles the item:
				// the answer is kept with the item, its state left to that one
				r.log.Warn("the item's claim was recovered by another worker; it settles the item with the provider",
					"item", c.ItemID, "answer", c.Attempt.Outcome)
				if err := r.Store.Apply(wctx, lateAnswer(c)); err != nil {
					return done, err
				}
			case err != nil:
				return done, err
			}
		}
	}
	return done, nil
}

// lateAnswer keeps the answer c carried, whose attempt a recovery already
// closed, as an event of its item, without moving the item: evidence for a
// person or a reconciliation of what the provider said.
func lateAnswer(c Change) Change {
	a := c.Attempt
	detail := fmt.Sprintf("attempt %d: %s", a.ID, a.Outcome)
	if c.To != "" {
		detail += ", would have moved it " + string(c.From) + " → " + string(c.To)
	}
	ref := a.ProviderReference
	if ref == "" {
		ref = c.ProviderReference
	}
	return Change{ItemID: c.ItemID, Evidence: true, Cause: CauseLateAnswer, ProviderReference: ref,
		Message: details(detail, a.Response)}
}

// notify tells the log and the observer of a recorded change and returns the
// item as it now stands.
func (r *run) notify(it Item, c Change) Item {
	if c.To == "" {
		return it
	}
	it.State = c.To
	if c.Message != "" {
		it.Message = c.Message
	}
	if c.ProviderReference != "" {
		it.ProviderReference = c.ProviderReference
	}
	from := it.Provider
	if c.Provider != "" {
		it.Provider = c.Provider
	}
	r.log.Info("item", "row", it.Row, "provider", from, "from", c.From, "to", c.To, "cause", c.Cause)
	if c.To == Pending {
		r.pend(it)
	}
	if r.Observer != nil {
		r.Observer.Moved(it, c.From, c.To)
	}
	return it
}

func (r *run) held() []int64 {
	var out []int64
	for id, h := range r.Hold {
		if h {
			out = append(out, id)
		}
	}
	return out
}

func (r *run) crash(point string) {
	if r.Crash != nil {
		r.Crash(point)
	}
}

// applyEach records the changes of several claimed items in one transaction.
func (r *run) applyEach(ctx context.Context, claims []Claim, changes []Change) error {
	done, err := r.record(ctx, changes)
	if err != nil {
		return fmt.Errorf("record rows %d to %d: %w", claims[0].Item.Row, claims[len(claims)-1].Item.Row, err)
	}
	items := make(map[int64]Item, len(claims))
	for _, c := range claims {
		items[c.Item.ID] = c.Item
	}
	for _, c := range done {
		it := items[c.ItemID]
		items[c.ItemID] = r.notify(it, c)
	}
	return nil
}
