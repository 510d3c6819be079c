package batch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
}

// Observer hears of every state change the runner records.
type Observer interface {
	Moved(it Item, from, to State)
}

// Runner pays a batch's items through their providers' lanes, recording each step
// in the Store before taking the next. Run reads its fields and never changes
// them: a Runner may run several batches, one after the other or at once.
type Runner struct {
	Store       Store
	Lanes       map[string]Lane
	Observer    Observer
	Log         *slog.Logger // discarded when nil
	Description string       // sent with each payout
	// MaxRetries and RetryBase are the retry policy of lanes without their own
	// Caller (providers.Retry's Max and Base): resends of a request that was
	// not processed, 4 when 0, none when negative; the first backoff, 500ms
	// when 0.
	MaxRetries   int
	RetryBase    time.Duration
	PollInterval time.Duration // between status rounds; default 2s
	PendingWait  time.Duration // how long to poll pending items before leaving them to the next run; default 2m
	// Clock tells the time and waits (the poll rounds, the backoffs of the
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
	if ru.log == nil {
		ru.log = slog.New(slog.DiscardHandler)
	}
	if ru.clock == nil {
		ru.clock = providers.SystemClock
	}
	for name, l := range r.Lanes {
		c := l.Stacked(providers.Retry{Max: r.MaxRetries, Base: r.RetryBase}, ru.clock, ru.log)
		ru.lanes[name] = &lane{Lane: l, caller: c, workers: max(l.Concurrency, 1)}
	}
	return ru
}

// lane is a Lane at run time.
type lane struct {
	Lane
	caller  providers.Caller
	workers int         // items sent side by side
	halted  atomic.Bool // the provider keeps refusing to process: claim nothing more this run
	mu      sync.Mutex
	haltErr error // why, when it needs a person (credentials refused)
}

// Run pays every open item of b: it settles what a previous run left in doubt,
// sends what is planned, settles what became unknown, and polls what is pending
// until it is final or PendingWait has passed. It returns the batch's standing;
// an error means the run could not go on (the ledger failed, or ctx was cancelled).
func (r *Runner) Run(ctx context.Context, b Batch) (Summary, error) {
	return r.start(b).run(ctx, b)
}

func (r *run) run(ctx context.Context, b Batch) (Summary, error) {
	lanes := r.lanes
	if err := r.recoverSubmitting(ctx, b); err != nil {
		return Summary{}, err
	}
	items, err := r.Store.Items(ctx, b.ID)
	if err != nil {
		return Summary{}, fmt.Errorf("read items: %w", err)
	}
	for _, it := range items {
		if !it.State.Terminal() {
			if _, ok := lanes[it.Provider]; !ok {
				return Summary{}, fmt.Errorf("item row %d is routed to provider %q, which is not configured", it.Row, it.Provider)
			}
		}
	}
	// Lanes run side by side. An item that fails over to another provider is
	// planned again on that provider's lane, so lanes run in rounds until a
	// round moves nothing to another provider.
	for round := 0; round <= len(lanes); round++ {
		r.failovers.Store(0)
		g, gctx := errgroup.WithContext(ctx)
		for _, l := range lanes {
			g.Go(guard(func() error { return r.runLane(gctx, b, l) }))
		}
		if err = g.Wait(); err != nil || r.failovers.Load() == 0 {
			break
		}
	}
	if err == nil {
		err = r.poll(ctx, b, lanes)
	}
	for _, l := range lanes {
		if l.haltErr != nil {
			err = errors.Join(err, fmt.Errorf("%s stopped: %w", l.Provider.Name(), l.haltErr))
		}
	}
	sum, serr := r.summary(b)
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

func (r *run) summary(b Batch) (Summary, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	items, err := r.Store.Items(ctx, b.ID)
	if err != nil {
		return Summary{}, fmt.Errorf("read items: %w", err)
	}
	return Summarize(b, items), nil
}

// recoverSubmitting moves items a previous run left in Submitting to Unknown: their
// request may have left, and only the provider can say.
func (r *run) recoverSubmitting(ctx context.Context, b Batch) error {
	items, err := r.Store.Items(ctx, b.ID, Submitting)
	if err != nil {
		return fmt.Errorf("read submitting items: %w", err)
	}
	for _, it := range items {
		if err := r.apply(ctx, it, Change{ItemID: it.ID, From: Submitting, To: Unknown, CloseOpen: true,
			Cause:   "recovered: an earlier run ended before the provider's answer was recorded",
			Message: "outcome in doubt after an interrupted run"}); err != nil {
			return err
		}
	}
	return nil
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
	g, gctx := errgroup.WithContext(ctx)
	for range l.workers {
		g.Go(guard(func() error {
			// The answer to a worker's send is recorded while it claims its
			// next item, so that both reach the ledger in one group commit
			// (an answer a crash loses leaves its item submitting, which the
			// next run settles like any unknown). It is recorded before the
			// next request leaves, and the worker stops if it could not be.
			var recording chan error
			recorded := func(err error) error {
				if recording != nil {
					err = errors.Join(<-recording, err)
					recording = nil
				}
				return err
			}
			for !l.halted.Load() {
				if gctx.Err() != nil {
					return recorded(nil) // cancelled: nothing claimed, nothing sent
				}
				claims, err := r.Store.Claim(gctx, b.ID, name, size, r.held()...)
				if err := recorded(nil); err != nil {
					return err
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
				var record func() error
				if chunked {
					record, err = r.sendChunk(gctx, l, chunker, claims)
				} else {
					record, err = r.send(gctx, l, claims[0])
				}
				if err != nil {
					return err
				}
				recording = make(chan error, 1)
				go func() { recording <- guard(record)() }()
			}
			return recorded(nil)
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
func (r *run) send(ctx context.Context, l *lane, c Claim) (record func() error, err error) {
	it, attempt := c.Item, c.AttemptID
	p := r.payout(it)
	var ledgerErr error
	res, err := providers.Call(ctx, l.caller, providers.Op{Name: "send",
		BeforeRetry: func(ctx context.Context, _ int, err error) error {
			// the refused attempt is closed, the next one opened, before the resend leaves
			end := &AttemptEnd{ID: attempt, Outcome: OutcomeNotProcessed, Response: err.Error()}
			if ledgerErr = r.apply(ctx, it, Change{ItemID: it.ID, Attempt: end}); ledgerErr != nil {
				return ledgerErr
			}
			id, serr := r.Store.StartAttempt(context.WithoutCancel(ctx), it.ID, KindRetry, "")
			if serr != nil {
				ledgerErr = fmt.Errorf("start retry attempt: %w", serr)
				return ledgerErr
			}
			attempt = id
			return nil
		}},
		func(ctx context.Context) (providers.Result, error) {
			// once it leaves, a payout is not cut off by another lane's error
			// or Ctrl-C: its answer is waited for (the client's timeout bounds
			// it) and recorded, so it does not end in doubt for nothing
			res, err := l.Provider.Send(context.WithoutCancel(ctx), p)
			r.crash("after-answer")
			return res, err
		})
	if ledgerErr != nil {
		return nil, ledgerErr
	}
	r.refused(ctx, l, err)
	changes := r.sendOutcome(it, attempt, res, err)
	return func() error { return r.apply(ctx, it, changes...) }, nil
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
			Attempt: &AttemptEnd{ID: attempt, Outcome: OutcomeAccepted, ProviderReference: res.ProviderReference, Response: resultText(res)}}}
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
	items, err := r.Store.Items(ctx, b.ID, Unknown)
	if err != nil {
		return fmt.Errorf("read unknown items: %w", err)
	}
	settler, canSettle := l.Provider.(Settler)
	for _, it := range items {
		if it.Provider != l.Provider.Name() {
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
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
			if attempt, err = r.Store.StartAttempt(ctx, it.ID, KindSettle, ""); err != nil {
				return fmt.Errorf("start settle attempt: %w", err)
			}
			p := r.payout(it)
			res, err = providers.Call(ctx, l.caller, op, func(ctx context.Context) (providers.Result, error) {
				return settler.Settle(ctx, p)
			})
		default:
			if err := r.apply(ctx, it, Change{ItemID: it.ID, From: Unknown, To: Review,
				Cause:   fmt.Sprintf("%s cannot be asked about our reference and gave no reference of its own: a person must check", it.Provider),
				Message: "needs review: " + it.Message}); err != nil {
				return err
			}
			continue
		}
		if err := r.apply(ctx, it, settleOutcome(it, attempt, res, err)...); err != nil {
			return err
		}
	}
	return nil
}

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
		return []Change{{ItemID: it.ID, From: Unknown, To: stateOf(res.Status), Cause: "settled: the provider reported the payout",
			Message: res.Message, ProviderReference: res.ProviderReference, ProviderFee: res.Fee, Attempt: end}}
	case providers.ErrRejected:
		if attempt != 0 {
			end = &AttemptEnd{ID: attempt, Outcome: OutcomeRefused, Response: err.Error()}
		}
		return []Change{{ItemID: it.ID, From: Unknown, To: Failed, Cause: "settled: the provider refused the payout and holds none under our reference",
			Message: err.Error(), Attempt: end}}
	case providers.ErrDuplicate:
		if attempt != 0 {
			end = &AttemptEnd{ID: attempt, Outcome: OutcomeDuplicate, Response: err.Error()}
		}
		return []Change{{ItemID: it.ID, From: Unknown, To: Review, Cause: "a payout exists under our reference but the provider did not return it: a person must check",
			Message: err.Error(), Attempt: end}}
	default:
		if attempt != 0 {
			end = &AttemptEnd{ID: attempt, Outcome: OutcomeUnknown, Response: err.Error()}
			return []Change{{ItemID: it.ID, Attempt: end}}
		}
		return nil // a failed lookup changes nothing; the next run asks again
	}
}

// poll asks for the status of pending items until all are final, PendingWait has
// passed or ctx is cancelled. What stays pending is left for the next run.
func (r *run) poll(ctx context.Context, b Batch, lanes map[string]*lane) error {
	deadline := r.clock.Now().Add(r.PendingWait)
	for {
		items, err := r.Store.Items(ctx, b.ID, Pending)
		if err != nil {
			return fmt.Errorf("read pending items: %w", err)
		}
		if len(items) == 0 || !r.clock.Now().Before(deadline) {
			return nil
		}
		if err := r.clock.Sleep(ctx, r.PollInterval); err != nil {
			return err
		}
		byLane := map[string][]Item{}
		for _, it := range items {
			byLane[it.Provider] = append(byLane[it.Provider], it)
		}
		g, gctx := errgroup.WithContext(ctx)
		for name, its := range byLane {
			l := lanes[name]
			if l == nil {
				continue
			}
			g.Go(guard(func() error { return r.checkAll(gctx, l, its) }))
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
}

func (r *run) checkAll(ctx context.Context, l *lane, items []Item) error {
	// the next round asks again: no resend within a round
	op := providers.Op{Name: "status", Idempotent: true, Retries: -1}
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := providers.Call(ctx, l.caller, op, func(ctx context.Context) (providers.Result, error) {
			return l.Provider.Check(ctx, it.ProviderReference)
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // interrupted: not a provider's failure, nothing to warn about
			}
			r.log.Warn("status check failed", "row", it.Row, "provider", it.Provider, "err", err)
			continue
		}
		to := stateOf(res.Status)
		if to == Pending {
			continue
		}
		if err := r.apply(ctx, it, Change{ItemID: it.ID, From: Pending, To: to,
			Cause: "provider reported the final status", Message: res.Message, ProviderFee: res.Fee}); err != nil {
			return err
		}
	}
	return nil
}

// apply records changes even when ctx is cancelled: an answer that came back must
// reach the ledger, or the next run would have to settle it.
func (r *run) apply(ctx context.Context, it Item, changes ...Change) error {
	if len(changes) == 0 {
		return nil
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := r.Store.Apply(wctx, changes...); err != nil {
		return fmt.Errorf("record row %d: %w", it.Row, err)
	}
	for _, c := range changes {
		it = r.notify(it, c)
	}
	return nil
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
	if len(changes) == 0 {
		return nil
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := r.Store.Apply(wctx, changes...); err != nil {
		return fmt.Errorf("record rows %d to %d: %w", claims[0].Item.Row, claims[len(claims)-1].Item.Row, err)
	}
	items := make(map[int64]Item, len(claims))
	for _, c := range claims {
		items[c.Item.ID] = c.Item
	}
	for _, c := range changes {
		it := items[c.ItemID]
		items[c.ItemID] = r.notify(it, c)
	}
	return nil
}
