package batchtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers/providerstest"
)

// Env is what the suite gives each store it opens.
type Env struct {
	// Now is the store's clock: every time it stamps comes from it.
	Now func() time.Time
	// Alive tells whether a lock holder on this host still runs.
	Alive func(pid int, start string) bool
}

// Open makes a new, empty store for one test; the store is the test's to
// close (t.Cleanup).
type Open func(t *testing.T, env Env) batch.Store

// Suite runs the contract every batch.Store keeps, each test on a new store,
// in parallel. Times are checked against the clock the suite gives the store,
// never against the wall clock.
func Suite(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"CreateBatchRoundTrip", testCreateBatchRoundTrip},
		{"BatchByReferenceAndID", testBatchByReferenceAndID},
		{"BatchExists", testBatchExists},
		{"CreateBatchIsAllOrNothing", testCreateBatchIsAllOrNothing},
		{"CreateBatchFromADraft", testCreateBatchFrom},
		{"ItemsInSheetOrderAndByState", testItemsInSheetOrderAndByState},
		{"Totals", testTotals},
		{"ProviderTotalsAndItem", testProviderTotalsAndItem},
		{"ItemsAfterPagesInSheetOrder", testItemsAfter},
		{"PlanningEvents", testPlanningEvents},
		{"Claim", testClaim},
		{"ConcurrentClaimsNeverShareAnItem", testConcurrentClaims},
		{"StartAttempt", testStartAttempt},
		{"HeldClaimsAndRelease", testHeldClaims},
		{"FindItemByReference", testFindItem},
		{"ApplyFollowsTheStateMachine", testApplyFollowsTheStateMachine},
		{"TerminalStatesNeverMoveBack", testTerminalStatesNeverMoveBack},
		{"ApplyRecordsWhatCameBack", testApplyRecordsWhatCameBack},
		{"ApplyClosesAttempts", testApplyClosesAttempts},
		{"ApplyIsAllOrNothing", testApplyIsAllOrNothing},
		{"UnknownBatchesAndItems", testUnknownBatchesAndItems},
		{"Note", testNote},
		{"Lock", testLock},
		{"Cancel", testCancel},
		{"Contacts", testContacts},
		{"Repeats", testRepeats},
		{"RetryLinks", testRetryLinks},
		{"Fees", testFees},
		{"ApprovalPlannersAndPolicy", testApprovalPlannersAndPolicy},
		{"Endpoint", testEndpoint},
		{"Reconciliation", testReconciliation},
		{"ProviderReferences", testProviderReferences},
		{"Check", testCheck},
		{"ReturnsCopies", testReturnsCopies},
		{"SeedMovesEachItemToItsState", testSeed},
		{"Links", testLinks},
		{"LinkClaimAndExpiry", testLinkClaimAndExpiry},
		{"NameChecks", testNameChecks},
		{"LinkReopensOnlyAfterADefiniteFailure", testLinkReopen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fixture{t: t, ctx: context.Background(), clock: providerstest.NewClock(start), alive: map[int]bool{}}
			f.st = open(t, Env{Now: f.clock.Now, Alive: f.isAlive})
			tt.fn(t, f)
		})
	}
}

// start is the suite's clock at the beginning of each test: nanoseconds
// included, so that a store keeping less precision is found out.
var start = time.Date(2026, 11, 25, 8, 0, 0, 123456789, time.UTC)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	st    batch.Store
	clock *providerstest.Clock

	mu    sync.Mutex
	alive map[int]bool // pids that run; any other does not
}

func (f *fixture) isAlive(pid int, _ string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.alive[pid]
}

func (f *fixture) setAlive(pid int, alive bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.alive[pid] = alive
}

// tick moves the store's clock on and returns the new time.
func (f *fixture) tick() time.Time {
	require.NoError(f.t, f.clock.Sleep(f.ctx, time.Second+time.Millisecond))
	return f.clock.Now()
}

// newBatch is a batch of n items paid by campay, rows 2..n+1, references
// unique to ref.
func newBatch(ref string, n int) (batch.Batch, []batch.Item) {
	b := batch.Batch{Reference: ref, SheetHash: "hash-" + ref, SheetName: ref + ".csv", Currency: "XAF", TotalAmount: int64(n) * 1000,
		CreatedBy: "awa"}
	items := make([]batch.Item, n)
	for i := range items {
		items[i] = batch.Item{Row: i + 2, Name: fmt.Sprintf("Beneficiary %d", i), Phone: fmt.Sprintf("2376771%05d", i), Country: "CM",
			Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 1000, Reference: fmt.Sprintf("%s-item-%d", ref, i),
			Provider: "campay", Route: []string{"campay"}, Fingerprint: fmt.Sprintf("fp-%s-%d", ref, i)}
	}
	return b, items
}

// create stores a batch of n items and returns it as stored.
func (f *fixture) create(ref string, n int) (batch.Batch, []batch.Item) {
	f.t.Helper()
	b, items := newBatch(ref, n)
	require.NoError(f.t, f.st.CreateBatch(f.ctx, &b, items))
	return b, items
}

func (f *fixture) items(b batch.Batch, states ...batch.State) []batch.Item {
	f.t.Helper()
	items, err := f.st.Items(f.ctx, b.ID, states...)
	require.NoError(f.t, err)
	return items
}

func (f *fixture) item(b batch.Batch, id int64) batch.Item {
	f.t.Helper()
	for _, it := range f.items(b) {
		if it.ID == id {
			return it
		}
	}
	f.t.Fatalf("item %d is not in batch %d", id, b.ID)
	return batch.Item{}
}

func (f *fixture) events(b batch.Batch, itemID int64) []batch.Event {
	f.t.Helper()
	evs, err := f.st.Events(f.ctx, b.ID, itemID)
	require.NoError(f.t, err)
	return evs
}

func (f *fixture) last(b batch.Batch) batch.Event {
	f.t.Helper()
	evs := f.events(b, 0)
	require.NotEmpty(f.t, evs)
	return evs[len(evs)-1]
}

func (f *fixture) attempts(itemID int64) []batch.Attempt {
	f.t.Helper()
	atts, err := f.st.Attempts(f.ctx, itemID)
	require.NoError(f.t, err)
	return atts
}

func (f *fixture) claimOne(b batch.Batch) batch.Claim {
	f.t.Helper()
	claims, err := f.st.Claim(f.ctx, b.ID, "campay", 1)
	require.NoError(f.t, err)
	require.Len(f.t, claims, 1)
	return claims[0]
}

// moveTo takes a claimed item to state along the machine.
func (f *fixture) moveTo(c batch.Claim, state batch.State) {
	f.t.Helper()
	paths := map[batch.State][]batch.State{
		batch.Submitting: {},
		batch.Pending:    {batch.Pending},
		batch.Succeeded:  {batch.Pending, batch.Succeeded},
		batch.Failed:     {batch.Failed},
		batch.Unknown:    {batch.Unknown},
		batch.Review:     {batch.Unknown, batch.Review},
		batch.Planned:    {batch.Planned},
	}
	path, ok := paths[state]
	require.True(f.t, ok, "no path to %s", state)
	from := batch.Submitting
	for _, to := range path {
		require.NoError(f.t, f.st.Apply(f.ctx, batch.Change{ItemID: c.Item.ID, From: from, To: to, Cause: "test"}))
		from = to
	}
}

func testCreateBatchRoundTrip(t *testing.T, f *fixture) {
	parent, parentItems := f.create("parent", 1)
	b := batch.Batch{Reference: "payroll-2026-11", SheetHash: "sheet-hash", SheetName: "payroll.xlsx", Currency: "XOF",
		TotalAmount: 3500, Sandbox: true, Period: "2026-11", Charge: 70, Profit: 70,
		Fees: batch.Fees{Bearer: batch.BearerBeneficiary, Configs: []batch.ProfitConfig{
			{Name: batch.FeeMobileMoney, Percentage: "1.5", UsePercentage: true, Currency: "XOF"},
			{Name: batch.FeeCashout, Fee: 25}}},
		CreatedBy: "awa", PlanHash: "plan-hash", ParentID: parent.ID,
		Policy:   batch.Policy{RequireApproval: true, FourEyes: true},
		Endpoint: batch.LiveEndpoint(map[string]string{"campay": "https://www.campay.net/api", "cinetpay": "https://client.cinetpay.com"}),
		Approval: batch.Approval{Hash: "not stored at creation", By: "nobody"}}
	items := []batch.Item{
		{Row: 2, Name: "Awa Diallo", Phone: "2250101010101", Country: "CI", Operator: "Orange", Email: "awa@example.org",
			Mode: batch.ModeMobileMoney, Amount: 1500, Charge: 23, PayAmount: 1477, Reference: "ref-a", Provider: "cinetpay",
			Route: []string{"cinetpay", "campay"}, Fingerprint: "fp-a", RetryOf: parentItems[0].ID},
		{Row: 3, Name: "Jean Mbarga", Phone: "237677000001", Country: "CM", Operator: "MTN", Mode: batch.ModeCashout,
			Amount: 2000, Reference: "ref-b", Provider: "campay", Fingerprint: "fp-b",
			// what only a run sets is not taken from the caller
			ProviderReference: "P-1", ProviderFee: 9, ProviderNet: 9, Message: "m", Attempts: 4, State: batch.Succeeded, NotifyDigest: "d"},
	}
	now := f.tick()
	require.NoError(t, f.st.CreateBatch(f.ctx, &b, items))

	assert.NotZero(t, b.ID)
	assert.NotEqual(t, parent.ID, b.ID)
	assert.Equal(t, 2, b.ItemCount)
	assert.Equal(t, now, b.CreatedAt, "stamped from the store's clock")
	for _, it := range items {
		assert.NotZero(t, it.ID)
		assert.Equal(t, b.ID, it.BatchID)
		assert.Equal(t, batch.Planned, it.State)
	}
	assert.NotEqual(t, items[0].ID, items[1].ID)

	want := b
	want.Approval = batch.Approval{}
	got, err := f.st.Batch(f.ctx, "payroll-2026-11")
	require.NoError(t, err)
	assert.Equal(t, want, got)

	wantItems := []batch.Item{items[0], items[1]}
	wantItems[1].PayAmount = 2000 // what is sent: the amount when no charge is taken from it
	wantItems[1].ProviderReference, wantItems[1].ProviderFee, wantItems[1].ProviderNet = "", 0, 0
	wantItems[1].Message, wantItems[1].Attempts, wantItems[1].Route, wantItems[1].NotifyDigest = "", 0, nil, ""
	for i := range wantItems {
		wantItems[i].State, wantItems[i].UpdatedAt = batch.Planned, now
	}
	assert.Equal(t, wantItems, f.items(b))
}

func testBatchByReferenceAndID(t *testing.T, f *fixture) {
	first, _ := f.create("first", 1)
	second, _ := f.create("second", 1)
	// a batch whose reference is another batch's id is found by its reference
	numeric, _ := f.create(fmt.Sprint(first.ID), 1)

	tests := []struct {
		key  string
		want int64
	}{
		{"first", first.ID},
		{"second", second.ID},
		{fmt.Sprint(second.ID), second.ID},
		{fmt.Sprint(first.ID), numeric.ID},
	}
	for _, tt := range tests {
		got, err := f.st.Batch(f.ctx, tt.key)
		require.NoError(t, err, tt.key)
		assert.Equal(t, tt.want, got.ID, tt.key)
	}
	for _, key := range []string{"nope", "", "999999", "-1"} {
		_, err := f.st.Batch(f.ctx, key)
		require.ErrorIs(t, err, batch.ErrBatchNotFound, key)
	}

	all, err := f.st.Batches(f.ctx)
	require.NoError(t, err)
	var refs []string
	for _, b := range all {
		refs = append(refs, b.Reference)
	}
	assert.Equal(t, []string{numeric.Reference, "second", "first"}, refs, "newest first")
}

func testBatchExists(t *testing.T, f *fixture) {
	b, _ := f.create("dup", 2)
	again, items := newBatch("dup", 1)
	items[0].Reference = "a reference of its own"
	err := f.st.CreateBatch(f.ctx, &again, items)
	require.ErrorIs(t, err, batch.ErrBatchExists)
	assert.Contains(t, err.Error(), `"dup"`, "names the reference")

	all, err := f.st.Batches(f.ctx)
	require.NoError(t, err)
	assert.Len(t, all, 1)
	assert.Len(t, f.items(b), 2, "the batch already there is untouched")
}

func testCreateBatchIsAllOrNothing(t *testing.T, f *fixture) {
	_, stored := f.create("first", 1)
	b, items := newBatch("second", 3)
	items[2].Reference = stored[0].Reference // a reference already used
	require.Error(t, f.st.CreateBatch(f.ctx, &b, items))

	_, err := f.st.Batch(f.ctx, "second")
	require.ErrorIs(t, err, batch.ErrBatchNotFound, "nothing of a refused batch is kept")
	all, err := f.st.Batches(f.ctx)
	require.NoError(t, err)
	assert.Len(t, all, 1)
}

func testCreateBatchFrom(t *testing.T, f *fixture) {
	_, first := f.create("first", 2)
	errStop := fmt.Errorf("a row repeats another batch's")

	// the items are added in chunks; the draft finds other batches' payments
	b, items := newBatch("drafted", 5)
	b.ItemCount = 5
	items[4].Fingerprint = first[1].Fingerprint
	var found map[string]batch.Repeat
	require.NoError(t, f.st.CreateBatchFrom(f.ctx, &b, func(d batch.BatchDraft) error {
		require.NoError(t, d.Add(f.ctx, items[:2]))
		require.NoError(t, d.Add(f.ctx, items[2:]))
		var err error
		found, err = d.Repeats(f.ctx, []string{items[0].Fingerprint, items[4].Fingerprint})
		require.NoError(t, err)
		b.PlanHash = "plan-after-the-items"
		return nil
	}))
	assert.Equal(t, map[string]batch.Repeat{first[1].Fingerprint: {OtherBatch: "first", OtherRow: first[1].Row,
		OtherState: batch.Planned, OtherCreated: start}}, found, "only other batches' items are repeats")
	stored, err := f.st.Batch(f.ctx, "drafted")
	require.NoError(t, err)
	assert.Equal(t, "plan-after-the-items", stored.PlanHash, "the plan hash set once the items were added")
	assert.Equal(t, 5, stored.ItemCount)
	got := f.items(stored)
	require.Len(t, got, 5)
	for i, it := range got {
		assert.Equal(t, items[i].ID, it.ID, "the IDs given back are the stored ones")
	}
	evs := f.events(stored, 0)
	require.Len(t, evs, 6)
	assert.Equal(t, batch.CauseBatchPlanned, evs[0].Cause, "the batch's event first")
	assert.Equal(t, "5 items, total 5000 XAF, sheet drafted.csv", evs[0].Detail)

	// an error from fill, or fewer items than planned, stores nothing
	for _, tt := range []struct {
		name string
		fill func(d batch.BatchDraft, items []batch.Item) error
	}{
		{"fill fails", func(d batch.BatchDraft, items []batch.Item) error {
			require.NoError(t, d.Add(f.ctx, items))
			return errStop
		}},
		{"fewer items", func(d batch.BatchDraft, items []batch.Item) error { return d.Add(f.ctx, items[:2]) }},
	} {
		b, items := newBatch("refused-"+strings.ReplaceAll(tt.name, " ", "-"), 3)
		b.ItemCount = 3
		err := f.st.CreateBatchFrom(f.ctx, &b, func(d batch.BatchDraft) error { return tt.fill(d, items) })
		require.Error(t, err, tt.name)
		if tt.name == "fill fails" {
			assert.Equal(t, errStop, err, "fill's own error comes back as it is")
		}
		_, err = f.st.Batch(f.ctx, b.Reference)
		require.ErrorIs(t, err, batch.ErrBatchNotFound, tt.name)
	}
	all, err := f.st.Batches(f.ctx)
	require.NoError(t, err)
	assert.Len(t, all, 2)
	b2, _ := newBatch("drafted", 1)
	err = f.st.CreateBatchFrom(f.ctx, &b2, func(batch.BatchDraft) error { return nil })
	require.ErrorIs(t, err, batch.ErrBatchExists)
}

func testItemsInSheetOrderAndByState(t *testing.T, f *fixture) {
	b, items := newBatch("order", 4)
	for i, row := range []int{9, 2, 7, 4} {
		items[i].Row = row
	}
	require.NoError(t, f.st.CreateBatch(f.ctx, &b, items))
	other, _ := f.create("other", 2)

	var rows []int
	for _, it := range f.items(b) {
		rows = append(rows, it.Row)
	}
	assert.Equal(t, []int{2, 4, 7, 9}, rows, "sheet order, not insertion order")

	c := f.claimOne(b) // row 2
	f.moveTo(c, batch.Unknown)

	tests := []struct {
		states []batch.State
		rows   []int
	}{
		{nil, []int{2, 4, 7, 9}},
		{[]batch.State{batch.Planned}, []int{4, 7, 9}},
		{[]batch.State{batch.Unknown}, []int{2}},
		{[]batch.State{batch.Unknown, batch.Planned}, []int{2, 4, 7, 9}},
		{[]batch.State{batch.Succeeded}, nil},
	}
	for _, tt := range tests {
		var got []int
		for _, it := range f.items(b, tt.states...) {
			got = append(got, it.Row)
			assert.Equal(t, b.ID, it.BatchID)
		}
		assert.Equal(t, tt.rows, got, "%v", tt.states)
	}
	assert.Len(t, f.items(other), 2, "each batch its own items")
	assert.Empty(t, f.items(batch.Batch{ID: 999999}), "a batch the store does not hold has no items")
}

func testItemsAfter(t *testing.T, f *fixture) {
	b, items := newBatch("pages", 7)
	for i, row := range []int{9, 2, 7, 4, 12, 3, 10} {
		items[i].Row = row
	}
	require.NoError(t, f.st.CreateBatch(f.ctx, &b, items))
	f.create("other", 3)
	f.moveTo(f.claimOne(b), batch.Failed) // row 2
	f.moveTo(f.claimOne(b), batch.Review) // row 3

	page := func(after, limit int, states ...batch.State) []int {
		t.Helper()
		got, err := f.st.ItemsAfter(f.ctx, b.ID, after, limit, states...)
		require.NoError(t, err)
		var rows []int
		for _, it := range got {
			assert.Equal(t, b.ID, it.BatchID)
			rows = append(rows, it.Row)
		}
		return rows
	}
	assert.Equal(t, []int{2, 3, 4}, page(0, 3), "the first page, in sheet order")
	assert.Equal(t, []int{7, 9, 10}, page(4, 3), "the next page starts after the last row given")
	assert.Equal(t, []int{12}, page(10, 3))
	assert.Empty(t, page(12, 3), "past the last row")
	assert.Equal(t, []int{4, 7}, page(3, 2, batch.Planned), "only items in the states given")
	assert.Equal(t, []int{2, 3}, page(0, 5, batch.Failed, batch.Review))
	assert.Empty(t, page(0, 0), "a page of nothing")
	got, err := f.st.ItemsAfter(f.ctx, 999999, 0, 10)
	require.NoError(t, err)
	assert.Empty(t, got, "a batch the store does not hold has none")

	whole, err := f.st.Items(f.ctx, b.ID)
	require.NoError(t, err)
	var each []batch.Item
	require.NoError(t, batch.EachItem(f.ctx, f.st, b.ID, func(it batch.Item) error { each = append(each, it); return nil }))
	assert.Equal(t, whole, each, "EachItem goes through the whole batch as Items reads it")

	big, _ := f.create("big", 2*batch.ItemPage+5)
	n, last := 0, 0
	require.NoError(t, batch.EachItem(f.ctx, f.st, big.ID, func(it batch.Item) error {
		assert.Greater(t, it.Row, last, "sheet order across pages")
		n, last = n+1, it.Row
		return nil
	}))
	assert.Equal(t, 2*batch.ItemPage+5, n, "every item once, over three pages")
}

func testTotals(t *testing.T, f *fixture) {
	b, items := newBatch("totals", 5)
	for i := range items {
		items[i].Amount = int64(1000 * (i + 1))
	}
	require.NoError(t, f.st.CreateBatch(f.ctx, &b, items))
	f.create("other", 3)

	totals := func(id int64) map[batch.State]batch.Total {
		t.Helper()
		got, err := f.st.Totals(f.ctx, id)
		require.NoError(t, err)
		return got
	}
	assert.Equal(t, map[batch.State]batch.Total{batch.Planned: {Items: 5, Amount: 15000}}, totals(b.ID))

	f.moveTo(f.claimOne(b), batch.Succeeded) // row 2: 1000
	f.moveTo(f.claimOne(b), batch.Failed)    // row 3: 2000
	f.moveTo(f.claimOne(b), batch.Review)    // row 4: 3000
	assert.Equal(t, map[batch.State]batch.Total{
		batch.Planned:   {Items: 2, Amount: 9000},
		batch.Succeeded: {Items: 1, Amount: 1000},
		batch.Failed:    {Items: 1, Amount: 2000},
		batch.Review:    {Items: 1, Amount: 3000},
	}, totals(b.ID), "states no item stands in are absent")
	assert.Equal(t, batch.Summarize(b, f.items(b)), batch.FromTotals(b, totals(b.ID)), "the summary over the items")
	assert.Empty(t, totals(999999), "a batch the store does not hold has none")
}

func testProviderTotalsAndItem(t *testing.T, f *fixture) {
	b, items := newBatch("by-provider", 4)
	for i := range items {
		items[i].Amount = int64(1000 * (i + 1))
	}
	items[3].Provider, items[3].Route = "mycoolpay", []string{"mycoolpay"}
	require.NoError(t, f.st.CreateBatch(f.ctx, &b, items))
	f.create("other", 2)

	byProvider := func(id int64) map[string]map[batch.State]batch.Total {
		t.Helper()
		got, err := f.st.ProviderTotals(f.ctx, id)
		require.NoError(t, err)
		return got
	}
	c := f.claimOne(b) // row 2: 1000
	f.moveTo(c, batch.Pending)
	f.moveTo(f.claimOne(b), batch.Failed) // row 3: 2000
	assert.Equal(t, map[string]map[batch.State]batch.Total{
		"campay":    {batch.Pending: {Items: 1, Amount: 1000}, batch.Failed: {Items: 1, Amount: 2000}, batch.Planned: {Items: 1, Amount: 3000}},
		"mycoolpay": {batch.Planned: {Items: 1, Amount: 4000}},
	}, byProvider(b.ID), "the batch's own items, by provider and state")
	sum := map[batch.State]batch.Total{}
	for _, byState := range byProvider(b.ID) {
		for st, tot := range byState {
			sum[st] = batch.Total{Items: sum[st].Items + tot.Items, Amount: sum[st].Amount + tot.Amount}
		}
	}
	all, err := f.st.Totals(f.ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, all, sum, "the providers' totals add up to the batch's")
	assert.Empty(t, byProvider(999999), "a batch the store does not hold has none")
	open, err := f.st.OpenByProvider(f.ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"campay": 2, "mycoolpay": 1}, open, "the items not final yet, by provider")
	open, err = f.st.OpenByProvider(f.ctx, 999999)
	require.NoError(t, err)
	assert.Empty(t, open)

	page := func(provider string, state batch.State, after, limit int) []int {
		t.Helper()
		items, err := f.st.LaneItemsAfter(f.ctx, b.ID, provider, state, after, limit)
		require.NoError(t, err)
		rows := []int{}
		for _, it := range items {
			rows = append(rows, it.Row)
		}
		return rows
	}
	f.moveTo(f.claimOne(b), batch.Pending) // row 4
	assert.Equal(t, []int{2, 4}, page("campay", batch.Pending, 0, 10), "one provider's items in one state, in sheet order")
	assert.Equal(t, []int{2}, page("campay", batch.Pending, 0, 1), "at most limit")
	assert.Equal(t, []int{4}, page("campay", batch.Pending, 2, 10), "after the row given")
	assert.Empty(t, page("campay", batch.Pending, 4, 10))
	assert.Equal(t, []int{5}, page("mycoolpay", batch.Planned, 0, 10))
	assert.Empty(t, page("mycoolpay", batch.Pending, 0, 10))
	assert.Empty(t, page("campay", batch.Pending, 0, 0))

	got, err := f.st.Item(f.ctx, c.Item.ID)
	require.NoError(t, err)
	assert.Equal(t, f.item(b, c.Item.ID), got, "one item as it stands")
	assert.Equal(t, batch.Pending, got.State)
	_, err = f.st.Item(f.ctx, 999999)
	require.ErrorIs(t, err, batch.ErrItemNotFound)
}

func testPlanningEvents(t *testing.T, f *fixture) {
	now := f.tick()
	b, items := f.create("ev", 2)
	evs := f.events(b, 0)
	require.Len(t, evs, 3)
	assert.Equal(t, batch.Event{ID: evs[0].ID, BatchID: b.ID, At: now, Cause: batch.CauseBatchPlanned, Actor: "awa",
		Detail: "2 items, total 2000 XAF, sheet ev.csv"}, evs[0])
	for i, it := range items {
		e := evs[i+1]
		assert.Equal(t, batch.Event{ID: e.ID, BatchID: b.ID, ItemID: it.ID, At: now, To: batch.Planned, Cause: batch.CauseItemPlanned,
			Detail: "reference " + it.Reference + " via campay"}, e)
	}
	assert.Less(t, evs[0].ID, evs[1].ID)
	assert.Less(t, evs[1].ID, evs[2].ID)

	one := f.events(b, items[1].ID)
	require.Len(t, one, 1)
	assert.Equal(t, evs[2], one[0], "an item's own events only")
}

func testClaim(t *testing.T, f *fixture) {
	b, items := newBatch("claim", 5)
	items[3].Provider = "cinetpay"
	require.NoError(t, f.st.CreateBatch(f.ctx, &b, items))
	now := f.tick()

	claims, err := f.st.Claim(f.ctx, b.ID, "campay", 2, items[0].ID)
	require.NoError(t, err)
	require.Len(t, claims, 2)
	for i, want := range []batch.Item{items[1], items[2]} {
		c := claims[i]
		assert.Equal(t, want.ID, c.Item.ID, "sheet order, the excepted item left alone")
		assert.Equal(t, batch.Submitting, c.Item.State)
		assert.Equal(t, 1, c.Item.Attempts)
		assert.Equal(t, now, c.Item.UpdatedAt)
		atts := f.attempts(c.Item.ID)
		require.Len(t, atts, 1)
		assert.Equal(t, batch.Attempt{ID: c.AttemptID, ItemID: want.ID, Provider: "campay", Reference: want.Reference,
			Kind: batch.KindSend, Request: batch.RequestSummary(want), StartedAt: now}, atts[0])
		evs := f.events(b, c.Item.ID)
		require.Len(t, evs, 2)
		assert.Equal(t, batch.Event{ID: evs[1].ID, BatchID: b.ID, ItemID: want.ID, At: now, From: batch.Planned, To: batch.Submitting,
			Cause: batch.CauseClaimed, Detail: fmt.Sprintf("attempt %d", c.AttemptID)}, evs[1])
		assert.Equal(t, c.Item, f.item(b, want.ID), "the claim is stored as returned")
	}
	assert.NotEqual(t, claims[0].AttemptID, claims[1].AttemptID)

	tests := []struct {
		provider string
		limit    int
		except   []int64
		want     []int64
	}{
		{"campay", 5, []int64{items[0].ID}, []int64{items[4].ID}},
		{"campay", 5, nil, []int64{items[0].ID}},
		{"campay", 5, nil, nil},
		{"other", 5, nil, nil},
		{"cinetpay", 0, nil, nil},
		{"cinetpay", 1, nil, []int64{items[3].ID}},
	}
	for i, tt := range tests {
		claims, err := f.st.Claim(f.ctx, b.ID, tt.provider, tt.limit, tt.except...)
		require.NoError(t, err, i)
		var got []int64
		for _, c := range claims {
			got = append(got, c.Item.ID)
		}
		assert.Equal(t, tt.want, got, "claim %d: %s", i, tt.provider)
	}
	assert.Empty(t, f.items(b, batch.Planned))
}

func testConcurrentClaims(t *testing.T, f *fixture) {
	const n, workers = 40, 4
	b, _ := f.create("race", n)
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for {
				claims, err := f.st.Claim(f.ctx, b.ID, "campay", 3)
				if err != nil {
					errs <- err
					return
				}
				if len(claims) == 0 {
					return
				}
				mu.Lock()
				for _, c := range claims {
					seen[c.Item.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, seen, n, "every item claimed")
	for id, times := range seen {
		assert.Equal(t, 1, times, "item %d claimed once", id)
		assert.Len(t, f.attempts(id), 1)
	}
}

func testFindItem(t *testing.T, f *fixture) {
	fi, ok := f.st.(batch.ItemFinder)
	if !ok {
		t.Skip("the store finds no item by reference")
	}
	b, items := f.create("find", 3)
	c := f.claimOne(b)
	require.NoError(t, f.st.Apply(f.ctx, batch.Change{ItemID: c.Item.ID, From: batch.Submitting, To: batch.Pending,
		Cause: "accepted", ProviderReference: "CP-7"}))
	for _, tt := range []struct {
		name                   string
		ours, provider, theirs string
		found                  bool
		want                   int64
	}{
		{"by our reference", items[1].Reference, "", "", true, items[1].ID},
		{"ours first, whatever else is given", items[2].Reference, "campay", "CP-7", true, items[2].ID},
		{"by the provider's id", "", "campay", "CP-7", true, c.Item.ID},
		{"the provider's id of another provider", "", "camoo", "CP-7", false, 0},
		{"an empty provider id names nothing", "", "campay", "", false, 0},
		{"a reference never sent", "nope", "", "", false, 0},
	} {
		it, found, err := fi.FindItem(f.ctx, tt.ours, tt.provider, tt.theirs)
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.found, found, tt.name)
		assert.Equal(t, tt.want, it.ID, tt.name)
	}
}

func testHeldClaims(t *testing.T, f *fixture) {
	hs, ok := f.st.(batch.HoldingStore)
	if !ok {
		t.Skip("the store does not hold claims")
	}
	b, _ := f.create("held", 3)
	held, err := hs.ClaimHeld(f.ctx, b.ID, "campay", 2)
	require.NoError(t, err)
	require.Len(t, held, 2)
	plain, err := hs.Claim(f.ctx, b.ID, "campay", 1)
	require.NoError(t, err)
	require.Len(t, plain, 1)
	for _, c := range held {
		assert.Equal(t, batch.Submitting, f.item(b, c.Item.ID).State)
		atts := f.attempts(c.Item.ID)
		require.Len(t, atts, 1)
		assert.Equal(t, batch.OutcomeHeld, atts[0].Outcome, "a held claim's attempt is held")
	}
	assert.Empty(t, f.attempts(plain[0].Item.ID)[0].Outcome, "a plain claim's is not: its request may have left")

	require.NoError(t, hs.Release(f.ctx, held[0].AttemptID))
	assert.Empty(t, f.attempts(held[0].Item.ID)[0].Outcome, "released: its request may leave")
	assert.ErrorIs(t, hs.Release(f.ctx, held[0].AttemptID), batch.ErrStale, "released once")
	assert.ErrorIs(t, hs.Release(f.ctx, plain[0].AttemptID), batch.ErrStale, "a plain claim is never held")
	require.NoError(t, f.st.Apply(f.ctx, batch.Change{ItemID: held[1].Item.ID, From: batch.Submitting, To: batch.Planned,
		Cause: "not sent", Attempt: &batch.AttemptEnd{ID: held[1].AttemptID, Outcome: batch.OutcomeNotProcessed}}))
	assert.ErrorIs(t, hs.Release(f.ctx, held[1].AttemptID), batch.ErrStale, "a closed attempt is not released")

	// closing an attempt only while it is held: one released meanwhile is stale
	again, err := hs.ClaimHeld(f.ctx, b.ID, "campay", 2)
	require.NoError(t, err)
	require.Len(t, again, 1)
	require.NoError(t, hs.Release(f.ctx, again[0].AttemptID))
	unsent := batch.Change{ItemID: again[0].Item.ID, From: batch.Submitting, To: batch.Planned, Cause: "never sent",
		Attempt: &batch.AttemptEnd{ID: again[0].AttemptID, Outcome: batch.OutcomeNotProcessed, WhileHeld: true}}
	assert.ErrorIs(t, f.st.Apply(f.ctx, unsent), batch.ErrStale, "released: its request may be leaving")
	assert.Equal(t, batch.Submitting, f.item(b, again[0].Item.ID).State, "nothing of it recorded")

	// a resend opened held: the attempt left open is closed as interrupted
	id, err := hs.StartHeld(f.ctx, again[0].Item.ID, batch.KindRetry)
	require.NoError(t, err)
	atts := f.attempts(again[0].Item.ID)
	require.Len(t, atts, 3)
	assert.Equal(t, batch.OutcomeUnknown, atts[1].Outcome)
	assert.Equal(t, id, atts[2].ID)
	assert.Equal(t, batch.KindRetry, atts[2].Kind)
	assert.Equal(t, batch.OutcomeHeld, atts[2].Outcome)
	require.NoError(t, hs.Release(f.ctx, id))
}

func testStartAttempt(t *testing.T, f *fixture) {
	b, _ := f.create("attempt", 1)
	c := f.claimOne(b)
	f.moveTo(c, batch.Unknown)

	then := f.tick()
	id, err := f.st.StartAttempt(f.ctx, c.Item.ID, batch.KindSettle, "")
	require.NoError(t, err)
	atts := f.attempts(c.Item.ID)
	require.Len(t, atts, 2)
	assert.Equal(t, batch.Attempt{ID: c.AttemptID, ItemID: c.Item.ID, Provider: "campay", Reference: c.Item.Reference, Kind: batch.KindSend,
		Request: batch.RequestSummary(c.Item), StartedAt: start, FinishedAt: then, Outcome: batch.OutcomeUnknown,
		Response: batch.Interrupted}, atts[0], "an attempt left open is closed as interrupted")
	assert.Equal(t, batch.Attempt{ID: id, ItemID: c.Item.ID, Provider: "campay", Reference: c.Item.Reference, Kind: batch.KindSettle,
		Request: batch.RequestSummary(c.Item), StartedAt: then}, atts[1])

	it := f.item(b, c.Item.ID)
	assert.Equal(t, batch.Unknown, it.State, "the state does not change")
	assert.Equal(t, 2, it.Attempts)
	assert.Equal(t, then, it.UpdatedAt)

	again, err := f.st.StartAttempt(f.ctx, c.Item.ID, batch.KindRetry, "pay 1000 again")
	require.NoError(t, err)
	atts = f.attempts(c.Item.ID)
	require.Len(t, atts, 3)
	assert.Equal(t, again, atts[2].ID)
	assert.Equal(t, "pay 1000 again", atts[2].Request)
	assert.Equal(t, batch.OutcomeUnknown, atts[1].Outcome)
	assert.Len(t, f.events(b, c.Item.ID), 3, "planned, claimed, unknown: an attempt adds no event")
}

func testApplyFollowsTheStateMachine(t *testing.T, f *fixture) {
	for _, from := range batch.States {
		for _, to := range batch.States {
			if from == batch.Rejected || from == batch.Cancelled || from == to {
				continue // an item reaches rejected and cancelled from planned only, tested there
			}
			name := fmt.Sprintf("%s→%s", from, to)
			b, _ := f.create(name, 1)
			var id int64
			switch from {
			case batch.Planned:
				id = f.items(b)[0].ID
			case batch.ToConfirm: // reached from planned only, by a name check
				id = f.items(b)[0].ID
				require.NoError(t, f.st.Apply(f.ctx, batch.Change{ItemID: id, From: batch.Planned, To: batch.ToConfirm, Cause: "name check"}), name)
			default:
				c := f.claimOne(b)
				f.moveTo(c, from)
				id = c.Item.ID
			}
			before := len(f.events(b, id))
			now := f.tick()
			err := f.st.Apply(f.ctx, batch.Change{ItemID: id, From: from, To: to, Cause: "cause " + name, Actor: "kofi"})
			if !batch.CanMove(from, to) {
				require.ErrorIs(t, err, batch.ErrIllegalMove, name)
				assert.Equal(t, from, f.item(b, id).State, name)
				assert.Len(t, f.events(b, id), before, name)
				continue
			}
			require.NoError(t, err, name)
			it := f.item(b, id)
			assert.Equal(t, to, it.State, name)
			assert.Equal(t, now, it.UpdatedAt, name)
			evs := f.events(b, id)
			require.Len(t, evs, before+1, name)
			assert.Equal(t, batch.Event{ID: evs[before].ID, BatchID: b.ID, ItemID: id, At: now, From: from, To: to,
				Cause: "cause " + name, Actor: "kofi"}, evs[before], name)

			// the same change again: the item is no longer in from
			err = f.st.Apply(f.ctx, batch.Change{ItemID: id, From: from, To: to, Cause: "twice"})
			require.ErrorIs(t, err, batch.ErrStale, name)
		}
	}
	b, _ := f.create("reject", 1)
	id := f.items(b)[0].ID
	require.NoError(t, f.st.Apply(f.ctx, batch.Change{ItemID: id, From: batch.Planned, To: batch.Rejected, Cause: "invalid"}))
	assert.Equal(t, batch.Rejected, f.item(b, id).State)
	b, _ = f.create("cancel", 1)
	id = f.items(b)[0].ID
	require.NoError(t, f.st.Apply(f.ctx, batch.Change{ItemID: id, From: batch.Planned, To: batch.Cancelled, Cause: "cancelled", Actor: "awa"}))
	assert.Equal(t, batch.Cancelled, f.item(b, id).State)
}

func testTerminalStatesNeverMoveBack(t *testing.T, f *fixture) {
	for _, terminal := range []batch.State{batch.Succeeded, batch.Failed, batch.Rejected, batch.Cancelled} {
		b, _ := f.create(string(terminal), 1)
		id := f.items(b)[0].ID
		if terminal == batch.Rejected || terminal == batch.Cancelled {
			require.NoError(t, f.st.Apply(f.ctx, batch.Change{ItemID: id, From: batch.Planned, To: terminal, Cause: "by hand"}))
		} else {
			f.moveTo(f.claimOne(b), terminal)
		}
		for _, to := range batch.States {
			err := f.st.Apply(f.ctx, batch.Change{ItemID: id, From: terminal, To: to, Cause: "back"})
			require.ErrorIs(t, err, batch.ErrIllegalMove, "%s → %s", terminal, to)
		}
		claims, err := f.st.Claim(f.ctx, b.ID, "campay", 1)
		require.NoError(t, err)
		assert.Empty(t, claims, "a %s item is never claimed", terminal)
		assert.Equal(t, terminal, f.item(b, id).State)
	}
}

func testApplyRecordsWhatCameBack(t *testing.T, f *fixture) {
	b, _ := f.create("fields", 1)
	c := f.claimOne(b)
	id := c.Item.ID

	steps := []struct {
		change batch.Change
		want   func(*batch.Item)
		detail string
	}{
		{batch.Change{From: batch.Submitting, To: batch.Planned, Cause: "failover", Provider: "cinetpay", Message: "campay down"},
			func(it *batch.Item) { it.State, it.Provider, it.Message = batch.Planned, "cinetpay", "campay down" },
			"now via cinetpay; campay down"},
		{batch.Change{From: batch.Planned, To: batch.Submitting, Cause: "resend"},
			func(it *batch.Item) { it.State = batch.Submitting },
			""},
		{batch.Change{From: batch.Submitting, To: batch.Pending, Cause: "accepted", ProviderReference: "CP-1", ProviderFee: 15, ProviderNet: 985,
			NotifyDigest: batch.TokenDigest("notify-1")},
			func(it *batch.Item) {
				it.State, it.ProviderReference, it.ProviderFee, it.ProviderNet = batch.Pending, "CP-1", 15, 985
				it.NotifyDigest = batch.TokenDigest("notify-1")
			},
			"provider_reference CP-1"},
		{batch.Change{Message: "held: balance short"},
			func(it *batch.Item) { it.Message = "held: balance short" },
			""},
		{batch.Change{Evidence: true, Cause: batch.CauseLateAnswer, ProviderReference: "CP-2", Message: "attempt 7: accepted"},
			func(*batch.Item) {}, // kept in the events only
			"provider_reference CP-2; attempt 7: accepted"},
		{batch.Change{From: batch.Pending, To: batch.Succeeded, Cause: "final"},
			func(it *batch.Item) { it.State = batch.Succeeded },
			""},
	}
	want := f.item(b, id)
	for i, s := range steps {
		now := f.tick()
		before := len(f.events(b, id))
		s.change.ItemID = id
		require.NoError(t, f.st.Apply(f.ctx, s.change), i)
		s.want(&want)
		if s.change.To != "" {
			want.UpdatedAt = now
		}
		assert.Equal(t, want, f.item(b, id), "step %d", i)
		evs := f.events(b, id)
		if s.change.To == "" && !s.change.Evidence {
			assert.Len(t, evs, before, "step %d: a message alone adds no event", i)
			continue
		}
		require.Len(t, evs, before+1, i)
		assert.Equal(t, s.detail, evs[before].Detail, "step %d", i)
		if s.change.Evidence {
			assert.Equal(t, s.change.Cause, evs[before].Cause, "step %d", i)
			assert.Empty(t, evs[before].From+evs[before].To, "step %d: evidence moves nothing", i)
			continue
		}
		assert.Equal(t, s.change.Event(b.ID).Detail, evs[before].Detail, "step %d", i)
	}
}

func testApplyClosesAttempts(t *testing.T, f *fixture) {
	b, _ := f.create("close", 2)
	c := f.claimOne(b)
	other := f.claimOne(b)
	now := f.tick()

	end := &batch.AttemptEnd{ID: c.AttemptID, Outcome: batch.OutcomeAccepted, ProviderReference: "CP-9", Response: "202 accepted"}
	require.NoError(t, f.st.Apply(f.ctx, batch.Change{ItemID: c.Item.ID, From: batch.Submitting, To: batch.Pending, Cause: "accepted",
		Attempt: end}))
	atts := f.attempts(c.Item.ID)
	require.Len(t, atts, 1)
	assert.Equal(t, now, atts[0].FinishedAt)
	assert.Equal(t, batch.OutcomeAccepted, atts[0].Outcome)
	assert.Equal(t, "CP-9", atts[0].ProviderReference)
	assert.Equal(t, "202 accepted", atts[0].Response)

	tests := []struct {
		name   string
		change batch.Change
	}{
		{"an attempt closes once", batch.Change{ItemID: c.Item.ID, Attempt: &batch.AttemptEnd{ID: c.AttemptID, Outcome: batch.OutcomeUnknown}}},
		{"another item's attempt", batch.Change{ItemID: c.Item.ID, Attempt: &batch.AttemptEnd{ID: other.AttemptID, Outcome: batch.OutcomeRefused}}},
		{"no such attempt", batch.Change{ItemID: c.Item.ID, Attempt: &batch.AttemptEnd{ID: 999999, Outcome: batch.OutcomeRefused}}},
	}
	for _, tt := range tests {
		require.ErrorIs(t, f.st.Apply(f.ctx, tt.change), batch.ErrStale, tt.name)
	}
	assert.True(t, f.attempts(other.Item.ID)[0].FinishedAt.IsZero(), "left open")

	// recovery after a crash: the open attempt is closed as interrupted
	later := f.tick()
	require.NoError(t, f.st.Apply(f.ctx, batch.Change{ItemID: other.Item.ID, From: batch.Submitting, To: batch.Unknown, Cause: "recovered",
		CloseOpen: true}))
	a := f.attempts(other.Item.ID)[0]
	assert.Equal(t, later, a.FinishedAt)
	assert.Equal(t, batch.OutcomeUnknown, a.Outcome)
	assert.Equal(t, batch.Interrupted, a.Response)
}

func testApplyIsAllOrNothing(t *testing.T, f *fixture) {
	b, _ := f.create("atomic", 2)
	first := f.claimOne(b)
	second := f.claimOne(b)
	before := f.events(b, 0)

	tests := []struct {
		name    string
		changes []batch.Change
		err     error
	}{
		{"an illegal move after a legal one", []batch.Change{
			{ItemID: first.Item.ID, From: batch.Submitting, To: batch.Unknown, Cause: "a",
				Attempt: &batch.AttemptEnd{ID: first.AttemptID, Outcome: batch.OutcomeUnknown}},
			{ItemID: first.Item.ID, From: batch.Unknown, To: batch.Planned, Cause: "illegal"},
		}, batch.ErrIllegalMove},
		{"a stale change after a legal one", []batch.Change{
			{ItemID: second.Item.ID, From: batch.Submitting, To: batch.Pending, Cause: "a", Message: "kept?",
				Attempt: &batch.AttemptEnd{ID: second.AttemptID, Outcome: batch.OutcomeAccepted}},
			{ItemID: first.Item.ID, From: batch.Pending, To: batch.Succeeded, Cause: "stale"},
		}, batch.ErrStale},
		{"an unknown item after a legal one", []batch.Change{
			{ItemID: first.Item.ID, From: batch.Submitting, To: batch.Failed, Cause: "refused", CloseOpen: true},
			{ItemID: 999999, Message: "nobody"},
		}, batch.ErrItemNotFound},
	}
	for _, tt := range tests {
		require.ErrorIs(t, f.st.Apply(f.ctx, tt.changes...), tt.err, tt.name)
		for _, c := range []batch.Claim{first, second} {
			it := f.item(b, c.Item.ID)
			assert.Equal(t, batch.Submitting, it.State, tt.name)
			assert.Empty(t, it.Message, tt.name)
			assert.True(t, f.attempts(c.Item.ID)[0].FinishedAt.IsZero(), "%s: no attempt closed", tt.name)
		}
		assert.Equal(t, before, f.events(b, 0), "%s: no event kept", tt.name)
	}

	require.NoError(t, f.st.Apply(f.ctx,
		batch.Change{ItemID: first.Item.ID, From: batch.Submitting, To: batch.Unknown, Cause: "a"},
		batch.Change{ItemID: first.Item.ID, From: batch.Unknown, To: batch.Pending, Cause: "b"},
		batch.Change{ItemID: second.Item.ID, From: batch.Submitting, To: batch.Failed, Cause: "c"}),
		"changes of one call see each other")
	assert.Equal(t, batch.Pending, f.item(b, first.Item.ID).State)
	assert.Equal(t, batch.Failed, f.item(b, second.Item.ID).State)
	assert.Len(t, f.events(b, 0), len(before)+3)
}

func testUnknownBatchesAndItems(t *testing.T, f *fixture) {
	const nb, ni = int64(999999), int64(999999)
	owner := batch.Owner{PID: 1, Host: "h", At: start}
	batchOps := map[string]func() error{
		"Note":               func() error { return f.st.Note(f.ctx, nb, "c", "d") },
		"Lock":               func() error { return f.st.Lock(f.ctx, nb, owner) },
		"Approve":            func() error { return f.st.Approve(f.ctx, nb, batch.Approval{Hash: "h", By: "b", At: start}, "") },
		"RecordPlan":         func() error { return f.st.RecordPlan(f.ctx, nb, "b", "h", "", batch.Policy{}) },
		"RecordPolicy":       func() error { return f.st.RecordPolicy(f.ctx, nb, batch.Policy{FourEyes: true}, "b") },
		"SetEndpoint":        func() error { return f.st.SetEndpoint(f.ctx, nb, batch.SandboxEndpoint("http://x"), "c", "d", "a") },
		"SaveReconciliation": func() error { return f.st.SaveReconciliation(f.ctx, nb, batch.Reconciliation{At: start}) },
		"Reconciliation":     func() error { _, err := f.st.Reconciliation(f.ctx, nb); return err },
	}
	for name, op := range batchOps {
		require.ErrorIs(t, op(), batch.ErrBatchNotFound, name)
	}
	itemOps := map[string]func() error{
		"StartAttempt": func() error { _, err := f.st.StartAttempt(f.ctx, ni, batch.KindRetry, ""); return err },
		"Apply move": func() error {
			return f.st.Apply(f.ctx, batch.Change{ItemID: ni, From: batch.Planned, To: batch.Submitting})
		},
		"Apply note": func() error { return f.st.Apply(f.ctx, batch.Change{ItemID: ni, Message: "m"}) },
	}
	for name, op := range itemOps {
		require.ErrorIs(t, op(), batch.ErrItemNotFound, name)
	}
	require.NoError(t, f.st.Unlock(f.ctx, nb, owner), "nothing to release")
	atts, err := f.st.Attempts(f.ctx, ni)
	require.NoError(t, err)
	assert.Empty(t, atts)
	evs, err := f.st.Events(f.ctx, nb, 0)
	require.NoError(t, err)
	assert.Empty(t, evs)
}

func testNote(t *testing.T, f *fixture) {
	b, items := f.create("note", 1)
	now := f.tick()
	require.NoError(t, f.st.Note(f.ctx, b.ID, "run refused", "provider balance short; nothing sent"))
	assert.Equal(t, batch.Event{ID: f.last(b).ID, BatchID: b.ID, At: now, Cause: "run refused",
		Detail: "provider balance short; nothing sent"}, f.last(b))
	assert.Len(t, f.events(b, items[0].ID), 1, "a batch-level event belongs to no item")
}

func testLock(t *testing.T, f *fixture) {
	b, _ := f.create("lock", 1)
	me := batch.Owner{PID: 1000, Host: "h", Start: "100", At: start.Add(time.Minute)}
	other := batch.Owner{PID: 2000, Host: "h", Start: "200", At: start.Add(2 * time.Minute)}
	elsewhere := batch.Owner{PID: 3000, Host: "elsewhere", Start: "300", At: start.Add(3 * time.Minute)}
	reused := batch.Owner{PID: 1000, Host: "h", Start: "999", At: start.Add(4 * time.Minute)} // pid 1000 given to a later process
	f.setAlive(1000, true)
	f.setAlive(2000, true)

	steps := []struct {
		name   string
		do     func() error
		holder *batch.Owner // the LockedError's holder; nil: no error
		event  string       // the detail of the event appended, "" for none
	}{
		{"the first run takes it", func() error { return f.st.Lock(f.ctx, b.ID, me) }, nil, "pid 1000 on h"},
		{"the holder may take it again", func() error { return f.st.Lock(f.ctx, b.ID, me) }, nil, "pid 1000 on h"},
		{"a live holder keeps it", func() error { return f.st.Lock(f.ctx, b.ID, other) }, &me, ""},
		{"another host never takes it over", func() error { f.setAlive(1000, false); return f.st.Lock(f.ctx, b.ID, elsewhere) }, &me, ""},
		{"only the holder releases it", func() error { return f.st.Unlock(f.ctx, b.ID, other) }, nil, ""},
		{"a dead holder's lock is taken over", func() error { return f.st.Lock(f.ctx, b.ID, other) }, nil,
			"pid 2000 on h, taken over from pid 1000 (no longer running) which held it since " + batch.Stamp(me.At)},
		{"the holder releases it", func() error { return f.st.Unlock(f.ctx, b.ID, other) }, nil, "pid 2000 on h"},
		{"a free lock is taken", func() error { return f.st.Lock(f.ctx, b.ID, me) }, nil, "pid 1000 on h"},
		{"a reused pid is not the holder", func() error { return f.st.Lock(f.ctx, b.ID, reused) }, nil,
			"pid 1000 on h, taken over from pid 1000 (no longer running) which held it since " + batch.Stamp(me.At)},
	}
	for _, s := range steps {
		before := f.events(b, 0)
		now := f.tick()
		err := s.do()
		if s.holder != nil {
			var le *batch.LockedError
			require.ErrorAs(t, err, &le, s.name)
			assert.Equal(t, batch.LockedError{Reference: "lock", PID: s.holder.PID, Host: s.holder.Host, Since: s.holder.At}, *le, s.name)
		} else {
			require.NoError(t, err, s.name)
		}
		evs := f.events(b, 0)
		if s.event == "" {
			assert.Equal(t, before, evs, "%s: no event", s.name)
			continue
		}
		require.Len(t, evs, len(before)+1, s.name)
		e := evs[len(before)]
		assert.Equal(t, now, e.At, s.name)
		assert.Equal(t, s.event, e.Detail, s.name)
		want := batch.CauseRunStarted
		if s.name == "the holder releases it" {
			want = batch.CauseRunEnded
		}
		assert.Equal(t, want, e.Cause, s.name)
	}
}

// testCancel runs batch.Cancel on the store: only planned items become
// cancelled, each with its event and actor, the rest is left; a batch another
// live process holds is refused and nothing changes; the lock is given back.
func testCancel(t *testing.T, f *fixture) {
	b, _ := f.create("cancel-use-case", 4)
	inFlight := f.claimOne(b)
	settled := f.claimOne(b)
	f.moveTo(settled, batch.Succeeded)
	me := batch.Owner{PID: 1000, Host: "h", Start: "100", At: start}
	runner := batch.Owner{PID: 2000, Host: "h", Start: "200", At: start}
	f.setAlive(1000, true)
	f.setAlive(2000, true)

	// another live process holds the batch: refused, nothing moves
	require.NoError(t, f.st.Lock(f.ctx, b.ID, runner))
	before := f.events(b, 0)
	_, err := batch.Cancel(f.ctx, f.st, b, batch.CancelRequest{Actor: "awa", Note: "wrong month", Owner: me})
	var le *batch.LockedError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 2000, le.PID)
	assert.Len(t, f.items(b, batch.Planned), 2)
	assert.Equal(t, before, f.events(b, 0))
	require.NoError(t, f.st.Unlock(f.ctx, b.ID, runner))

	now := f.tick()
	got, err := batch.Cancel(f.ctx, f.st, b, batch.CancelRequest{Actor: "awa", Note: "wrong month", Owner: me})
	require.NoError(t, err)
	assert.Equal(t, batch.CancelResult{Items: 2, Amount: 2000, Left: batch.Counts{batch.Submitting: 1}}, got)
	for _, it := range f.items(b) {
		switch it.ID {
		case inFlight.Item.ID:
			assert.Equal(t, batch.Submitting, it.State, "a claimed item may have left: never cancelled")
		case settled.Item.ID:
			assert.Equal(t, batch.Succeeded, it.State)
		default:
			assert.Equal(t, batch.Cancelled, it.State)
			assert.Equal(t, "cancelled by awa: wrong month", it.Message)
			assert.Equal(t, now, it.UpdatedAt)
			evs := f.events(b, it.ID)
			assert.Equal(t, batch.Event{ID: evs[len(evs)-1].ID, BatchID: b.ID, ItemID: it.ID, At: now, From: batch.Planned,
				To: batch.Cancelled, Cause: batch.CauseCancelled, Detail: "cancelled by awa: wrong month", Actor: "awa"}, evs[len(evs)-1])
		}
	}
	var cancelled *batch.Event
	for _, e := range f.events(b, 0) {
		if e.Cause == batch.CauseBatchCancelled {
			cancelled = &e
		}
	}
	require.NotNil(t, cancelled, "the batch-level event")
	assert.Equal(t, "awa", cancelled.Actor)
	assert.Contains(t, cancelled.Detail, "wrong month")
	assert.Contains(t, cancelled.Detail, "submitting 1")
	assert.Equal(t, batch.CauseRunEnded, f.last(b).Cause, "the lock is given back")
	require.NoError(t, f.st.Lock(f.ctx, b.ID, runner), "free for the next run")

	claims, err := f.st.Claim(f.ctx, b.ID, "campay", 10)
	require.NoError(t, err)
	assert.Empty(t, claims, "a cancelled item is never claimed")
	_, err = batch.Cancel(f.ctx, f.st, b, batch.CancelRequest{Actor: "awa", Note: "again", Owner: runner})
	require.ErrorIs(t, err, batch.ErrNothingToCancel)
}

func testContacts(t *testing.T, f *fixture) {
	known, err := f.st.Contacts(f.ctx, "cinetpay")
	require.NoError(t, err)
	assert.Empty(t, known)

	require.NoError(t, f.st.RememberContacts(f.ctx, "cinetpay", []string{"2250101", "2250102"}))
	require.NoError(t, f.st.RememberContacts(f.ctx, "cinetpay", []string{"2250102", "2250103"}), "known phones are kept")
	require.NoError(t, f.st.RememberContacts(f.ctx, "other", []string{"999"}))
	require.NoError(t, f.st.RememberContacts(f.ctx, "cinetpay", nil))

	tests := []struct {
		provider string
		want     map[string]bool
	}{
		{"cinetpay", map[string]bool{"2250101": true, "2250102": true, "2250103": true}},
		{"other", map[string]bool{"999": true}},
		{"campay", map[string]bool{}},
	}
	for _, tt := range tests {
		got, err := f.st.Contacts(f.ctx, tt.provider)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, tt.provider)
	}
}

func testRepeats(t *testing.T, f *fixture) {
	oldAt := f.tick()
	old, oldItems := f.create("old", 2)
	f.moveTo(f.claimOne(old), batch.Succeeded)
	f.tick()
	again, againItems := newBatch("again", 1)
	againItems[0].Reference, againItems[0].Row = "again-other", 7
	againItems[0].Fingerprint = oldItems[1].Fingerprint // the same payment in a second older batch
	require.NoError(t, f.st.CreateBatch(f.ctx, &again, againItems))
	b, items := newBatch("new", 3)
	items[0].Fingerprint = oldItems[0].Fingerprint
	items[1].Fingerprint = oldItems[1].Fingerprint
	require.NoError(t, f.st.CreateBatch(f.ctx, &b, items))

	got, err := f.st.Repeats(f.ctx, b.ID, []string{items[0].Fingerprint, items[1].Fingerprint, items[2].Fingerprint, "nowhere"})
	require.NoError(t, err)
	assert.Equal(t, map[string]batch.Repeat{
		items[0].Fingerprint: {OtherBatch: "old", OtherRow: 2, OtherState: batch.Succeeded, OtherCreated: oldAt},
		items[1].Fingerprint: {OtherBatch: "old", OtherRow: 3, OtherState: batch.Planned, OtherCreated: oldAt},
	}, got, "the first batch to carry a fingerprint; the batch's own items are no repeat")

	none, err := f.st.Repeats(f.ctx, b.ID, nil)
	require.NoError(t, err)
	assert.Empty(t, none)

	many := make([]string, 1200) // more than one query's worth
	for i := range many {
		many[i] = fmt.Sprintf("absent-%d", i)
	}
	many[1100] = oldItems[0].Fingerprint
	got, err = f.st.Repeats(f.ctx, b.ID, many)
	require.NoError(t, err)
	assert.Len(t, got, 1)
}

func testRetryLinks(t *testing.T, f *fixture) {
	parent, parentItems := f.create("parent", 2)
	c := f.claimOne(parent)
	f.moveTo(c, batch.Failed)

	retry, items := newBatch("parent-retry-1", 1)
	retry.ParentID = parent.ID
	items[0].RetryOf = c.Item.ID
	items[0].Fingerprint = parentItems[0].Fingerprint
	require.NoError(t, f.st.CreateBatch(f.ctx, &retry, items))

	got, err := f.st.Batch(f.ctx, "parent-retry-1")
	require.NoError(t, err)
	assert.Equal(t, parent.ID, got.ParentID)
	stored := f.items(got)
	require.Len(t, stored, 1)
	assert.Equal(t, c.Item.ID, stored[0].RetryOf, "the new item names the failed one it pays again")
	evs := f.events(got, stored[0].ID)
	require.Len(t, evs, 1)
	assert.Equal(t, fmt.Sprintf("reference %s via campay; pays again failed item %d", items[0].Reference, c.Item.ID), evs[0].Detail)

	p, err := f.st.Batch(f.ctx, "parent")
	require.NoError(t, err)
	assert.Zero(t, p.ParentID)
	assert.Zero(t, f.item(p, c.Item.ID).RetryOf)
	assert.Equal(t, batch.Failed, f.item(p, c.Item.ID).State, "the failed item stays failed")
}

func testFees(t *testing.T, f *fixture) {
	tests := []struct {
		name string
		fees batch.Fees
	}{
		{"none", batch.Fees{}},
		{"a bearer alone", batch.Fees{Bearer: batch.BearerSender}},
		{"fixed and percentage", batch.Fees{Bearer: batch.BearerBeneficiary, Configs: []batch.ProfitConfig{
			{Name: batch.FeeMobileMoney, Percentage: "0.125", UsePercentage: true, Currency: "XAF"},
			{Name: batch.FeeCashout, Fee: 250},
			{Name: batch.FeeBankTransfer, Fee: 0, Percentage: "2", UsePercentage: true}}}},
	}
	for _, tt := range tests {
		b, items := newBatch("fees "+tt.name, 2)
		b.Fees = tt.fees
		b.Charge, b.Profit = 13, 13
		items[0].Charge, items[0].PayAmount = 13, 987
		require.NoError(t, f.st.CreateBatch(f.ctx, &b, items))
		got, err := f.st.Batch(f.ctx, b.Reference)
		require.NoError(t, err)
		assert.Equal(t, tt.fees, got.Fees, tt.name)
		assert.Equal(t, int64(13), got.Charge, tt.name)
		assert.Equal(t, int64(13), got.Profit, tt.name)
		stored := f.items(got)
		assert.Equal(t, int64(13), stored[0].Charge, tt.name)
		assert.Equal(t, int64(987), stored[0].Send(), tt.name)
		assert.Equal(t, int64(1000), stored[1].Send(), "%s: no charge: the amount is sent", tt.name)
	}
}

func testApprovalPlannersAndPolicy(t *testing.T, f *fixture) {
	b, _ := newBatch("approve", 1)
	b.Policy = batch.Policy{RequireApproval: true}
	require.NoError(t, f.st.CreateBatch(f.ctx, &b, []batch.Item{{Row: 2, Name: "N", Phone: "237677000000", Country: "CM",
		Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 1000, Reference: "approve-1", Provider: "campay"}}))

	steps := []struct {
		name     string
		do       func() error
		policy   batch.Policy
		planners []string
		event    *batch.Event // the event appended (ID, BatchID and At filled in), nil for none
	}{
		{"a plan made again names its planner and makes the rules stricter",
			func() error {
				return f.st.RecordPlan(f.ctx, b.ID, "kofi", "hash-2", "login kofi", batch.Policy{FourEyes: true})
			},
			batch.Policy{RequireApproval: true, FourEyes: true}, []string{"awa", "kofi"},
			&batch.Event{Cause: batch.CausePlannedAgain, Actor: "kofi",
				Detail: "by kofi; plan hash hash-2; approval rules: require_approval, four_eyes; login kofi"}},
		{"a plan without the rules relaxes nothing",
			func() error { return f.st.RecordPlan(f.ctx, b.ID, "awa", "hash-3", "", batch.Policy{}) },
			batch.Policy{RequireApproval: true, FourEyes: true}, []string{"awa", "kofi", "awa"},
			&batch.Event{Cause: batch.CausePlannedAgain, Actor: "awa",
				Detail: "by awa; plan hash hash-3; approval rules: require_approval, four_eyes"}},
		{"rules that change nothing leave no event",
			func() error { return f.st.RecordPolicy(f.ctx, b.ID, batch.Policy{RequireApproval: true}, "root") },
			batch.Policy{RequireApproval: true, FourEyes: true}, []string{"awa", "kofi", "awa"}, nil},
		{"a note is no plan",
			func() error { return f.st.Note(f.ctx, b.ID, batch.CausePlannedAgain, "without an actor") },
			batch.Policy{RequireApproval: true, FourEyes: true}, []string{"awa", "kofi", "awa"},
			&batch.Event{Cause: batch.CausePlannedAgain, Detail: "without an actor"}},
	}
	for _, s := range steps {
		before := f.events(b, 0)
		now := f.tick()
		require.NoError(t, s.do(), s.name)
		got, err := f.st.Batch(f.ctx, "approve")
		require.NoError(t, err)
		assert.Equal(t, s.policy, got.Policy, s.name)
		planners, err := f.st.Planners(f.ctx, b.ID)
		require.NoError(t, err)
		assert.Equal(t, s.planners, planners, s.name)
		evs := f.events(b, 0)
		if s.event == nil {
			assert.Equal(t, before, evs, s.name)
			continue
		}
		require.Len(t, evs, len(before)+1, s.name)
		want := *s.event
		want.ID, want.BatchID, want.At = evs[len(before)].ID, b.ID, now
		assert.Equal(t, want, evs[len(before)], s.name)
	}

	// a stricter policy on a batch planned without one
	loose, _ := f.create("loose", 1)
	now := f.tick()
	require.NoError(t, f.st.RecordPolicy(f.ctx, loose.ID, batch.Policy{FourEyes: true}, "root"))
	got, err := f.st.Batch(f.ctx, "loose")
	require.NoError(t, err)
	assert.Equal(t, batch.Policy{FourEyes: true}, got.Policy)
	assert.Equal(t, batch.Event{ID: f.last(loose).ID, BatchID: loose.ID, At: now, Cause: batch.CausePolicyStricter, Detail: "now four_eyes",
		Actor: "root"}, f.last(loose))

	approvedAt := start.Add(90 * time.Minute)
	now = f.tick()
	require.NoError(t, f.st.Approve(f.ctx, b.ID, batch.Approval{Hash: "hash-3", By: "mariam", At: approvedAt}, "checked the totals"))
	got, err = f.st.Batch(f.ctx, "approve")
	require.NoError(t, err)
	assert.Equal(t, batch.Approval{Hash: "hash-3", By: "mariam", At: approvedAt}, got.Approval)
	assert.Equal(t, batch.Event{ID: f.last(b).ID, BatchID: b.ID, At: now, Cause: "approved by mariam", Actor: "mariam",
		Detail: "plan hash hash-3; checked the totals"}, f.last(b))
	planners, err := f.st.Planners(f.ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"awa", "kofi", "awa"}, planners, "an approver is no planner")
}

func testEndpoint(t *testing.T, f *fixture) {
	b, _ := f.create("endpoint", 1)
	got, err := f.st.Batch(f.ctx, "endpoint")
	require.NoError(t, err)
	assert.True(t, got.Endpoint.IsZero(), "none recorded")

	tests := []batch.Endpoint{
		{Kind: batch.EndpointBuiltin, Config: "bulkpay.yaml"},
		batch.SandboxEndpoint("http://127.0.0.1:8089"),
		batch.LiveEndpoint(map[string]string{"campay": "https://www.campay.net/api", "mycoolpay": "https://my-coolpay.com/api"}),
	}
	for _, e := range tests {
		now := f.tick()
		require.NoError(t, f.st.SetEndpoint(f.ctx, b.ID, e, "paid through", e.String(), "root"))
		got, err := f.st.Batch(f.ctx, "endpoint")
		require.NoError(t, err)
		assert.Equal(t, e, got.Endpoint)
		assert.Equal(t, batch.Event{ID: f.last(b).ID, BatchID: b.ID, At: now, Cause: "paid through", Detail: e.String(), Actor: "root"},
			f.last(b))
	}
}

func testReconciliation(t *testing.T, f *fixture) {
	b, _ := f.create("rec", 2)
	other, _ := f.create("other", 1)
	rec, err := f.st.Reconciliation(f.ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Reconciliation{}, rec, "never reconciled")

	runs := []batch.Reconciliation{
		{At: start.Add(time.Hour),
			Mismatches: []batch.Mismatch{
				{Row: 2, Provider: "campay", Kind: "status", Ours: "succeeded", Theirs: "FAILED", Reference: "CP-1"},
				{Provider: "campay", Kind: "unknown_payout", Ours: "no item", Theirs: "50000 to 237677000999", Reference: "CP-9"},
			},
			Unchecked: []batch.Unchecked{{Row: 3, Provider: "mycoolpay", Reference: "MC-3", Reason: "503 after 4 tries"},
				{Provider: "campay", Reason: "history unavailable"}}},
		{At: start.Add(2 * time.Hour), Unchecked: []batch.Unchecked{{Row: 2, Provider: "campay", Reference: "CP-1", Reason: "timeout"}}},
		{At: start.Add(3 * time.Hour)},
	}
	for i, r := range runs {
		now := f.tick()
		require.NoError(t, f.st.SaveReconciliation(f.ctx, b.ID, r))
		got, err := f.st.Reconciliation(f.ctx, b.ID)
		require.NoError(t, err)
		assert.Equal(t, r, got, "run %d: the latest run replaces the findings", i)
		assert.Equal(t, batch.Event{ID: f.last(b).ID, BatchID: b.ID, At: now, Cause: batch.CauseReconciliation,
			Detail: batch.ReconciliationEvent(b.ID, r).Detail}, f.last(b), "run %d", i)
	}
	rec, err = f.st.Reconciliation(f.ctx, other.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Reconciliation{}, rec, "each batch its own findings")
}

func testProviderReferences(t *testing.T, f *fixture) {
	b, _ := f.create("refs", 3)
	refs, err := f.st.ProviderReferences(f.ctx)
	require.NoError(t, err)
	assert.Empty(t, refs)

	accepted := f.claimOne(b)
	require.NoError(t, f.st.Apply(f.ctx, batch.Change{ItemID: accepted.Item.ID, From: batch.Submitting, To: batch.Pending, Cause: "accepted",
		ProviderReference: "CP-1", Attempt: &batch.AttemptEnd{ID: accepted.AttemptID, Outcome: batch.OutcomeAccepted, ProviderReference: "CP-1"}}))
	// a duplicate answer names a reference that only the attempt keeps
	dup := f.claimOne(b)
	require.NoError(t, f.st.Apply(f.ctx, batch.Change{ItemID: dup.Item.ID, From: batch.Submitting, To: batch.Unknown, Cause: "duplicate",
		Attempt: &batch.AttemptEnd{ID: dup.AttemptID, Outcome: batch.OutcomeDuplicate, ProviderReference: "CP-2"}}))
	// failover: the item is paid by another provider under its own reference
	moved := f.claimOne(b)
	require.NoError(t, f.st.Apply(f.ctx, batch.Change{ItemID: moved.Item.ID, From: batch.Submitting, To: batch.Planned, Cause: "failover",
		Provider: "cinetpay", Attempt: &batch.AttemptEnd{ID: moved.AttemptID, Outcome: batch.OutcomeNotProcessed}}))
	claims, err := f.st.Claim(f.ctx, b.ID, "cinetpay", 1)
	require.NoError(t, err)
	require.Len(t, claims, 1)
	require.NoError(t, f.st.Apply(f.ctx, batch.Change{ItemID: moved.Item.ID, From: batch.Submitting, To: batch.Succeeded, Cause: "final",
		ProviderReference: "CI-7", Attempt: &batch.AttemptEnd{ID: claims[0].AttemptID, Outcome: batch.OutcomeAccepted, ProviderReference: "CI-7"}}))
	assert.Equal(t, "cinetpay", f.attempts(moved.Item.ID)[1].Provider, "an attempt names the provider it went to")

	refs, err = f.st.ProviderReferences(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]map[string]bool{
		"campay":   {"CP-1": true, "CP-2": true},
		"cinetpay": {"CI-7": true},
	}, refs)

	// a store that lists them a row at a time lists the same, by provider
	if l, ok := f.st.(batch.ReferenceLister); ok {
		for provider, want := range map[string]map[string]bool{"campay": refs["campay"], "cinetpay": refs["cinetpay"], "camoo": nil} {
			got := map[string]bool{}
			require.NoError(t, l.EachProviderReference(f.ctx, provider, func(ref string) error {
				got[ref] = true
				return nil
			}))
			assert.Equal(t, len(want), len(got), provider)
			for ref := range want {
				assert.True(t, got[ref], "%s %s", provider, ref)
			}
		}
	}
}

func testCheck(t *testing.T, f *fixture) {
	f.create("check", 3)
	require.NoError(t, f.st.Check(f.ctx), "a sound store passes its check")
}

func testReturnsCopies(t *testing.T, f *fixture) {
	b, items := newBatch("copies", 1)
	b.Fees = batch.Fees{Configs: []batch.ProfitConfig{{Name: batch.FeeMobileMoney, Fee: 10}}}
	b.Endpoint = batch.LiveEndpoint(map[string]string{"campay": "https://www.campay.net/api"})
	items[0].Route = []string{"campay", "cinetpay"}
	require.NoError(t, f.st.CreateBatch(f.ctx, &b, items))
	// what the caller passed in and what the store returned are the caller's
	b.Fees.Configs[0].Fee = 99
	b.Endpoint.Providers["campay"] = "changed"
	items[0].Route[0] = "changed"
	got, err := f.st.Batch(f.ctx, "copies")
	require.NoError(t, err)
	got.Fees.Configs[0].Fee = 77
	got.Endpoint.Providers["campay"] = "changed too"
	stored := f.items(got)
	stored[0].Route[1] = "changed"

	again, err := f.st.Batch(f.ctx, "copies")
	require.NoError(t, err)
	assert.Equal(t, int64(10), again.Fees.Configs[0].Fee)
	assert.Equal(t, "https://www.campay.net/api", again.Endpoint.Providers["campay"])
	assert.Equal(t, []string{"campay", "cinetpay"}, f.items(again)[0].Route)
}

// testSeed checks Seed, which tests of the use cases store their batches
// with, on this store: each item reaches its state by the moves the machine
// allows, with one attempt when it was sent.
func testSeed(t *testing.T, f *fixture) {
	var want []batch.Item
	for _, s := range batch.States {
		want = append(want, batch.Item{State: s, Provider: "campay", Message: "as " + string(s)})
	}
	b, items, err := Seed(f.ctx, f.st, batch.Batch{Reference: "seeded", Currency: "XAF"}, want...)
	require.NoError(t, err)
	assert.Equal(t, len(want), b.ItemCount)
	require.Len(t, items, len(want))
	for i, it := range items {
		assert.Equal(t, want[i].State, it.State)
		assert.Equal(t, i+2, it.Row)
		assert.Equal(t, "as "+string(want[i].State), it.Message)
		assert.Equal(t, int64(1000), it.Amount)
		sent := it.State != batch.Planned && it.State != batch.Rejected && it.State != batch.Cancelled && it.State != batch.ToConfirm
		assert.Equal(t, sent, len(f.attempts(it.ID)) == 1, "%s: one attempt when sent", it.State)
	}
	_, _, err = Seed(f.ctx, f.st, batch.Batch{Reference: "seeded"})
	assert.ErrorIs(t, err, batch.ErrBatchExists)
}
