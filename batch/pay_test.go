package batch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/providerstest"
)

// sessionEnv is a session's request against a memStore, with what it said.
type sessionEnv struct {
	st        *memStore
	said      []string
	connected int
	held      bool
	clock     *providerstest.Clock
	conn      *Connection
}

func newSessionEnv() *sessionEnv {
	e := &sessionEnv{st: newMemStore(), clock: providerstest.NewClock(nov25)}
	e.conn = &Connection{Lanes: lanesOf(&fakeProvider{name: "campay", balances: []providers.Balance{{Account: "MTN", Amount: 100000}}}),
		Sandbox: true, Where: "sandbox at http://127.0.0.1:8089"}
	return e
}

func (e *sessionEnv) request(cur Endpoint) SessionRequest {
	return SessionRequest{Endpoint: cur, Actor: "awa", Continue: "bulkpay resume paie --sandbox http://127.0.0.1:8089",
		Connect: func(context.Context) (*Connection, error) { e.connected++; return e.conn, nil },
		Owner:   Owner{PID: 1}, Clock: e.clock, Held: func() { e.held = true },
		Say: func(format string, args ...any) { e.said = append(e.said, fmt.Sprintf(format, args...)) }}
}

func TestOpenSessionChecksWhereTheBatchIsPaid(t *testing.T) {
	t.Parallel()
	sbx := SandboxEndpoint("http://127.0.0.1:8089")
	other := SandboxEndpoint("http://127.0.0.1:9999")
	live := LiveEndpoint(map[string]string{"campay": "https://www.campay.net/api"})
	sent := Item{State: Succeeded, Attempts: 1}
	for _, tc := range []struct {
		name     string
		b        Batch
		items    []Item
		cur      Endpoint
		change   bool
		refusal  string
		recorded string // the event recorded, if any
	}{
		{"where it was paid", Batch{Sandbox: true, Endpoint: sbx}, []Item{sent}, sbx, false, "", ""},
		{"nothing recorded yet: recorded now", Batch{Sandbox: true}, nil, sbx, false, "", "paid through: the sandbox at http://127.0.0.1:8089"},
		{"a sandbox batch on real providers", Batch{Sandbox: true, Endpoint: sbx}, nil, live, false, "cannot be continued with real providers", ""},
		{"a real batch on the sandbox", Batch{Endpoint: live}, nil, sbx, true, "moves real money; it cannot be continued on the sandbox", ""},
		{"another sandbox before anything was sent", Batch{Sandbox: true, Endpoint: sbx}, []Item{{State: Planned}}, other, false, "",
			"endpoint changed before anything was sent: from the sandbox at http://127.0.0.1:8089 to the sandbox at http://127.0.0.1:9999"},
		{"another sandbox once paying", Batch{Sandbox: true, Endpoint: sbx}, []Item{sent}, other, false,
			"was paid through the sandbox at http://127.0.0.1:8089, and this command would use the sandbox at http://127.0.0.1:9999", ""},
		{"another sandbox, on purpose", Batch{Sandbox: true, Endpoint: sbx}, []Item{sent}, other, true, "",
			"endpoint changed (--change-endpoint): from the sandbox at http://127.0.0.1:8089 to the sandbox at http://127.0.0.1:9999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSessionEnv()
			tc.b.Reference = "paie"
			b, _ := e.st.add(tc.b, tc.items...)
			req := e.request(tc.cur)
			req.ChangeEndpoint = tc.change
			s, err := OpenSession(context.Background(), e.st, b, req)
			if tc.refusal != "" {
				assert.ErrorContains(t, err, tc.refusal)
				assert.ErrorContains(t, err, "`bulkpay resume paie --sandbox http://127.0.0.1:8089`", "names the command that continues it")
				assert.Zero(t, e.connected, "a refused batch starts no sandbox")
				assert.Zero(t, e.st.locks)
				assert.False(t, e.held)
				return
			}
			require.NoError(t, err)
			defer s.Close()
			assert.True(t, e.held)
			assert.Equal(t, tc.cur, s.Batch.Endpoint, "the session's batch says where it is paid now")
			if tc.recorded != "" {
				assert.Equal(t, []string{tc.recorded}, e.st.endpoint)
			} else {
				assert.Empty(t, e.st.endpoint)
			}
			assert.Contains(t, e.said, "SANDBOX: no real money moves (sandbox at http://127.0.0.1:8089)")
		})
	}
}

func TestOpenSessionRefusesADamagedLedger(t *testing.T) {
	t.Parallel()
	e := newSessionEnv()
	e.st.checkErr = errors.New("the ledger file is damaged")
	b, _ := e.st.add(Batch{Reference: "paie", Sandbox: true})
	_, err := OpenSession(context.Background(), e.st, b, e.request(SandboxEndpoint("http://127.0.0.1:8089")))
	assert.ErrorContains(t, err, "damaged")
	assert.Zero(t, e.connected)
}

func TestOpenSessionWaitsForTheLockAsTold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		lockedFor int
		wait      Wait
		held      bool
		waits     []time.Duration
		said      string
	}{
		{"held, no waiting", 1, Wait{}, false, nil, ""},
		{"waits as long as it takes", 3, Wait{On: true}, true, []time.Duration{LockPause, LockPause, LockPause},
			"batch paie is being run by pid 4242 on other since 2026-11-25T08:00:00Z: waiting for it to finish"},
		{"waits within its bound", 2, Wait{On: true, Bound: 5 * time.Second}, true, []time.Duration{LockPause, LockPause}, "(at most 5s)"},
		{"gives up at its bound", 100, Wait{On: true, Bound: 5 * time.Second}, false, []time.Duration{LockPause, LockPause, time.Second}, "(at most 5s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSessionEnv()
			e.st.lockedFor = tc.lockedFor
			b, _ := e.st.add(Batch{Reference: "paie", Sandbox: true, Endpoint: SandboxEndpoint("http://127.0.0.1:8089")})
			req := e.request(b.Endpoint)
			req.Wait = tc.wait
			s, err := OpenSession(context.Background(), e.st, b, req)
			assert.Equal(t, tc.waits, e.clock.Slept(), "waits on the clock")
			if tc.said != "" {
				assert.Contains(t, strings.Join(e.said, "\n"), tc.said)
			}
			if tc.held {
				require.NoError(t, err)
				s.Close()
				assert.Equal(t, 1, e.st.unlocks)
				return
			}
			assert.ErrorIs(t, err, ErrHeld, "held by another run")
			var le *LockedError
			assert.ErrorAs(t, err, &le)
			assert.False(t, e.held)
			if tc.wait.Bound > 0 {
				assert.ErrorContains(t, err, "still running after waiting 5s")
			}
		})
	}
	e := newSessionEnv()
	e.st.lockedFor = 100
	b, _ := e.st.add(Batch{Reference: "paie", Sandbox: true, Endpoint: SandboxEndpoint("http://127.0.0.1:8089")})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := e.request(b.Endpoint)
	req.Wait = Wait{On: true}
	_, err := OpenSession(ctx, e.st, b, req)
	assert.ErrorIs(t, err, ErrInterrupted, "Ctrl-C while waiting")
}

// payEnv opens a session on a batch of four MTN items against an account
// holding balance, with a run that records what it was asked.
func payEnv(t *testing.T, balance int64, states ...State) (*sessionEnv, *Session, *[]map[int64]bool) {
	t.Helper()
	e := newSessionEnv()
	e.conn.Lanes = lanesOf(&fakeProvider{name: "campay", balances: []providers.Balance{{Account: "MTN", Amount: balance}}})
	var items []Item
	for i, s := range states {
		items = append(items, Item{Row: i + 2, Provider: "campay", Operator: "MTN", Amount: 1000, State: s})
	}
	b, _ := e.st.add(Batch{Reference: "paie", Sandbox: true, Endpoint: SandboxEndpoint("http://127.0.0.1:8089")}, items...)
	s, err := OpenSession(context.Background(), e.st, b, e.request(b.Endpoint))
	require.NoError(t, err)
	t.Cleanup(s.Close)
	var runs []map[int64]bool
	s.run = func(_ context.Context, r *Runner, _ Batch) error {
		runs = append(runs, r.Hold)
		return nil
	}
	return e, s, &runs
}

func TestPayRefusesAShortBalanceOrHoldsWhatItCannotCover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p4 := []State{Planned, Planned, Planned, Planned}

	e, s, runs := payEnv(t, 2500, p4...)
	var shown []Need
	res, err := s.Pay(ctx, PayRequest{Short: func(n []Need) { shown = n }})
	assert.ErrorIs(t, err, ErrRefused, "refused by policy")
	assert.ErrorContains(t, err, "balance short: fund the accounts above, or pass --allow-partial")
	assert.False(t, res.Ran)
	assert.Empty(t, *runs, "nothing sent")
	assert.Equal(t, []Need{{Provider: "campay", Account: "MTN", Items: 4, Needed: 4000, Available: 2500, Shortfall: 1500}}, shown)
	assert.Contains(t, e.st.notes[0], "run refused: provider balance short; nothing sent")

	e, s, runs = payEnv(t, 2500, p4...)
	res, err = s.Pay(ctx, PayRequest{AllowPartial: true})
	require.NoError(t, err)
	assert.True(t, res.Ran)
	items, _ := e.st.Items(ctx, s.Batch.ID)
	assert.Equal(t, map[int64]bool{items[2].ID: true, items[3].ID: true}, res.Held, "rows 4 and 5 wait, in row order")
	require.Len(t, *runs, 1)
	assert.Equal(t, res.Held, (*runs)[0], "the runner leaves them planned")
	assert.Contains(t, e.said, "--allow-partial: 2 item(s) wait for the accounts to be funded")
	assert.Contains(t, e.st.notes[0], "partial run: 2 item(s) held: provider balance short")
	assert.Contains(t, items[2].Message, "held: the provider's balance could not cover it")
	assert.Empty(t, items[1].Message)

	_, s, runs = payEnv(t, 100000, p4...)
	var progressed []Item
	done := false
	res, err = s.Pay(ctx, PayRequest{Progress: func(items []Item) (Observer, func()) {
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
	e, s, runs := payEnv(t, 0, Succeeded, Failed)
	res, err := s.Pay(context.Background(), PayRequest{})
	require.NoError(t, err)
	assert.True(t, res.Ran)
	assert.Empty(t, res.Needs, "nothing planned: no balance asked")
	assert.Empty(t, *runs)
	assert.Contains(t, e.said, "batch paie is already complete: nothing to pay")

	// answered from the counts: the items of a complete batch are not read
	e, s, runs = payEnv(t, 0, Succeeded, Failed, Failed)
	e.st.failOn = "Items"
	res, err = s.Pay(context.Background(), PayRequest{})
	require.NoError(t, err)
	assert.True(t, res.Ran)
	assert.Empty(t, *runs)
	assert.Contains(t, e.said, "batch paie is already complete: nothing to pay")

	// pending items are polled even when the balance is empty: nothing new is sent
	_, s, runs = payEnv(t, 0, Succeeded, Pending)
	_, err = s.Pay(context.Background(), PayRequest{})
	require.NoError(t, err)
	assert.Len(t, *runs, 1)
}

func TestGlanceCountsAndListsOnlyWhatASummaryShows(t *testing.T) {
	t.Parallel()
	st := newMemStore()
	var items []Item
	for i, s := range []State{Succeeded, Failed, Review, Pending, Succeeded, Planned, Unknown, Failed} {
		items = append(items, Item{Row: i + 2, Provider: "campay", Amount: int64(1000 * (i + 1)), State: s})
	}
	b, stored := st.add(Batch{Reference: "paie"}, items...)
	st.add(Batch{Reference: "other"}, Item{Row: 2, Amount: 7, State: Failed})

	g, err := Glance(context.Background(), st, b)
	require.NoError(t, err)
	assert.Equal(t, Summarize(b, stored), g.Summary, "the same summary as over every item")
	var rows []int
	for _, it := range g.Items {
		rows = append(rows, it.Row)
	}
	assert.Equal(t, []int{3, 4, 9}, rows, "only the failed and in-review items are read")

	empty, _ := st.add(Batch{Reference: "empty"})
	g, err = Glance(context.Background(), st, empty)
	require.NoError(t, err)
	assert.Equal(t, Summarize(empty, nil), g.Summary)

	st.failOn = "Totals"
	_, err = Glance(context.Background(), st, b)
	assert.ErrorIs(t, err, errStore)
}

func TestPayGivesTheRunsError(t *testing.T) {
	t.Parallel()
	_, s, _ := payEnv(t, 100000, Planned)
	s.run = func(context.Context, *Runner, Batch) error { return ErrInterrupted }
	res, err := s.Pay(context.Background(), PayRequest{})
	assert.ErrorIs(t, err, ErrInterrupted)
	assert.True(t, res.Ran, "the standing is worth showing")
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		states []State
		want   error
	}{
		{[]State{Succeeded, Succeeded}, nil},
		{[]State{Succeeded, Failed}, ErrFailed},
		{[]State{Failed, Pending}, ErrUnfinished},
		{[]State{Succeeded, Review}, ErrUnfinished},
		{[]State{Planned}, ErrUnfinished},
		{[]State{Rejected, Succeeded}, nil},
	} {
		var items []Item
		for _, s := range tc.states {
			items = append(items, Item{State: s})
		}
		err := Outcome(Summarize(Batch{}, items))
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
	e, s, runs := payEnv(t, 0)
	prov := &fakeProvider{name: "campay", status: providers.Result{Status: providers.StatusSucceeded, Amount: 1000}}
	s.Conn.Lanes = lanesOf(prov)
	e.st.items[s.Batch.ID] = []Item{
		{ID: 90, BatchID: s.Batch.ID, Row: 2, Provider: "campay", Amount: 1000, State: Succeeded, ProviderReference: "CP1"},
		{ID: 91, BatchID: s.Batch.ID, Row: 3, Provider: "campay", Amount: 2000, State: Succeeded, ProviderReference: "CP2"},
	}
	var settleOnly bool
	s.run = func(_ context.Context, r *Runner, _ Batch) error {
		settleOnly = r.SettleOnly
		*runs = append(*runs, nil)
		return nil
	}
	res, err := s.Reconcile(ctx, e.st, RunOptions{}, func() time.Time { return nov25 })
	require.NoError(t, err)
	assert.True(t, settleOnly, "nothing new is sent")
	require.Len(t, res.Reconciliation.Mismatches, 1)
	assert.Equal(t, "amount", res.Reconciliation.Mismatches[0].Kind)
	assert.Equal(t, 2, res.Summary.Counts[Succeeded])
	assert.Equal(t, nov25, e.st.recs[s.Batch.ID].At, "the findings are kept")
	assert.Contains(t, strings.Join(e.st.notes, "\n"), "reconcile: amount mismatch: row 3")
	assert.ErrorIs(t, ReconcileOutcome(s.Batch, res), ErrMismatch)

	e.st.items[s.Batch.ID][1].Amount = 1000
	e.st.notes = nil
	res, err = s.Reconcile(ctx, e.st, RunOptions{}, func() time.Time { return nov25 })
	require.NoError(t, err)
	assert.Empty(t, res.Reconciliation.Mismatches)
	assert.NoError(t, ReconcileOutcome(s.Batch, res))
	assert.Contains(t, e.st.notes[0], "reconciled: the providers' records agree with the ledger")

	s.run = func(context.Context, *Runner, Batch) error { return ErrInterrupted }
	_, err = s.Reconcile(ctx, e.st, RunOptions{}, time.Now)
	assert.ErrorIs(t, err, ErrInterrupted)
}

func TestReconcileOutcome(t *testing.T) {
	t.Parallel()
	done := []Item{{State: Succeeded}, {State: Failed}}
	for _, tc := range []struct {
		name string
		res  ReconcileResult
		want error
	}{
		{"agrees, failed items included", ReconcileResult{Standing{Items: done}}, nil},
		{"a mismatch", ReconcileResult{Standing{Items: done, Reconciliation: Reconciliation{Mismatches: []Mismatch{{Kind: "status"}}}}}, ErrMismatch},
		{"could not check", ReconcileResult{Standing{Items: done, Reconciliation: Reconciliation{Unchecked: []Unchecked{{Row: 2}}}}}, ErrUnfinished},
		{"still pending", ReconcileResult{Standing{Items: []Item{{State: Pending}}}}, ErrUnfinished},
	} {
		err := ReconcileOutcome(Batch{}, tc.res)
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
	lane := Lane{Provider: prov, Rate: 1, Burst: 1}
	lane.Caller = lane.Stacked(providers.Retry{}, clock, nil)
	lanes := map[string]Lane{"campay": lane}
	items := []Item{{Row: 2, Provider: "campay", Operator: "MTN", Amount: 1000, State: Planned}}

	_, err := CheckBalances(ctx, lanes, items, nil, clock)
	require.NoError(t, err)
	_, err = Balances(ctx, lanes, clock)
	require.NoError(t, err)
	_, err = CheckBalances(ctx, lanes, items, nil, clock)
	require.NoError(t, err)
	assert.Equal(t, 3, prov.calls)
	assert.Equal(t, []time.Duration{time.Second, time.Second}, clock.Slept(), "three asks, one a second, on the lane's one limiter")
}
