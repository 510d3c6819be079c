package batch_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"bulkpay/providers"
)

// directory is a NameChecker over a map, counting the requests and the
// most in flight at once.
type directory struct {
	names    map[string]batch.NameInfo
	fail     map[string]bool
	asked    atomic.Int64
	mu       sync.Mutex
	inFlight int
	most     int
	gate     chan struct{} // when set, each request waits for a token
}

func (d *directory) AccountName(ctx context.Context, phone string) (batch.NameInfo, error) {
	d.asked.Add(1)
	d.mu.Lock()
	d.inFlight++
	d.most = max(d.most, d.inFlight)
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.inFlight--
		d.mu.Unlock()
	}()
	if d.gate != nil {
		<-d.gate
	}
	if d.fail[phone] {
		return batch.NameInfo{}, errors.New("503")
	}
	if info, ok := d.names[phone]; ok {
		return info, nil
	}
	return batch.NameInfo{Known: true, Active: true}, nil
}

func mtnOnly(country, operator string) bool { return operator == "MTN" }

var nameRows = []batch.Row{
	{Row: 2, Name: "Jean-Pierre Mbarga", Phone: "237677123456", Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 1000},
	{Row: 3, Name: "Aïcha Bello", Phone: "237699009900", Country: "CM", Operator: "Orange", Mode: batch.ModeMobileMoney, Amount: 2000},
	{Row: 4, Name: "Emmanuel Fotso", Phone: "237650224118", Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 3000},
	{Row: 5, Name: "Brigitte Atangana", Phone: "237691234567", Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 4000},
	{Row: 6, Name: "Hervé Tchinda", Phone: "237672457890", Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 5000},
	{Row: 7, Name: "Marcel Nana", Phone: "237670987654", Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 6000},
	{Row: 8, Name: "Jean-Pierre Mbarga", Phone: "237677123456", Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 7000},
	{Row: 9, Name: "Carine Abena", Phone: "237698129834", Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 8000},
}

func nameDirectory() *directory {
	return &directory{names: map[string]batch.NameInfo{
		"237677123456": {Known: true, Active: true, Given: "Jean-Pierre", Family: "MBARGA"},
		"237650224118": {Known: true, Active: true, Given: "Rodrigue", Family: "NKOULOU"}, // another person
		"237691234567": {Known: true, Active: false},
		"237672457890": {Known: false},
		"237670987654": {Known: true, Active: true, Given: "Marcel", Family: "NANA"},
	}, fail: map[string]bool{"237698129834": true}}
}

func TestCheckNames(t *testing.T) {
	t.Parallel()
	d := nameDirectory()
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	checks := batch.CheckNames(context.Background(), nameRows, []batch.NameSource{{Provider: "momo", Checker: d, Covers: mtnOnly, Concurrency: 2}},
		func() time.Time { return at })
	require.Len(t, checks, len(nameRows))
	want := []struct {
		row    int
		result batch.NameResult
		reg    string
	}{
		{2, batch.NameMatch, "Jean-Pierre MBARGA"},
		{3, batch.NameNotCheckable, ""},
		{4, batch.NameMismatch, "Rodrigue NKOULOU"},
		{5, batch.NameInactive, ""},
		{6, batch.NameUnknownAccount, ""},
		{7, batch.NameMatch, "Marcel NANA"},
		{8, batch.NameMatch, "Jean-Pierre MBARGA"},
		{9, batch.NameNotCheckable, ""},
	}
	for i, w := range want {
		assert.Equal(t, w.row, checks[i].Row)
		assert.Equal(t, w.result, checks[i].Result, "row %d", w.row)
		assert.Equal(t, w.reg, checks[i].Registered(), "row %d", w.row)
	}
	assert.Contains(t, checks[1].Reason, "Orange", "an Orange number says why it is not checkable")
	assert.Contains(t, checks[7].Reason, "did not answer")
	assert.Equal(t, "momo", checks[0].Provider)
	assert.Equal(t, at, checks[0].CheckedAt)
	assert.Equal(t, int64(6), d.asked.Load(), "the MTN numbers, the repeated one asked once")
	assert.LessOrEqual(t, d.most, 2, "never more than the source's concurrency in flight")
}

func TestCheckNamesHoldsItsConcurrency(t *testing.T) {
	t.Parallel()
	d := &directory{names: map[string]batch.NameInfo{}, gate: make(chan struct{})}
	rows := make([]batch.Row, 40)
	for i := range rows {
		rows[i] = batch.Row{Row: i + 2, Name: "Awa Fall", Phone: "22507010203" + string(rune('0'+i/10)) + string(rune('0'+i%10)), Country: "CI", Operator: "MTN"}
	}
	done := make(chan []batch.NameCheck)
	go func() {
		done <- batch.CheckNames(context.Background(), rows, []batch.NameSource{{Provider: "sandbox", Checker: d, Covers: mtnOnly, Concurrency: 3}}, nil)
	}()
	for range rows {
		d.gate <- struct{}{}
	}
	checks := <-done
	assert.Len(t, checks, 40)
	assert.Equal(t, int64(40), d.asked.Load())
	assert.LessOrEqual(t, d.most, 3)
	assert.Equal(t, batch.NameNotCheckable, checks[0].Result, "an active account without a disclosed name")
}

func TestNameMovesByPolicy(t *testing.T) {
	t.Parallel()
	checks := []batch.NameCheck{
		{ItemID: 1, Row: 2, Result: batch.NameMatch},
		{ItemID: 2, Row: 3, Result: batch.NamePartial},
		{ItemID: 3, Row: 4, Result: batch.NameMismatch},
		{ItemID: 4, Row: 5, Result: batch.NameInactive},
		{ItemID: 5, Row: 6, Result: batch.NameUnknownAccount},
		{ItemID: 6, Row: 7, Result: batch.NameNotCheckable},
	}
	moves := func(p batch.NamePolicy) map[int64]batch.State {
		out := map[int64]batch.State{}
		for _, c := range batch.NameMoves(p, checks, "awa") {
			assert.Equal(t, batch.Planned, c.From)
			assert.Equal(t, "awa", c.Actor)
			out[c.ItemID] = c.To
		}
		return out
	}
	tests := []struct {
		policy batch.NamePolicy
		want   map[int64]batch.State
	}{
		{batch.NamesOff, map[int64]batch.State{}},
		{batch.NamesWarn, map[int64]batch.State{4: batch.Rejected, 5: batch.Rejected}},
		{batch.NamesReview, map[int64]batch.State{3: batch.ToConfirm, 4: batch.ToConfirm, 5: batch.Rejected}},
		{batch.NamesBlock, map[int64]batch.State{4: batch.Rejected, 5: batch.Rejected}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, moves(tt.policy), tt.policy)
	}
	err := batch.Blocked(batch.NamesBlock, checks)
	require.ErrorIs(t, err, batch.ErrRefused)
	var nr *batch.NameRefusal
	require.ErrorAs(t, err, &nr)
	assert.Len(t, nr.Checks, 3)
	assert.Contains(t, err.Error(), "row 4, column name")
	assert.Contains(t, err.Error(), "row 5, column phone")
	assert.NoError(t, batch.Blocked(batch.NamesReview, checks))
	assert.NoError(t, batch.Blocked(batch.NamesBlock, checks[:2]))
}

func TestParseNamePolicy(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"off", "warn", "Review", " block "} {
		_, err := batch.ParseNamePolicy(s)
		assert.NoError(t, err, s)
	}
	_, err := batch.ParseNamePolicy("strict")
	assert.ErrorContains(t, err, "off, warn, review or block")
}

// plannedNames stores the name rows as a batch in a memory store.
func plannedNames(t *testing.T) (*batchtest.Memory, batch.Batch) {
	t.Helper()
	st := batchtest.NewMemory()
	b, items, errs := batch.Plan("names-2026-11", "names.csv", "XAF", nameRows, batch.Routes{Rules: batch.DefaultRules,
		Configured: map[string]bool{"campay": true, "momo": true}})
	require.Empty(t, errs)
	b.CreatedBy = "awa"
	require.NoError(t, st.CreateBatch(context.Background(), &b, items))
	return st, b
}

func TestReviewWaitsForAnApproverAndTheRestPays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, b := plannedNames(t)
	checks := batch.CheckNames(ctx, nameRows, []batch.NameSource{{Provider: "momo", Checker: nameDirectory(), Covers: mtnOnly}}, nil)
	saved, err := batch.SaveNames(ctx, st, b, batch.NamesReview, checks, "awa")
	require.NoError(t, err)
	require.Len(t, saved, len(nameRows))
	states := map[int]batch.State{}
	items, err := st.Items(ctx, b.ID)
	require.NoError(t, err)
	for _, it := range items {
		states[it.Row] = it.State
	}
	assert.Equal(t, map[int]batch.State{2: batch.Planned, 3: batch.Planned, 4: batch.ToConfirm, 5: batch.ToConfirm, 6: batch.Rejected,
		7: batch.Planned, 8: batch.Planned, 9: batch.Planned}, states)

	// the checks are kept once: saving again keeps the first
	again, err := batch.SaveNames(ctx, st, b, batch.NamesReview, checks, "awa")
	require.NoError(t, err)
	assert.Equal(t, saved[2].ItemID, again[2].ItemID)

	_, err = batch.ConfirmName(ctx, st, b, batch.ConfirmRequest{Row: 4, By: "binta"})
	require.ErrorIs(t, err, batch.ErrInvalid, "a confirmation needs a note")
	_, err = batch.ConfirmName(ctx, st, b, batch.ConfirmRequest{Row: 2, By: "binta", Note: "ok"})
	require.ErrorIs(t, err, batch.ErrInvalid, "row 2 does not wait")
	_, err = batch.ConfirmName(ctx, st, b, batch.ConfirmRequest{Row: 5, By: "binta", Note: "ok"})
	require.ErrorIs(t, err, batch.ErrRefused, "an inactive account is never sent money")
	_, err = batch.ConfirmName(ctx, st, b, batch.ConfirmRequest{Row: 4, By: b.CreatedBy, Note: "ok", Policy: batch.Policy{FourEyes: true}})
	require.ErrorIs(t, err, batch.ErrRefused, "four eyes: the planner does not confirm")
	c, err := batch.ConfirmName(ctx, st, b, batch.ConfirmRequest{Row: 4, By: "binta", Note: "second SIM of his brother, ID seen", Policy: batch.Policy{FourEyes: true}})
	require.NoError(t, err)
	assert.Equal(t, "binta", c.ConfirmedBy)
	it, err := st.Item(ctx, saved[2].ItemID)
	require.NoError(t, err)
	assert.Equal(t, batch.Planned, it.State)
	evs, err := st.Events(ctx, b.ID, it.ID)
	require.NoError(t, err)
	last := evs[len(evs)-1]
	assert.Equal(t, batch.CauseNameConfirmed, last.Cause)
	assert.Equal(t, "binta", last.Actor)
	kept, err := st.NameChecks(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, "second SIM of his brother, ID seen", kept[2].Note)
}

func TestRegisteredNamesAreForgottenWhenTheBatchIsDone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, b := plannedNames(t)
	checks := batch.CheckNames(ctx, nameRows, []batch.NameSource{{Provider: "momo", Checker: nameDirectory(), Covers: mtnOnly}}, nil)
	_, err := batch.SaveNames(ctx, st, b, batch.NamesWarn, checks, "awa")
	require.NoError(t, err)
	n, err := batch.ForgetNamesWhenDone(ctx, st, b)
	require.NoError(t, err)
	assert.Zero(t, n, "open items: the names are still needed")
	kept, err := st.NameChecks(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, "Jean-Pierre MBARGA", kept[0].Registered())

	items, err := st.Items(ctx, b.ID, batch.Planned)
	require.NoError(t, err)
	for _, it := range items {
		require.NoError(t, st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Planned, To: batch.Cancelled, Cause: "test"}))
	}
	n, err = batch.ForgetNamesWhenDone(ctx, st, b)
	require.NoError(t, err)
	assert.Equal(t, 4, n, "rows 2, 4, 7 and 8 held a registered name")
	kept, err = st.NameChecks(ctx, b.ID)
	require.NoError(t, err)
	for _, c := range kept {
		assert.Empty(t, c.Registered(), "row %d", c.Row)
	}
	assert.Equal(t, batch.NameMismatch, kept[2].Result, "the results stay")
}

func TestCancellingABatchForgetsItsRegisteredNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, b := plannedNames(t)
	checks := batch.CheckNames(ctx, nameRows, []batch.NameSource{{Provider: "momo", Checker: nameDirectory(), Covers: mtnOnly}}, nil)
	_, err := batch.SaveNames(ctx, st, b, batch.NamesReview, checks, "awa")
	require.NoError(t, err)
	res, err := batch.Cancel(ctx, st, b, batch.CancelRequest{Actor: "awa", Note: "wrong month", Owner: batch.Owner{PID: 1, Host: "h", At: time.Now()}})
	require.NoError(t, err)
	assert.Equal(t, 7, res.Items, "the rows to confirm are cancelled with the planned ones")
	kept, err := st.NameChecks(ctx, b.ID)
	require.NoError(t, err)
	for _, c := range kept {
		assert.Empty(t, c.Registered(), "row %d", c.Row)
	}
}

// A row waiting for its name to be confirmed was never sent: the batch has
// not started, so its plan can still be approved.
func TestRowsToConfirmDoNotStartABatch(t *testing.T) {
	t.Parallel()
	assert.False(t, batch.Started([]batch.Item{{State: batch.Planned}, {State: batch.ToConfirm}, {State: batch.Rejected}}))
	assert.True(t, batch.Started([]batch.Item{{State: batch.ToConfirm}, {State: batch.Succeeded}}))
	ctx := context.Background()
	st, b := plannedNames(t)
	checks := batch.CheckNames(ctx, nameRows, []batch.NameSource{{Provider: "momo", Checker: nameDirectory(), Covers: mtnOnly}}, nil)
	_, err := batch.SaveNames(ctx, st, b, batch.NamesReview, checks, "awa")
	require.NoError(t, err)
	items, err := st.Items(ctx, b.ID)
	require.NoError(t, err)
	_, err = batch.Approve(ctx, st, b, items, batch.ApproveRequest{By: "binta", At: time.Now(), Config: batch.Policy{RequireApproval: true}})
	require.NoError(t, err)
}

// A My-CoolPay wallet (an e-mail or a user name) is not a phone number: no
// source is asked about it, even one that covers every carrier, and the row
// says why it is not checked rather than "no account".
func TestCheckNamesNeverAsksAboutAWallet(t *testing.T) {
	t.Parallel()
	d := nameDirectory()
	rows := []batch.Row{
		{Row: 2, Name: "Brice Tchatchoua", Phone: "brice.tchatchoua@acme.cm", Country: "CM", Operator: providers.CarrierMCP, Mode: batch.ModeMobileMoney, Amount: 9000},
		{Row: 3, Name: "Linda Ekambi", Phone: "lekambi", Country: "CM", Operator: providers.CarrierMCP, Mode: batch.ModeMobileMoney, Amount: 8500},
		{Row: 4, Name: "Jean-Pierre Mbarga", Phone: "237677123456", Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 7000},
	}
	everything := func(country, carrier string) bool { return true }
	checks := batch.CheckNames(context.Background(), rows, []batch.NameSource{{Provider: "sandbox", Checker: d, Covers: everything}}, nil)
	require.Len(t, checks, 3)
	for _, c := range checks[:2] {
		assert.Equal(t, batch.NameNotCheckable, c.Result, "row %d", c.Row)
		assert.Contains(t, c.Reason, "My-CoolPay wallet", "row %d", c.Row)
	}
	assert.Equal(t, batch.NameMatch, checks[2].Result)
	assert.Equal(t, int64(1), d.asked.Load(), "only the phone number was asked")
}
