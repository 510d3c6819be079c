package batch_test

import (
	"context"
	"errors"
	"fmt"
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

// looker answers status lookups from its fields and counts them; it never pays.
type looker struct {
	name string
	mu   sync.Mutex
	res  providers.Result
	err  error
	refs []string // the ids (or, as a ReferenceChecker, our references) looked up
}

func (p *looker) Name() string { return p.name }
func (p *looker) Send(context.Context, providers.Payout) (providers.Result, error) {
	return providers.Result{}, errors.New("a callback sent a payout")
}
func (p *looker) Check(_ context.Context, ref string) (providers.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refs = append(p.refs, ref)
	return p.res, p.err
}

// refLooker also looks payouts up by our reference, as CinetPay's client does.
type refLooker struct{ *looker }

func (p refLooker) CheckReference(ctx context.Context, ref string) (providers.Result, error) {
	return p.Check(ctx, "ours:"+ref)
}

// callbackFixture is a context, a clock that moves only when told and an
// in-memory store on it.
func callbackFixture() (context.Context, *providerstest.Clock, *batchtest.Memory) {
	clock := providerstest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	return context.Background(), clock, batchtest.NewMemory(batchtest.WithClock(clock.Now))
}

// itemIn stores a one-item batch paid by provider and moves its item to
// state along the machine, the way runs do; ref is the provider's id the item
// holds (empty: none reached us).
func itemIn(t *testing.T, st *batchtest.Memory, provider string, state batch.State, ref string) batch.Item {
	t.Helper()
	ctx := context.Background()
	b := batch.Batch{Reference: "paie-" + string(state), Currency: "XAF", TotalAmount: 1000}
	require.NoError(t, st.CreateBatch(ctx, &b, []batch.Item{{Row: 2, Reference: "ours-" + string(state), Provider: provider,
		Route: []string{provider}, Phone: "237677000002", Operator: "MTN", Amount: 1000, PayAmount: 1000}}))
	path := map[batch.State][]batch.State{
		batch.Submitting: {},
		batch.Unknown:    {batch.Unknown},
		batch.Review:     {batch.Unknown, batch.Review},
		batch.Pending:    {batch.Pending},
		batch.Succeeded:  {batch.Succeeded},
		batch.Failed:     {batch.Failed},
	}[state]
	if state != batch.Planned {
		_, err := st.Claim(ctx, b.ID, provider, 1)
		require.NoError(t, err)
		from := batch.Submitting
		for _, to := range path {
			c := batch.Change{ItemID: 1, From: from, To: to, Cause: "test"}
			c.ProviderReference = ref
			items, err := st.Items(ctx, b.ID)
			require.NoError(t, err)
			c.ItemID = items[0].ID
			require.NoError(t, st.Apply(ctx, c))
			from = to
		}
	}
	items, err := st.Items(ctx, b.ID)
	require.NoError(t, err)
	return items[0]
}

func TestConfirmSettlesOnlyWhatTheLookupConfirms(t *testing.T) {
	t.Parallel()
	ok := providers.Result{Status: providers.StatusSucceeded, ProviderReference: "MCP-1", Amount: 1000, Fee: 15}
	tests := []struct {
		name      string
		state     batch.State
		itemRef   string // the provider's id the item holds
		noItemRef bool   // the callback does not name our reference
		quiet     bool   // nothing noted on the batch: the run's business
		cb        providers.Callback
		byRef     bool // the provider looks up by our reference
		res       providers.Result
		err       error
		verdict   string
		want      batch.State
		lookups   []string
		wantFound bool
	}{
		{name: "unknown, confirmed paid", state: batch.Unknown, cb: providers.Callback{ProviderReference: "MCP-1", Status: providers.StatusSucceeded},
			res: ok, verdict: batch.VerdictSettled, want: batch.Succeeded, lookups: []string{"MCP-1"}, wantFound: true},
		{name: "unknown, found by the provider's id alone", state: batch.Unknown, itemRef: "MCP-1", noItemRef: true,
			cb: providers.Callback{ProviderReference: "MCP-1"}, res: ok, verdict: batch.VerdictSettled, want: batch.Succeeded,
			lookups: []string{"MCP-1"}, wantFound: true},
		{name: "an id of the provider's no item holds", state: batch.Unknown, noItemRef: true, cb: providers.Callback{ProviderReference: "MCP-1"},
			res: ok, verdict: batch.VerdictUnmatched, want: batch.Unknown},
		{name: "unknown, the lookup says failed although the callback says paid", state: batch.Unknown,
			cb:  providers.Callback{ProviderReference: "MCP-1", Status: providers.StatusSucceeded},
			res: providers.Result{Status: providers.StatusFailed, ProviderReference: "MCP-1"}, verdict: batch.VerdictSettled, want: batch.Failed,
			lookups: []string{"MCP-1"}, wantFound: true},
		{name: "unknown, still pending", state: batch.Unknown, cb: providers.Callback{ProviderReference: "MCP-1"},
			res: providers.Result{Status: providers.StatusPending, ProviderReference: "MCP-1"}, verdict: batch.VerdictSettled, want: batch.Pending,
			lookups: []string{"MCP-1"}, wantFound: true},
		{name: "review, confirmed paid", state: batch.Review, cb: providers.Callback{ProviderReference: "MCP-1"},
			res: ok, verdict: batch.VerdictSettled, want: batch.Succeeded, lookups: []string{"MCP-1"}, wantFound: true},
		{name: "review, still pending: stays for a person", state: batch.Review, cb: providers.Callback{ProviderReference: "MCP-1"},
			res: providers.Result{Status: providers.StatusPending}, verdict: batch.VerdictUnchanged, want: batch.Review,
			lookups: []string{"MCP-1"}, wantFound: true},
		{name: "review, the lookup fails", state: batch.Review, cb: providers.Callback{ProviderReference: "MCP-1"},
			err: &providers.Error{Class: providers.ErrNotFound, Provider: "mycoolpay", Op: "status"}, verdict: batch.VerdictUnchanged,
			want: batch.Review, lookups: []string{"MCP-1"}, wantFound: true},
		{name: "unknown, the lookup reports another item's payout", state: batch.Unknown, cb: providers.Callback{ProviderReference: "MCP-1"},
			res:     providers.Result{Status: providers.StatusFailed, ProviderReference: "MCP-1", ClientReference: "another-item"},
			verdict: batch.VerdictUnchanged, want: batch.Unknown, lookups: []string{"MCP-1"}, wantFound: true},
		{name: "unknown, the lookup reports another amount", state: batch.Unknown, cb: providers.Callback{ProviderReference: "MCP-1"},
			res: providers.Result{Status: providers.StatusSucceeded, Amount: 100000}, verdict: batch.VerdictUnchanged, want: batch.Unknown,
			lookups: []string{"MCP-1"}, wantFound: true},
		{name: "unknown, the callback names another payout than the item holds", state: batch.Unknown, itemRef: "MCP-2",
			cb: providers.Callback{ProviderReference: "MCP-1"}, res: ok, verdict: batch.VerdictUnchanged, want: batch.Unknown, wantFound: true},
		{name: "final already: a late or repeated callback", state: batch.Succeeded, itemRef: "MCP-1",
			cb: providers.Callback{ProviderReference: "MCP-1", Status: providers.StatusFailed}, res: ok, verdict: batch.VerdictUnchanged,
			want: batch.Succeeded, wantFound: true},
		{name: "failed stays failed when the callback says paid", state: batch.Failed, itemRef: "MCP-1",
			cb: providers.Callback{ProviderReference: "MCP-1", Status: providers.StatusSucceeded}, res: ok, verdict: batch.VerdictUnchanged,
			want: batch.Failed, wantFound: true},
		{name: "being sent: the run's answer decides", state: batch.Submitting, cb: providers.Callback{ProviderReference: "MCP-1"},
			res: ok, verdict: batch.VerdictUnchanged, want: batch.Submitting, wantFound: true, quiet: true},
		{name: "pending, confirmed paid: no poll needed", state: batch.Pending, itemRef: "MCP-1", cb: providers.Callback{ProviderReference: "MCP-1"},
			res: ok, verdict: batch.VerdictSettled, want: batch.Succeeded, lookups: []string{"MCP-1"}, wantFound: true},
		{name: "pending, still pending: the polling goes on", state: batch.Pending, itemRef: "MCP-1", cb: providers.Callback{ProviderReference: "MCP-1"},
			res: providers.Result{Status: providers.StatusPending, ProviderReference: "MCP-1"}, verdict: batch.VerdictUnchanged, want: batch.Pending,
			lookups: []string{"MCP-1"}, wantFound: true, quiet: true},
		{name: "by our reference where the provider allows it", state: batch.Unknown, byRef: true,
			cb:  providers.Callback{ProviderReference: "CP-9"},
			res: providers.Result{Status: providers.StatusSucceeded, ProviderReference: "CP-9", Amount: 1000}, verdict: batch.VerdictSettled,
			want: batch.Succeeded, lookups: []string{"ours:ours-unknown"}, wantFound: true},
		{name: "a reference bulkpay never sent", state: batch.Unknown, cb: providers.Callback{ItemReference: "never-sent", ProviderReference: "MCP-7"},
			res: ok, verdict: batch.VerdictUnmatched, want: batch.Unknown},
		{name: "a ping", state: batch.Unknown, cb: providers.Callback{Ping: true}, verdict: batch.VerdictPing, want: batch.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, clock, st := callbackFixture()
			it := itemIn(t, st, "mycoolpay", tt.state, tt.itemRef)
			cb := tt.cb
			cb.Provider, cb.SourceAddr, cb.Method, cb.Raw = "mycoolpay", "15.236.140.89", "POST", `{"transaction_ref":"MCP-1"}`
			if cb.ItemReference == "" && !tt.noItemRef {
				cb.ItemReference = it.Reference
			}
			p := &looker{name: "mycoolpay", res: tt.res, err: tt.err}
			var prov batch.Provider = p
			if tt.byRef {
				prov = refLooker{p}
			}
			lanes := map[string]batch.Lane{"mycoolpay": {Provider: prov, Concurrency: 1}}

			conf, err := batch.Confirm(ctx, st, lanes, cb, clock)
			require.NoError(t, err)
			assert.Equal(t, tt.verdict, conf.Verdict, conf.Detail)
			assert.Equal(t, tt.lookups, p.refs, "lookups made")
			items, err := st.Items(ctx, it.BatchID)
			require.NoError(t, err)
			assert.Equal(t, tt.want, items[0].State)

			logged, err := st.Callbacks(ctx)
			require.NoError(t, err)
			require.Len(t, logged, 1, "every callback is kept")
			assert.Equal(t, tt.verdict, logged[0].Verdict)
			assert.Equal(t, "15.236.140.89", logged[0].SourceAddr)
			assert.Equal(t, cb.Raw, logged[0].Raw)
			if tt.wantFound {
				assert.Equal(t, it.ID, logged[0].ItemID)
			} else {
				assert.Zero(t, logged[0].ItemID)
			}

			events, err := st.Events(ctx, it.BatchID, 0)
			require.NoError(t, err)
			last := events[len(events)-1]
			switch tt.verdict {
			case batch.VerdictSettled:
				assert.Equal(t, batch.CauseCallback, last.Cause)
				assert.Equal(t, "callback:mycoolpay", last.Actor)
				assert.Equal(t, tt.state, last.From)
				assert.Equal(t, tt.want, last.To)
				assert.Contains(t, last.Detail, "15.236.140.89", "the callback is the evidence")
				assert.Contains(t, last.Detail, "lookup", "and so is the lookup")
				assert.Equal(t, providers.Or(tt.res.ProviderReference, cb.ProviderReference), items[0].ProviderReference)
				atts, err := st.Attempts(ctx, it.ID)
				require.NoError(t, err)
				require.NotEmpty(t, atts)
				for _, a := range atts {
					assert.False(t, a.FinishedAt.IsZero(), "the attempt a run left open is closed")
				}
			case batch.VerdictUnchanged:
				if tt.quiet {
					assert.NotEqual(t, batch.CauseCallback, last.Cause)
					break
				}
				assert.Equal(t, batch.CauseCallback, last.Cause, "a callback that moves nothing is noted on its batch")
				assert.Empty(t, last.To)
			default:
				assert.NotEqual(t, batch.CauseCallback, last.Cause)
			}
		})
	}
}

func TestConfirmTwiceMovesOnce(t *testing.T) {
	t.Parallel()
	ctx, clock, st := callbackFixture()
	it := itemIn(t, st, "camoo", batch.Review, "")
	p := &looker{name: "camoo", res: providers.Result{Status: providers.StatusSucceeded, ProviderReference: "CM-1", Amount: 1000}}
	lanes := map[string]batch.Lane{"camoo": {Provider: p}}
	cb := providers.Callback{Provider: "camoo", ItemReference: it.Reference, ProviderReference: "CM-1", Signed: true}
	var verdicts []string
	for range 3 {
		conf, err := batch.Confirm(ctx, st, lanes, cb, clock)
		require.NoError(t, err)
		verdicts = append(verdicts, conf.Verdict)
	}
	assert.Equal(t, []string{batch.VerdictSettled, batch.VerdictUnchanged, batch.VerdictUnchanged}, verdicts)
	assert.Len(t, p.refs, 1, "a final item is not looked up again")
	events, err := st.Events(ctx, it.BatchID, it.ID)
	require.NoError(t, err)
	moves := 0
	for _, e := range events {
		if e.Cause == batch.CauseCallback && e.To != "" {
			moves++
		}
	}
	assert.Equal(t, 1, moves)
}

func TestConfirmLeavesAnItemAnotherWriterMoved(t *testing.T) {
	t.Parallel()
	ctx, clock, st := callbackFixture()
	it := itemIn(t, st, "camoo", batch.Unknown, "")
	// a run settles the item while the callback's lookup is under way
	p := &moving{looker: looker{name: "camoo", res: providers.Result{Status: providers.StatusSucceeded, ProviderReference: "CM-1"}},
		move: func() {
			require.NoError(t, st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Unknown, To: batch.Review, Cause: "run"}))
			require.NoError(t, st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Review, To: batch.Failed, Cause: "resolved"}))
		}}
	conf, err := batch.Confirm(ctx, st, map[string]batch.Lane{"camoo": {Provider: p}},
		providers.Callback{Provider: "camoo", ItemReference: it.Reference, ProviderReference: "CM-1"}, clock)
	require.NoError(t, err, "a stale change is not an error")
	assert.Equal(t, batch.VerdictUnchanged, conf.Verdict)
	items, err := st.Items(ctx, it.BatchID)
	require.NoError(t, err)
	assert.Equal(t, batch.Failed, items[0].State, "what the other writer recorded stands")
}

// moving runs move during its lookup: another writer moving the item.
type moving struct {
	looker
	move func()
}

func (p *moving) Check(ctx context.Context, ref string) (providers.Result, error) {
	p.move()
	return p.looker.Check(ctx, ref)
}

func TestRecordRefusedKeepsTheEvidence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := batchtest.NewMemory()
	refused := &providers.CallbackError{Class: providers.ErrCallbackSignature, Provider: "campay", Reason: "signature does not match",
		SourceAddr: "203.0.113.9", Raw: "status=SUCCESSFUL&reference=x"}
	require.NoError(t, batch.RecordRefused(ctx, st, "campay", "GET", fmt.Errorf("wrapped: %w", refused)))
	logged, err := st.Callbacks(ctx)
	require.NoError(t, err)
	require.Len(t, logged, 1)
	assert.Equal(t, batch.VerdictRefused, logged[0].Verdict)
	assert.Equal(t, "203.0.113.9", logged[0].SourceAddr)
	assert.Equal(t, "status=SUCCESSFUL&reference=x", logged[0].Raw)
	assert.Equal(t, "GET", logged[0].Method)
	assert.Contains(t, logged[0].Detail, "signature")
}

// A callback that came while its item was being sent is left to the run; if
// the run then loses the answer and leaves the item in review, Revisit
// settles it by the id that callback gave, once.
func TestRevisitSettlesWhatARunLeftInDoubtAfterItsCallback(t *testing.T) {
	t.Parallel()
	ctx, clock, st := callbackFixture()
	it := itemIn(t, st, "mycoolpay", batch.Submitting, "")
	other := itemIn(t, st, "mycoolpay", batch.Review, "")
	p := &looker{name: "mycoolpay", res: providers.Result{Status: providers.StatusSucceeded, ProviderReference: "MCP-1", Amount: 1000}}
	lanes := map[string]batch.Lane{"mycoolpay": {Provider: p}}
	conf, err := batch.Confirm(ctx, st, lanes, providers.Callback{Provider: "mycoolpay", ItemReference: it.Reference, ProviderReference: "MCP-1"}, clock)
	require.NoError(t, err)
	require.Equal(t, batch.VerdictUnchanged, conf.Verdict)

	n, err := batch.Revisit(ctx, st, lanes, 0, clock)
	require.NoError(t, err)
	assert.Zero(t, n, "still being sent: the run's")
	assert.Empty(t, p.refs, "no lookup for it")

	// the run crashed; its rerun found the item in doubt and left it to a person
	require.NoError(t, st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Submitting, To: batch.Unknown, CloseOpen: true, Cause: "recovered"}))
	require.NoError(t, st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Unknown, To: batch.Review, Cause: "a person must check"}))
	for _, want := range []int{1, 0} { // settled, then nothing left to settle
		n, err = batch.Revisit(ctx, st, lanes, 0, clock)
		require.NoError(t, err)
		assert.Equal(t, want, n)
	}
	assert.Equal(t, []string{"MCP-1"}, p.refs, "looked up once, by the id the callback gave")
	items, err := st.Items(ctx, it.BatchID)
	require.NoError(t, err)
	assert.Equal(t, batch.Succeeded, items[0].State)
	assert.Equal(t, "MCP-1", items[0].ProviderReference)
	others, err := st.Items(ctx, other.BatchID)
	require.NoError(t, err)
	assert.Equal(t, batch.Review, others[0].State, "an item no callback named is left to a person")
	logged, err := st.Callbacks(ctx)
	require.NoError(t, err)
	require.Len(t, logged, 2)
	assert.Equal(t, batch.VerdictSettled, logged[1].Verdict)
	assert.Contains(t, logged[1].Detail, "revisited")
}

// An unknown item of a batch a live run holds is the run's to settle (it may
// be asking the provider right now); once the run is gone, the callback's
// lookup settles it. An item in review is never a run's.
func TestConfirmLeavesAnUnknownItemToTheRunHoldingItsBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	alive := true
	st := batchtest.NewMemory(batchtest.WithProcessCheck(func(int, string) bool { return alive }))
	clock := providerstest.NewClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	it := itemIn(t, st, "camoo", batch.Unknown, "")
	require.NoError(t, st.Lock(ctx, it.BatchID, batch.Owner{PID: 4242, Host: "h", Start: "1"}))
	p := &looker{name: "camoo", res: providers.Result{Status: providers.StatusSucceeded, ProviderReference: "CM-1", Amount: 1000}}
	lanes := map[string]batch.Lane{"camoo": {Provider: p}}
	cb := providers.Callback{Provider: "camoo", ItemReference: it.Reference, ProviderReference: "CM-1"}
	conf, err := batch.Confirm(ctx, st, lanes, cb, clock)
	require.NoError(t, err)
	assert.Equal(t, batch.VerdictUnchanged, conf.Verdict, conf.Detail)
	assert.Empty(t, p.refs, "no lookup: the run asks")

	alive = false // the run crashed
	conf, err = batch.Confirm(ctx, st, lanes, cb, clock)
	require.NoError(t, err)
	assert.Equal(t, batch.VerdictSettled, conf.Verdict, conf.Detail)
}

// applyFails is a store whose Apply fails while fail is set.
type applyFails struct {
	*batchtest.Memory
	fail bool
}

func (s *applyFails) Apply(ctx context.Context, changes ...batch.Change) error {
	if s.fail {
		return errors.New("disk full")
	}
	return s.Memory.Apply(ctx, changes...)
}

func TestACallbackWhoseSettlementFailsToRecordIsKeptAndRevisited(t *testing.T) {
	t.Parallel()
	ctx, clock, mem := callbackFixture()
	it := itemIn(t, mem, "mycoolpay", batch.Review, "")
	st := &applyFails{Memory: mem, fail: true}
	p := &looker{name: "mycoolpay", res: providers.Result{Status: providers.StatusSucceeded, ProviderReference: "MCP-1", Amount: 1000}}
	lanes := map[string]batch.Lane{"mycoolpay": {Provider: p}}
	cb := providers.Callback{Provider: "mycoolpay", ItemReference: it.Reference, ProviderReference: "MCP-1", Signed: true}
	_, err := batch.Confirm(ctx, st, lanes, cb, clock)
	require.ErrorContains(t, err, "disk full", "the store's failure is the caller's to report")
	logged, err := mem.Callbacks(ctx)
	require.NoError(t, err)
	require.Len(t, logged, 1, "the callback is kept: My-CoolPay never sends it again")
	assert.Equal(t, batch.VerdictUnchanged, logged[0].Verdict)
	assert.Equal(t, "MCP-1", logged[0].ProviderReference)
	assert.Contains(t, logged[0].Detail, "could not be recorded")
	got, err := mem.Item(ctx, it.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Review, got.State)

	st.fail = false
	n, err := batch.Revisit(ctx, st, lanes, 0, clock)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the kept callback settles the item once the store takes it")
	got, err = mem.Item(ctx, it.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Succeeded, got.State)
}

// scanOnly is a store that cannot find an item by reference: Confirm reads
// the batches instead.
type scanOnly struct{ batch.CallbackStore }

// batchesRead counts the reads of every batch.
type batchesRead struct {
	*batchtest.Memory
	n int
}

func (s *batchesRead) Batches(ctx context.Context) ([]batch.Batch, error) {
	s.n++
	return s.Memory.Batches(ctx)
}

func TestConfirmFindsTheItemByReferenceWithoutReadingEveryBatch(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		scan  bool
		reads int
	}{
		{"a store that finds by reference", false, 0},
		{"a store that cannot: the batches are read", true, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, clock, mem := callbackFixture()
			it := itemIn(t, mem, "camoo", batch.Review, "")
			counted := &batchesRead{Memory: mem}
			var st batch.CallbackStore = counted
			if tt.scan {
				st = scanOnly{counted}
			}
			p := &looker{name: "camoo", res: providers.Result{Status: providers.StatusSucceeded, ProviderReference: "CM-1", Amount: 1000}}
			conf, err := batch.Confirm(ctx, st, map[string]batch.Lane{"camoo": {Provider: p}},
				providers.Callback{Provider: "camoo", ItemReference: it.Reference, ProviderReference: "CM-1", Signed: true}, clock)
			require.NoError(t, err)
			assert.Equal(t, batch.VerdictSettled, conf.Verdict)
			assert.Equal(t, it.ID, conf.Item.ID)
			assert.Equal(t, tt.reads, counted.n)
		})
	}
}
