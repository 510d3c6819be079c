package batch_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"bulkpay/providers"
	"bulkpay/providers/providerstest"
)

// sessionEnv is a session's request against a memory store, with what it said.
type sessionEnv struct {
	st        *batchtest.Memory
	said      []string
	connected int
	held      bool
	clock     *providerstest.Clock
	conn      *batch.Connection
}

func newSessionEnv() *sessionEnv {
	e := &sessionEnv{st: batchtest.NewMemory(batchtest.WithClock(func() time.Time { return nov25 })), clock: providerstest.NewClock(nov25)}
	e.conn = &batch.Connection{Lanes: lanesOf(&fakeProvider{name: "campay", balances: []providers.Balance{{Account: "MTN", Amount: 100000}}}),
		Sandbox: true, Where: "sandbox at http://127.0.0.1:8089"}
	return e
}

func (e *sessionEnv) request(cur batch.Endpoint) batch.SessionRequest {
	return batch.SessionRequest{Endpoint: cur, Actor: "awa", Continue: "bulkpay resume paie --sandbox http://127.0.0.1:8089",
		Connect: func(context.Context) (*batch.Connection, error) { e.connected++; return e.conn, nil },
		Owner:   batch.Owner{PID: 1, Host: "here"}, Clock: e.clock, Held: func() { e.held = true },
		Say: func(format string, args ...any) { e.said = append(e.said, fmt.Sprintf(format, args...)) }}
}

func TestOpenSessionChecksWhereTheBatchIsPaid(t *testing.T) {
	t.Parallel()
	sbx := batch.SandboxEndpoint("http://127.0.0.1:8089")
	other := batch.SandboxEndpoint("http://127.0.0.1:9999")
	live := batch.LiveEndpoint(map[string]string{"campay": "https://www.campay.net/api"})
	sent := batch.Item{State: batch.Succeeded, Attempts: 1}
	for _, tc := range []struct {
		name     string
		b        batch.Batch
		items    []batch.Item
		cur      batch.Endpoint
		change   bool
		refusal  string
		recorded string // the event recorded, if any
	}{
		{"where it was paid", batch.Batch{Sandbox: true, Endpoint: sbx}, []batch.Item{sent}, sbx, false, "", ""},
		{"nothing recorded yet: recorded now", batch.Batch{Sandbox: true}, nil, sbx, false, "", "paid through: the sandbox at http://127.0.0.1:8089"},
		{"a sandbox batch on real providers", batch.Batch{Sandbox: true, Endpoint: sbx}, nil, live, false, "cannot be continued with real providers", ""},
		{"a real batch on the sandbox", batch.Batch{Endpoint: live}, nil, sbx, true, "moves real money; it cannot be continued on the sandbox", ""},
		{"another sandbox before anything was sent", batch.Batch{Sandbox: true, Endpoint: sbx}, []batch.Item{{State: batch.Planned}}, other, false, "",
			"endpoint changed before anything was sent: from the sandbox at http://127.0.0.1:8089 to the sandbox at http://127.0.0.1:9999"},
		{"another sandbox once paying", batch.Batch{Sandbox: true, Endpoint: sbx}, []batch.Item{sent}, other, false,
			"was paid through the sandbox at http://127.0.0.1:8089, and this command would use the sandbox at http://127.0.0.1:9999", ""},
		{"another sandbox, on purpose", batch.Batch{Sandbox: true, Endpoint: sbx}, []batch.Item{sent}, other, true, "",
			"endpoint changed (--change-endpoint): from the sandbox at http://127.0.0.1:8089 to the sandbox at http://127.0.0.1:9999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSessionEnv()
			tc.b.Reference = "paie"
			b, _ := seed(t, e.st, tc.b, tc.items...)
			req := e.request(tc.cur)
			req.ChangeEndpoint = tc.change
			s, err := batch.OpenSession(context.Background(), e.st, b, req)
			if tc.refusal != "" {
				assert.ErrorContains(t, err, tc.refusal)
				assert.ErrorContains(t, err, "`bulkpay resume paie --sandbox http://127.0.0.1:8089`", "names the command that continues it")
				assert.Zero(t, e.connected, "a refused batch starts no sandbox")
				assert.Zero(t, counted(t, e.st, b.ID, batch.CauseRunStarted), "nor takes the lock")
				assert.False(t, e.held)
				return
			}
			require.NoError(t, err)
			defer s.Close()
			assert.True(t, e.held)
			assert.Equal(t, tc.cur, s.Batch.Endpoint, "the session's batch says where it is paid now")
			if tc.recorded != "" {
				assert.Equal(t, []string{tc.recorded}, notes(t, e.st, b.ID))
			} else {
				assert.Empty(t, notes(t, e.st, b.ID))
			}
			assert.Equal(t, tc.cur, stored(t, e.st, "paie").Endpoint, "the store says where it is paid now")
			assert.Contains(t, e.said, "SANDBOX: no real money moves (sandbox at http://127.0.0.1:8089)")
		})
	}
}

func TestOpenSessionRefusesADamagedLedger(t *testing.T) {
	t.Parallel()
	e := newSessionEnv()
	b, _ := seed(t, e.st, batch.Batch{Reference: "paie", Sandbox: true})
	e.st.Fail("Check", errors.New("the ledger file is damaged"))
	_, err := batch.OpenSession(context.Background(), e.st, b, e.request(batch.SandboxEndpoint("http://127.0.0.1:8089")))
	assert.ErrorContains(t, err, "damaged")
	assert.Zero(t, e.connected)
}

func TestOpenSessionWaitsForTheLockAsTold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		lockedFor int // the other run lets go after this many waits
		wait      batch.Wait
		held      bool
		waits     []time.Duration
		said      string
	}{
		{"held, no waiting", 1, batch.Wait{}, false, nil, ""},
		{"waits as long as it takes", 3, batch.Wait{On: true}, true, []time.Duration{batch.LockPause, batch.LockPause, batch.LockPause},
			"batch paie is being run by pid 4242 on other since 2026-11-25T08:00:00Z: waiting for it to finish"},
		{"waits within its bound", 2, batch.Wait{On: true, Bound: 5 * time.Second}, true, []time.Duration{batch.LockPause, batch.LockPause}, "(at most 5s)"},
		{"gives up at its bound", 100, batch.Wait{On: true, Bound: 5 * time.Second}, false, []time.Duration{batch.LockPause, batch.LockPause, time.Second}, "(at most 5s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSessionEnv()
			b, _ := seed(t, e.st, batch.Batch{Reference: "paie", Sandbox: true, Endpoint: batch.SandboxEndpoint("http://127.0.0.1:8089")})
			req := e.request(b.Endpoint)
			req.Clock = otherRun(t, e, b, tc.lockedFor)
			req.Wait = tc.wait
			s, err := batch.OpenSession(context.Background(), e.st, b, req)
			assert.Equal(t, tc.waits, e.clock.Slept(), "waits on the clock")
			if tc.said != "" {
				assert.Contains(t, strings.Join(e.said, "\n"), tc.said)
			}
			if tc.held {
				require.NoError(t, err)
				s.Close()
				evs := batchEvents(t, e.st, b.ID)
				assert.Equal(t, "run ended: pid 1 on here", evs[len(evs)-1].Cause+": "+evs[len(evs)-1].Detail, "the lock is given back")
				return
			}
			assert.ErrorIs(t, err, batch.ErrHeld, "held by another run")
			var le *batch.LockedError
			assert.ErrorAs(t, err, &le)
			assert.False(t, e.held)
			if tc.wait.Bound > 0 {
				assert.ErrorContains(t, err, "still running after waiting 5s")
			}
		})
	}
	e := newSessionEnv()
	b, _ := seed(t, e.st, batch.Batch{Reference: "paie", Sandbox: true, Endpoint: batch.SandboxEndpoint("http://127.0.0.1:8089")})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := e.request(b.Endpoint)
	req.Clock = otherRun(t, e, b, 100)
	req.Wait = batch.Wait{On: true}
	_, err := batch.OpenSession(ctx, e.st, b, req)
	assert.ErrorIs(t, err, batch.ErrInterrupted, "Ctrl-C while waiting")
}

func TestARunThatLosesTheRaceForABatchWritesNothing(t *testing.T) {
	t.Parallel()
	sbx := batch.SandboxEndpoint("http://127.0.0.1:8089")
	other := batch.SandboxEndpoint("http://127.0.0.1:9999")
	for _, tc := range []struct {
		name     string
		recorded batch.Endpoint // where the batch is recorded as paid when read
		winner   batch.Endpoint // where the run holding it records it meanwhile
		loser    batch.Endpoint // where the losing run would pay it
	}{
		{"nothing recorded yet, the same endpoint", batch.Endpoint{}, sbx, sbx},
		{"nothing recorded yet, another endpoint", batch.Endpoint{}, sbx, other},
		{"read before the holder moved it", sbx, other, sbx},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSessionEnv()
			b, _ := seed(t, e.st, batch.Batch{Reference: "paie", Sandbox: true, Endpoint: tc.recorded}, batch.Item{State: batch.Planned})
			// the batch as the losing run read it, before the winner took it
			read := stored(t, e.st, "paie")
			otherRun(t, e, b, 100)
			require.NoError(t, e.st.SetEndpoint(context.Background(), b.ID, tc.winner, "paid through", tc.winner.String(), "winner"))
			before, err := e.st.Events(context.Background(), b.ID, 0)
			require.NoError(t, err)

			_, err = batch.OpenSession(context.Background(), e.st, read, e.request(tc.loser))
			assert.ErrorIs(t, err, batch.ErrHeld)
			after, err := e.st.Events(context.Background(), b.ID, 0)
			require.NoError(t, err)
			assert.Equal(t, before, after, "the losing run writes no event")
			assert.Equal(t, tc.winner, stored(t, e.st, "paie").Endpoint, "nor where the batch is paid")
			assert.Zero(t, e.connected, "nor starts a sandbox")
			assert.False(t, e.held)
		})
	}
}

func TestTheHolderChecksWhereTheBatchIsPaidAsTheLedgerHoldsItNow(t *testing.T) {
	t.Parallel()
	sbx := batch.SandboxEndpoint("http://127.0.0.1:8089")
	other := batch.SandboxEndpoint("http://127.0.0.1:9999")
	e := newSessionEnv()
	b, _ := seed(t, e.st, batch.Batch{Reference: "paie", Sandbox: true}, batch.Item{State: batch.Succeeded, Attempts: 1})
	read := stored(t, e.st, "paie") // nothing recorded when this run read it
	// another run recorded where it pays, paid and let go meanwhile
	require.NoError(t, e.st.SetEndpoint(context.Background(), b.ID, sbx, "paid through", sbx.String(), "first"))

	_, err := batch.OpenSession(context.Background(), e.st, read, e.request(other))
	assert.ErrorContains(t, err, "was paid through the sandbox at http://127.0.0.1:8089, and this command would use the sandbox at http://127.0.0.1:9999")
	assert.Equal(t, sbx, stored(t, e.st, "paie").Endpoint, "where the first run paid it stays recorded")
	assert.Zero(t, e.connected)
	assert.False(t, e.held)

	s, err := batch.OpenSession(context.Background(), e.st, read, e.request(sbx))
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, sbx, s.Batch.Endpoint)
	assert.Equal(t, []string{"paid through: the sandbox at http://127.0.0.1:8089"}, notes(t, e.st, b.ID), "recorded once")
}

// otherRun takes b's lock as another live run (pid 4242 on host other) and
// gives a clock on which that run lets go once the session has waited
// waits times.
func otherRun(t *testing.T, e *sessionEnv, b batch.Batch, waits int) providers.Clock {
	t.Helper()
	other := batch.Owner{PID: 4242, Host: "other", At: nov25}
	require.NoError(t, e.st.Lock(context.Background(), b.ID, other))
	return &lettingGo{Clock: e.clock, after: waits, letGo: func() {
		require.NoError(t, e.st.Unlock(context.Background(), b.ID, other))
	}}
}

// lettingGo is a clock that calls letGo once it has been slept on after times.
type lettingGo struct {
	*providerstest.Clock
	after, slept int
	letGo        func()
}

func (c *lettingGo) Sleep(ctx context.Context, d time.Duration) error {
	if err := c.Clock.Sleep(ctx, d); err != nil {
		return err
	}
	if c.slept++; c.slept == c.after {
		c.letGo()
	}
	return nil
}

// payEnv opens a session on a batch of MTN items of 1000, one in each state
// given, against an account holding balance, with a run that records what it
// was asked.
func payEnv(t *testing.T, balance int64, states ...batch.State) (*sessionEnv, *batch.Session, *[]map[int64]bool) {
	t.Helper()
	var items []batch.Item
	for i, s := range states {
		items = append(items, batch.Item{Row: i + 2, Amount: 1000, State: s})
	}
	return payEnvOf(t, balance, items...)
}

// payEnvOf is payEnv over the campay MTN items given.
func payEnvOf(t *testing.T, balance int64, items ...batch.Item) (*sessionEnv, *batch.Session, *[]map[int64]bool) {
	t.Helper()
	e := newSessionEnv()
	e.conn.Lanes = lanesOf(&fakeProvider{name: "campay", balances: []providers.Balance{{Account: "MTN", Amount: balance}}})
	for i := range items {
		items[i].Provider, items[i].Operator = "campay", "MTN"
	}
	b, _ := seed(t, e.st, batch.Batch{Reference: "paie", Sandbox: true, Endpoint: batch.SandboxEndpoint("http://127.0.0.1:8089")}, items...)
	s, err := batch.OpenSession(context.Background(), e.st, b, e.request(b.Endpoint))
	require.NoError(t, err)
	t.Cleanup(s.Close)
	var runs []map[int64]bool
	batch.SetRun(s, func(_ context.Context, r *batch.Runner, _ batch.Batch) error {
		runs = append(runs, r.Hold)
		return nil
	})
	return e, s, &runs
}

func TestPayRefusesAShortBalanceOrHoldsWhatItCannotCover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p4 := []batch.State{batch.Planned, batch.Planned, batch.Planned, batch.Planned}

	e, s, runs := payEnv(t, 2500, p4...)
	var shown []batch.Need
	res, err := s.Pay(ctx, batch.PayRequest{Short: func(n []batch.Need) { shown = n }})
	assert.ErrorIs(t, err, batch.ErrRefused, "refused by policy")
	assert.ErrorContains(t, err, "balance short: fund the accounts above, or pass --allow-partial")
	assert.False(t, res.Ran)
	assert.Empty(t, *runs, "nothing sent")
	assert.Equal(t, []batch.Need{{Provider: "campay", Account: "MTN", Items: 4, Needed: 4000, Available: 2500, Shortfall: 1500}}, shown)
	assert.Contains(t, notes(t, e.st, s.Batch.ID)[0], "run refused: provider balance short; nothing sent")

	e, s, runs = payEnv(t, 2500, p4...)
	res, err = s.Pay(ctx, batch.PayRequest{AllowPartial: true})
	require.NoError(t, err)
	assert.True(t, res.Ran)
	items, _ := e.st.Items(ctx, s.Batch.ID)
	assert.Equal(t, map[int64]bool{items[2].ID: true, items[3].ID: true}, res.Held, "rows 4 and 5 wait, in row order")
	require.Len(t, *runs, 1)
	assert.Equal(t, res.Held, (*runs)[0], "the runner leaves them planned")
	assert.Contains(t, e.said, "--allow-partial: 2 item(s) wait for the accounts to be funded")
	assert.Contains(t, notes(t, e.st, s.Batch.ID)[0], "partial run: 2 item(s) held: provider balance short")
	assert.Contains(t, items[2].Message, "held: the provider's balance could not cover it")
	assert.Empty(t, items[1].Message)

	_, s, runs = payEnv(t, 100000, p4...)
	var progressed []batch.Item
	done := false
	res, err = s.Pay(ctx, batch.PayRequest{Progress: func(items []batch.Item) (batch.Observer, func()) {
		progressed = items
		return nil, func() { done = true }
	}})
	require.NoError(t, err)
	assert.Empty(t, res.Held)
	assert.Len(t, *runs, 1)
	assert.Len(t, progressed, 4)
	assert.True(t, done, "the progress is told when the run ends")
}

func TestPayAFinishedBatchSendsNothing(t *testing.T) {
	t.Parallel()
	e, s, runs := payEnv(t, 0, batch.Succeeded, batch.Failed)
	res, err := s.Pay(context.Background(), batch.PayRequest{})
	require.NoError(t, err)
	assert.True(t, res.Ran)
	assert.Empty(t, res.Needs, "nothing planned: no balance asked")
	assert.Empty(t, *runs)
	assert.Contains(t, e.said, "batch paie is already complete: nothing to pay")

	// answered from the counts: the items of a complete batch are not read
	e, s, runs = payEnv(t, 0, batch.Succeeded, batch.Failed, batch.Failed)
	for _, op := range []string{"Items", "ItemsAfter", "Item"} {
		e.st.Fail(op, errStore)
	}
	res, err = s.Pay(context.Background(), batch.PayRequest{})
	require.NoError(t, err)
	assert.True(t, res.Ran)
	assert.Empty(t, *runs)
	assert.Contains(t, e.said, "batch paie is already complete: nothing to pay")

	// pending items are polled even when the balance is empty: nothing new is sent
	_, s, runs = payEnv(t, 0, batch.Succeeded, batch.Pending)
	_, err = s.Pay(context.Background(), batch.PayRequest{})
	require.NoError(t, err)
	assert.Len(t, *runs, 1)
}

func TestGlanceCountsAndListsOnlyWhatASummaryShows(t *testing.T) {
	t.Parallel()
	st := batchtest.NewMemory()
	var items []batch.Item
	for i, s := range []batch.State{batch.Succeeded, batch.Failed, batch.Review, batch.Pending, batch.Succeeded, batch.Planned, batch.Unknown, batch.Failed} {
		items = append(items, batch.Item{Row: i + 2, Provider: "campay", Amount: int64(1000 * (i + 1)), State: s})
	}
	b, stored := seed(t, st, batch.Batch{Reference: "paie"}, items...)
	seed(t, st, batch.Batch{Reference: "other"}, batch.Item{Row: 2, Amount: 7, State: batch.Failed})

	g, err := batch.Glance(context.Background(), st, b)
	require.NoError(t, err)
	assert.Equal(t, batch.Summarize(b, stored), g.Summary, "the same summary as over every item")
	var rows []int
	for _, it := range g.Items {
		rows = append(rows, it.Row)
	}
	assert.Equal(t, []int{3, 4, 9}, rows, "only the failed and in-review items are read")

	empty, _ := seed(t, st, batch.Batch{Reference: "empty"})
	g, err = batch.Glance(context.Background(), st, empty)
	require.NoError(t, err)
	assert.Equal(t, batch.Summarize(empty, nil), g.Summary)

	st.Fail("Totals", errStore)
	_, err = batch.Glance(context.Background(), st, b)
	assert.ErrorIs(t, err, errStore)
}

func TestPayGivesTheRunsError(t *testing.T) {
	t.Parallel()
	_, s, _ := payEnv(t, 100000, batch.Planned)
	batch.SetRun(s, func(context.Context, *batch.Runner, batch.Batch) error { return batch.ErrInterrupted })
	res, err := s.Pay(context.Background(), batch.PayRequest{})
	assert.ErrorIs(t, err, batch.ErrInterrupted)
	assert.True(t, res.Ran, "the standing is worth showing")
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		states []batch.State
		want   error
	}{
		{[]batch.State{batch.Succeeded, batch.Succeeded}, nil},
		{[]batch.State{batch.Succeeded, batch.Failed}, batch.ErrFailed},
		{[]batch.State{batch.Failed, batch.Pending}, batch.ErrUnfinished},
		{[]batch.State{batch.Succeeded, batch.Review}, batch.ErrUnfinished},
		{[]batch.State{batch.Planned}, batch.ErrUnfinished},
		{[]batch.State{batch.Rejected, batch.Succeeded}, nil},
	} {
		var items []batch.Item
		for _, s := range tc.states {
			items = append(items, batch.Item{State: s})
		}
		err := batch.Outcome(batch.Summarize(batch.Batch{}, items))
		if tc.want == nil {
			assert.NoError(t, err, "%v", tc.states)
			continue
		}
		assert.ErrorIs(t, err, tc.want, "%v", tc.states)
	}
}

func TestSessionReconcile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// paid answers the session over two succeeded items of 1000 and second,
	// which the provider says it paid 1000 each.
	paid := func(second int64) (*sessionEnv, *batch.Session, *bool) {
		e, s, _ := payEnvOf(t, 0,
			batch.Item{Row: 2, Amount: 1000, State: batch.Succeeded, ProviderReference: "CP1"},
			batch.Item{Row: 3, Amount: second, State: batch.Succeeded, ProviderReference: "CP2"})
		s.Conn.Lanes = lanesOf(&fakeProvider{name: "campay", status: providers.Result{Status: providers.StatusSucceeded, Amount: 1000}})
		settleOnly := new(bool)
		batch.SetRun(s, func(_ context.Context, r *batch.Runner, _ batch.Batch) error {
			*settleOnly = r.SettleOnly
			return nil
		})
		return e, s, settleOnly
	}

	e, s, settleOnly := paid(2000)
	res, err := s.Reconcile(ctx, e.st, batch.RunOptions{}, func() time.Time { return nov25 })
	require.NoError(t, err)
	assert.True(t, *settleOnly, "nothing new is sent")
	require.Len(t, res.Reconciliation.Mismatches, 1)
	assert.Equal(t, "amount", res.Reconciliation.Mismatches[0].Kind)
	assert.Equal(t, 2, res.Summary.Counts[batch.Succeeded])
	kept, err := e.st.Reconciliation(ctx, s.Batch.ID)
	require.NoError(t, err)
	assert.Equal(t, nov25, kept.At, "the findings are kept")
	assert.Contains(t, strings.Join(notes(t, e.st, s.Batch.ID), "\n"), "reconcile: amount mismatch: row 3")
	assert.ErrorIs(t, batch.ReconcileOutcome(s.Batch, res), batch.ErrMismatch)

	e, s, _ = paid(1000)
	res, err = s.Reconcile(ctx, e.st, batch.RunOptions{}, func() time.Time { return nov25 })
	require.NoError(t, err)
	assert.Empty(t, res.Reconciliation.Mismatches)
	assert.NoError(t, batch.ReconcileOutcome(s.Batch, res))
	assert.Contains(t, notes(t, e.st, s.Batch.ID)[0], "reconciled: the providers' records agree with the ledger")

	batch.SetRun(s, func(context.Context, *batch.Runner, batch.Batch) error { return batch.ErrInterrupted })
	_, err = s.Reconcile(ctx, e.st, batch.RunOptions{}, time.Now)
	assert.ErrorIs(t, err, batch.ErrInterrupted)
}

func TestReconcileOutcome(t *testing.T) {
	t.Parallel()
	done := []batch.Item{{State: batch.Succeeded}, {State: batch.Failed}}
	for _, tc := range []struct {
		name string
		res  batch.ReconcileResult
		want error
	}{
		{"agrees, failed items included", batch.ReconcileResult{batch.Standing{Items: done}}, nil},
		{"a mismatch", batch.ReconcileResult{batch.Standing{Items: done, Reconciliation: batch.Reconciliation{Mismatches: []batch.Mismatch{{Kind: "status"}}}}}, batch.ErrMismatch},
		{"could not check", batch.ReconcileResult{batch.Standing{Items: done, Reconciliation: batch.Reconciliation{Unchecked: []batch.Unchecked{{Row: 2}}}}}, batch.ErrUnfinished},
		{"still pending", batch.ReconcileResult{batch.Standing{Items: []batch.Item{{State: batch.Pending}}}}, batch.ErrUnfinished},
	} {
		err := batch.ReconcileOutcome(batch.Batch{}, tc.res)
		if tc.want == nil {
			assert.NoError(t, err, tc.name)
			continue
		}
		assert.ErrorIs(t, err, tc.want, tc.name)
	}
}

func TestBalancesGoThroughTheLanesCaller(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := providerstest.NewClock(nov25)
	prov := &fakeProvider{name: "campay", balances: []providers.Balance{{Account: "MTN", Amount: 5000}}}
	lane := batch.Lane{Provider: prov, Rate: 1, Burst: 1}
	lane.Caller = lane.Stacked(providers.Retry{}, clock, nil)
	lanes := map[string]batch.Lane{"campay": lane}
	items := []batch.Item{{Row: 2, Provider: "campay", Operator: "MTN", Amount: 1000, State: batch.Planned}}

	_, err := batch.CheckBalances(ctx, lanes, items, nil, clock)
	require.NoError(t, err)
	_, err = batch.Balances(ctx, lanes, clock)
	require.NoError(t, err)
	_, err = batch.CheckBalances(ctx, lanes, items, nil, clock)
	require.NoError(t, err)
	assert.Equal(t, 3, prov.calls)
	assert.Equal(t, []time.Duration{time.Second, time.Second}, clock.Slept(), "three asks, one a second, on the lane's one limiter")
}

// A callback kept while the session's run was settling an unknown item
// settles it in the reconciliation that follows: the session holds the batch,
// no other run pays it.
func TestSessionReconcileSettlesAnUnknownItemByItsKeptCallback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, s, _ := payEnvOf(t, 0, batch.Item{Row: 2, Amount: 1000, State: batch.Unknown})
	p := &fakeProvider{name: "campay", status: providers.Result{Status: providers.StatusSucceeded, ProviderReference: "CP9", Amount: 1000}}
	s.Conn.Lanes = lanesOf(p)
	items, err := e.st.Items(ctx, s.Batch.ID)
	require.NoError(t, err)
	conf, err := batch.Confirm(ctx, e.st, s.Conn.Lanes, providers.Callback{Provider: "campay", ItemReference: items[0].Reference, ProviderReference: "CP9"}, providerstest.NewClock(nov25))
	require.NoError(t, err)
	require.Equal(t, batch.VerdictUnchanged, conf.Verdict, "the session's run holds the batch: the item is its to settle")

	_, err = s.Reconcile(ctx, e.st, batch.RunOptions{}, func() time.Time { return nov25 })
	require.NoError(t, err)
	items, err = e.st.Items(ctx, s.Batch.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Succeeded, items[0].State, "the kept callback's lookup settled it")
	assert.Equal(t, "CP9", items[0].ProviderReference)
}
