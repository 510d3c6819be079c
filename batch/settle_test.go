package batch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"bulkpay/providers"
	"bulkpay/providers/providerstest"
)

// bound is how long a test waits for something the run must do before it
// gives up: never reached when the runner works.
const bound = 10 * time.Second

// call is one request a script provider answered, at the clock's time.
type call struct {
	op  string // send or check
	ref string // ours for a send, the provider's for a check
	at  time.Time
}

// script is a provider that accepts every payout as pending and answers
// status checks as answer says; it records each call with the clock's time.
// beforeSend and beforeCheck, when set, run first (a test holds a call there).
type script struct {
	name        string
	clock       *providerstest.Clock
	answer      func(ref string, n int) providers.Status // the n-th check (from 1) of ref
	beforeSend  func(ctx context.Context, n int) error   // the n-th send (from 1)
	beforeCheck func(ref string, n int)

	mu     sync.Mutex
	calls  []call
	sends  int
	checks map[string]int
}

func newScript(name string, clock *providerstest.Clock, answer func(ref string, n int) providers.Status) *script {
	return &script{name: name, clock: clock, answer: answer, checks: map[string]int{}}
}

func (s *script) Name() string { return s.name }

func (s *script) Send(ctx context.Context, p providers.Payout) (providers.Result, error) {
	s.mu.Lock()
	s.sends++
	n := s.sends
	s.mu.Unlock()
	if s.beforeSend != nil {
		if err := s.beforeSend(ctx, n); err != nil {
			return providers.Result{}, err
		}
	}
	s.record("send", p.Reference)
	return providers.Result{Status: providers.StatusPending, ProviderReference: "p-" + p.Reference}, nil
}

func (s *script) Check(ctx context.Context, ref string) (providers.Result, error) {
	s.mu.Lock()
	s.checks[ref]++
	n := s.checks[ref]
	s.mu.Unlock()
	if s.beforeCheck != nil {
		s.beforeCheck(ref, n)
	}
	s.record("check", ref)
	return providers.Result{Status: s.answer(ref, n), ProviderReference: ref}, nil
}

func (s *script) record(op, ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call{op: op, ref: ref, at: s.clock.Now()})
}

func (s *script) log() []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]call(nil), s.calls...)
}

// checkTimes returns when each check was made, as offsets from since.
func (s *script) checkTimes(since time.Time) []time.Duration {
	var out []time.Duration
	for _, c := range s.log() {
		if c.op == "check" {
			out = append(out, c.at.Sub(since))
		}
	}
	return out
}

func pendingUntil(n int) func(string, int) providers.Status {
	return func(_ string, i int) providers.Status {
		if i < n {
			return providers.StatusPending
		}
		return providers.StatusSucceeded
	}
}

func alwaysPending(string, int) providers.Status { return providers.StatusPending }

// waitFor waits for ch to close, within bound.
func waitFor(ctx context.Context, ch <-chan struct{}, what string) error {
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(bound):
		return fmt.Errorf("%s did not happen", what)
	}
}

// settleEnv is a batch in memory whose items are paid by script providers, on
// a clock that never sleeps.
type settleEnv struct {
	st    *batchtest.Memory
	clock *providerstest.Clock
	b     batch.Batch
}

// newSettleEnv plans n[provider] rows for each provider (campay or mycoolpay).
func newSettleEnv(t *testing.T, n map[string]int) *settleEnv {
	t.Helper()
	clock := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	st := batchtest.NewMemory(batchtest.WithClock(clock.Now))
	var rows []batch.Row
	for i := 0; i < n["campay"]; i++ {
		rows = append(rows, batch.Row{Row: len(rows) + 2, Name: fmt.Sprintf("Campay %d", i), Phone: fmt.Sprintf("2376771%05d", i),
			Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 1000})
	}
	for i := 0; i < n["mycoolpay"]; i++ {
		rows = append(rows, batch.Row{Row: len(rows) + 2, Name: fmt.Sprintf("CoolPay %d", i), Phone: fmt.Sprintf("23769%07d", i),
			Country: "CM", Operator: "Orange", Mode: batch.ModeMobileMoney, Amount: 1000, Provider: "mycoolpay"})
	}
	router := batch.Routes{Rules: batch.DefaultRules, Configured: map[string]bool{"campay": true, "mycoolpay": true}}
	b, items, errs := batch.Plan("settle", "s.csv", "XAF", rows, router)
	require.Empty(t, errs)
	b, _, err := batch.Prepare(context.Background(), st, b, items, rows)
	require.NoError(t, err)
	return &settleEnv{st: st, clock: clock, b: b}
}

func (e *settleEnv) runner(ps ...*script) *batch.Runner {
	lanes := map[string]batch.Lane{}
	for _, p := range ps {
		lanes[p.name] = batch.Lane{Provider: p, Concurrency: 1}
	}
	return &batch.Runner{Store: e.st, Lanes: lanes, Clock: e.clock,
		PollInterval: 100 * time.Millisecond, PollCap: 300 * time.Millisecond, PendingWait: time.Minute}
}

func (e *settleEnv) item(t *testing.T, row int) batch.Item {
	t.Helper()
	items, err := e.st.Items(context.Background(), e.b.ID)
	require.NoError(t, err)
	for _, it := range items {
		if it.Row == row {
			return it
		}
	}
	t.Fatalf("no row %d", row)
	return batch.Item{}
}

func TestStatusChecksBackOffFromAcceptanceUpToTheCap(t *testing.T) {
	t.Parallel()
	e := newSettleEnv(t, map[string]int{"campay": 1})
	p := newScript("campay", e.clock, pendingUntil(5))
	sum, err := e.runner(p).Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Counts[batch.Succeeded])
	calls := p.log()
	require.Equal(t, "send", calls[0].op)
	ms := time.Millisecond
	assert.Equal(t, []time.Duration{100 * ms, 300 * ms, 600 * ms, 900 * ms, 1200 * ms}, p.checkTimes(calls[0].at),
		"first check PollInterval after acceptance, then waits of 200ms, and 300ms (PollCap) from then on")
}

func TestPendingWaitLeavesAnItemToTheNextRunWhichChecksItAtOnce(t *testing.T) {
	t.Parallel()
	e := newSettleEnv(t, map[string]int{"campay": 1})
	p := newScript("campay", e.clock, alwaysPending)
	r := e.runner(p)
	r.PendingWait = time.Second
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Counts[batch.Pending], "left pending to the next run")
	ms := time.Millisecond
	assert.Equal(t, []time.Duration{100 * ms, 300 * ms, 600 * ms, 900 * ms, 1000 * ms}, p.checkTimes(p.log()[0].at),
		"checked on the backoff schedule, a last time at PendingWait, then no more")

	next := newScript("campay", e.clock, pendingUntil(1))
	start := e.clock.Now()
	sum, err = e.runner(next).Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Counts[batch.Succeeded])
	assert.Equal(t, []time.Duration{0}, next.checkTimes(start), "an item pending from an earlier run is checked at once")
	assert.Len(t, next.log(), 1, "and not sent again")
}

func TestNegativePendingWaitChecksNothing(t *testing.T) {
	t.Parallel()
	e := newSettleEnv(t, map[string]int{"campay": 2})
	p := newScript("campay", e.clock, pendingUntil(1))
	r := e.runner(p)
	r.PendingWait = -1
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Counts[batch.Pending])
	assert.Empty(t, p.checkTimes(e.clock.Now()))
}

func TestStatusChecksStartWhileSendsAreStillGoing(t *testing.T) {
	t.Parallel()
	e := newSettleEnv(t, map[string]int{"campay": 5})
	checked := make(chan struct{})
	var once sync.Once
	p := newScript("campay", e.clock, pendingUntil(1))
	p.beforeCheck = func(string, int) { once.Do(func() { close(checked) }) }
	// the third payout leaves only once an earlier one was checked: a runner
	// that checks after sending everything would never get there
	p.beforeSend = func(ctx context.Context, n int) error {
		if n == 3 {
			return waitFor(ctx, checked, "a status check")
		}
		return nil
	}
	r := e.runner(p)
	// two in flight: a payout held at the provider leaves room for a check
	r.Lanes["campay"] = batch.Lane{Provider: p, Concurrency: 2}
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 5, sum.Counts[batch.Succeeded], "no payout waited in vain")
	var ops []string
	for _, c := range p.log() {
		ops = append(ops, c.op)
	}
	lastSend := len(ops) - 1
	for ops[lastSend] != "send" {
		lastSend--
	}
	assert.Less(t, slices.Index(ops, "check"), lastSend, "a check before the last send: %v", ops)
}

// finals is an Observer that closes a channel when the row it waits for
// becomes final, and keeps the items it heard of.
type finals struct {
	row  int
	done chan struct{}
	once sync.Once
	mu   sync.Mutex
	seen []batch.Item
}

func (f *finals) ShowsItems() bool { return true }

func (f *finals) Moved(it batch.Item, from, to batch.State) {
	f.mu.Lock()
	f.seen = append(f.seen, it)
	f.mu.Unlock()
	if it.Row == f.row && to.Terminal() {
		f.once.Do(func() { close(f.done) })
	}
}

func TestALaneThatSentEverythingSettlesWhileAnotherStillSends(t *testing.T) {
	t.Parallel()
	e := newSettleEnv(t, map[string]int{"campay": 1, "mycoolpay": 3})
	obs := &finals{row: 2, done: make(chan struct{})} // row 2: the one CamPay item
	campay := newScript("campay", e.clock, pendingUntil(1))
	coolpay := newScript("mycoolpay", e.clock, pendingUntil(1))
	// My-CoolPay's second payout waits until CamPay's item is final
	coolpay.beforeSend = func(ctx context.Context, n int) error {
		if n == 2 {
			return waitFor(ctx, obs.done, "CamPay's item settling")
		}
		return nil
	}
	r := e.runner(campay, coolpay)
	r.Observer = obs
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 4, sum.Counts[batch.Succeeded])
	obs.mu.Lock()
	defer obs.mu.Unlock()
	var final batch.Item
	for _, it := range obs.seen {
		if it.Row == 2 && it.State == batch.Succeeded {
			final = it
		}
	}
	assert.Equal(t, "Campay 0", final.Name, "the observer hears of the whole item, read back from the store")
	assert.Equal(t, int64(1000), final.Amount)
}

func TestStatusChecksGoThroughTheirOwnPaceWhenTheLaneHasOne(t *testing.T) {
	t.Parallel()
	e := newSettleEnv(t, map[string]int{"campay": 3})
	p := newScript("campay", e.clock, pendingUntil(2))
	sends := &opsSeen{next: providers.Stack(providers.Options{Provider: "campay", Rate: 5, Clock: e.clock})}
	checks := &opsSeen{next: providers.Stack(providers.Options{Provider: "campay", Rate: 50, Concurrency: 2, Clock: e.clock})}
	r := e.runner(p)
	r.Lanes["campay"] = batch.Lane{Provider: p, Caller: sends, Status: &batch.Pace{Caller: checks}}
	sum, err := r.Run(context.Background(), e.b)
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Counts[batch.Succeeded])
	_, n := sends.op("send")
	assert.Equal(t, 3, n)
	_, n = sends.op("status")
	assert.Zero(t, n, "no check through the sends' limit")
	_, n = checks.op("status")
	assert.Equal(t, 6, n, "two checks an item, through the status limit")
	_, n = checks.op("send")
	assert.Zero(t, n)

	// without a pace of their own, checks share the lane's Caller
	e = newSettleEnv(t, map[string]int{"campay": 2})
	p = newScript("campay", e.clock, pendingUntil(1))
	shared := &opsSeen{next: providers.Stack(providers.Options{Provider: "campay", Clock: e.clock})}
	r = e.runner(p)
	r.Lanes["campay"] = batch.Lane{Provider: p, Caller: shared}
	_, err = r.Run(context.Background(), e.b)
	require.NoError(t, err)
	_, sent := shared.op("send")
	_, checked := shared.op("status")
	assert.Equal(t, []int{2, 2}, []int{sent, checked})
}

func TestAnItemSettledOutsideTheRunIsNotCheckedAgain(t *testing.T) {
	t.Parallel()
	e := newSettleEnv(t, map[string]int{"campay": 1})
	item := e.item(t, 2)
	checking, settled := make(chan struct{}), make(chan struct{})
	p := newScript("campay", e.clock, alwaysPending)
	// the first check is under way when a callback records the payout final
	p.beforeCheck = func(_ string, n int) {
		if n == 1 {
			close(checking)
			_ = waitFor(context.Background(), settled, "the callback")
		}
	}
	run := e.runner(p).Start(e.b)
	assert.False(t, run.Settled(item.ID), "nothing is due before the run pays")
	done := make(chan error, 1)
	var sum batch.Summary
	go func() {
		var err error
		sum, err = run.Pay(context.Background())
		done <- err
	}()
	require.NoError(t, waitFor(context.Background(), checking, "the first check"))
	// what a callback does: record the final state, then tell the run
	require.NoError(t, e.st.Apply(context.Background(), batch.Change{ItemID: item.ID, From: batch.Pending, To: batch.Succeeded,
		Cause: "provider's callback"}))
	assert.True(t, run.Settled(item.ID), "its check was under way")
	assert.False(t, run.Settled(item.ID), "and is forgotten")
	close(settled)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(bound):
		t.Fatal("the run did not end")
	}
	assert.Equal(t, 1, sum.Counts[batch.Succeeded])
	assert.Len(t, p.checkTimes(e.clock.Now()), 1, "the answer still pending is not asked again: the run ends")
}

func TestACheckThatFindsTheItemMovedDoesNotFailTheRun(t *testing.T) {
	t.Parallel()
	e := newSettleEnv(t, map[string]int{"campay": 2})
	item := e.item(t, 2)
	p := newScript("campay", e.clock, func(ref string, n int) providers.Status { return providers.StatusFailed })
	// the provider's answer to row 2 crosses a callback that recorded it first
	p.beforeCheck = func(ref string, n int) {
		if ref == "p-"+item.Reference {
			assert.NoError(t, e.st.Apply(context.Background(), batch.Change{ItemID: item.ID, From: batch.Pending, To: batch.Succeeded,
				Cause: "provider's callback"}))
		}
	}
	sum, err := e.runner(p).Run(context.Background(), e.b)
	require.NoError(t, err, "a stale check is no failure of the run")
	assert.Equal(t, batch.Succeeded, e.item(t, 2).State, "what the callback recorded stands")
	assert.Equal(t, batch.Failed, e.item(t, 3).State, "the other item is settled by its check")
	assert.Equal(t, 1, sum.Counts[batch.Succeeded])
}

func TestASessionStacksTheStatusChecksOwnPaceOnce(t *testing.T) {
	t.Parallel()
	clock := providerstest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	pace := &batch.Pace{Rate: 50, Concurrency: 2}
	s, _ := sandboxSession(t, clock, []batch.Item{{Row: 2, Reference: "r2", Provider: "campay", Phone: "237677000002", Amount: 1000}},
		map[string]batch.Lane{"campay": {Provider: newScript("campay", clock, alwaysPending), Rate: 5, Status: pace}})
	l := s.Conn.Lanes["campay"]
	require.NotNil(t, l.Status)
	assert.NotNil(t, l.Status.Caller, "the status checks' Caller, stacked for the session")
	assert.NotSame(t, l.Caller, l.Status.Caller, "apart from the payouts'")
	assert.Equal(t, 2, l.Status.Concurrency)
	assert.Nil(t, pace.Caller, "the connection's own pace is left as it was")
}

func TestAnAnswerThatFindsTheItemSettledByACallbackDoesNotFailTheRun(t *testing.T) {
	t.Parallel()
	e := newSettleEnv(t, map[string]int{"campay": 2})
	item := e.item(t, 2)
	p := newScript("campay", e.clock, func(ref string, n int) providers.Status { return providers.StatusSucceeded })
	// a confirmed callback settles row 2 while the answer to its send is on the way
	p.beforeSend = func(ctx context.Context, n int) error {
		if n == 1 {
			assert.NoError(t, e.st.Apply(context.Background(), batch.Change{ItemID: item.ID, From: batch.Submitting, To: batch.Succeeded,
				Cause: "callback"}))
		}
		return nil
	}
	sum, err := e.runner(p).Run(context.Background(), e.b)
	require.NoError(t, err, "an answer that finds its item settled is no failure of the run")
	assert.Equal(t, batch.Succeeded, e.item(t, 2).State, "what the callback recorded stands")
	attempts, err := e.st.Attempts(context.Background(), item.ID)
	require.NoError(t, err)
	require.Len(t, attempts, 1)
	assert.Equal(t, batch.OutcomeAccepted, attempts[0].Outcome, "the send's attempt is closed with its answer")
	assert.Equal(t, batch.Succeeded, e.item(t, 3).State, "the other item is paid and checked")
	assert.Equal(t, 2, sum.Counts[batch.Succeeded])
}

func TestItemsACallbackIsExpectedForArePolledAtTheSlowerPace(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	tests := []struct {
		name      string
		callbacks bool
		delay     time.Duration // Runner.CallbackPollDelay
		want      []time.Duration
	}{
		{"no callback expected: PollInterval, doubling up to PollCap", false, 2 * time.Second,
			[]time.Duration{100 * ms, 300 * ms, 600 * ms, 900 * ms}},
		{"a callback expected: first at the delay, then every delay (the longer of it and PollCap)", true, 2 * time.Second,
			[]time.Duration{2000 * ms, 4000 * ms, 6000 * ms, 8000 * ms}},
		{"a delay shorter than PollInterval is PollInterval", true, 10 * ms,
			[]time.Duration{100 * ms, 300 * ms, 600 * ms, 900 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newSettleEnv(t, map[string]int{"campay": 1})
			p := newScript("campay", e.clock, pendingUntil(4))
			r := e.runner(p)
			r.Lanes["campay"] = batch.Lane{Provider: p, Concurrency: 1, Callbacks: tt.callbacks}
			r.CallbackPollDelay = tt.delay
			r.PollCap = 300 * ms
			sum, err := r.Run(context.Background(), e.b)
			require.NoError(t, err)
			assert.Equal(t, 1, sum.Counts[batch.Succeeded])
			assert.Equal(t, tt.want, p.checkTimes(p.log()[0].at))
		})
	}
}

func TestACallbackSettlesAnItemBeforeItsSlowCheckWhichIsThenNotMade(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		callbacks bool
		checks    int // status requests the provider gets
	}{
		{"a callback expected: the ledger is read, the provider not asked", true, 0},
		{"no callback expected: the provider is asked, its answer finds the item moved", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newSettleEnv(t, map[string]int{"campay": 1})
			item := e.item(t, 2)
			p := newScript("campay", e.clock, pendingUntil(1))
			// a callback confirmed in another process (a CLI run's batch,
			// serve's callback) settles the item right after it is accepted:
			// the run is not told, only the ledger knows
			obs := &settler{st: e.st, id: item.ID}
			r := e.runner(p)
			r.Observer = obs
			r.Lanes["campay"] = batch.Lane{Provider: p, Concurrency: 1, Callbacks: tt.callbacks}
			r.CallbackPollDelay = 10 * time.Second
			start := e.clock.Now()
			sum, err := r.Run(context.Background(), e.b)
			require.NoError(t, err)
			assert.Equal(t, 1, sum.Counts[batch.Succeeded], "what the callback recorded stands")
			assert.Len(t, p.checkTimes(e.clock.Now()), tt.checks)
			assert.LessOrEqual(t, e.clock.Now().Sub(start), 100*time.Millisecond,
				"the run ends once the ledger shows the item final (read every PollInterval), not at its slow check")
		})
	}
}

// settler records item id succeeded, as a confirmed callback would, as soon
// as the run records it pending.
type settler struct {
	st *batchtest.Memory
	id int64
}

func (s *settler) Moved(it batch.Item, from, to batch.State) {
	if it.ID == s.id && to == batch.Pending {
		_ = s.st.Apply(context.Background(), batch.Change{ItemID: s.id, From: batch.Pending, To: batch.Succeeded,
			Cause: batch.CauseCallback, Actor: batch.CallbackActor("campay")})
	}
}

// answerFails is a store that fails to record the first answer that makes an
// item pending, as a full disk would, and takes every other change.
type answerFails struct {
	*batchtest.Memory
	mu     sync.Mutex
	failed bool
}

func (s *answerFails) Apply(ctx context.Context, changes ...batch.Change) error {
	s.mu.Lock()
	for _, c := range changes {
		if c.To == batch.Pending && !s.failed {
			s.failed = true
			s.mu.Unlock()
			return errors.New("disk full")
		}
	}
	s.mu.Unlock()
	return s.Memory.Apply(ctx, changes...)
}

func TestItemsClaimedWhileAnAnswerFailsToRecordArePlannedAgain(t *testing.T) {
	t.Parallel()
	e := newSettleEnv(t, map[string]int{"campay": 3})
	p := newScript("campay", e.clock, pendingUntil(1))
	r := e.runner(p)
	r.Store = &answerFails{Memory: e.st}
	_, err := r.Run(context.Background(), e.b)
	require.ErrorContains(t, err, "disk full", "the run stops: an answer it cannot record")
	sends := 0
	for _, c := range p.log() {
		if c.op == "send" {
			sends++
		}
	}
	assert.Equal(t, 1, sends, "nothing more is sent")
	assert.Equal(t, batch.Submitting, e.item(t, 2).State, "the answer not recorded: the next run recovers it")
	assert.Equal(t, batch.Planned, e.item(t, 3).State, "claimed while the answer was recorded, not sent: planned again")
	assert.Equal(t, batch.Planned, e.item(t, 4).State)
	atts, err := e.st.Attempts(context.Background(), e.item(t, 3).ID)
	require.NoError(t, err)
	require.Len(t, atts, 1)
	assert.Equal(t, batch.OutcomeNotProcessed, atts[0].Outcome, "its attempt closed: never sent")
}
