package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/providerstest"
)

// setClock is a clock a test sets to any time, backwards too.
type setClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *setClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *setClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func TestPendingPayoutsSettleFromTheQueueWhenDue(t *testing.T) {
	t.Parallel()
	clock := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	s, err := New(Options{SettleDelay: time.Second, Now: clock.Now, FailPhones: []string{"237677000002"},
		CamPay: CamPayOptions{MTNBalance: 10_000, PermanentToken: "perm"}})
	require.NoError(t, err)
	c := newRaw(t, s)
	c.token = "perm" // the clock moves on by hours
	withdraw := func(phone string) string {
		code, body := c.do("POST", "/campay/api/withdraw/", `{"amount":100,"to":"`+phone+`"}`)
		require.Equal(t, 200, code, body)
		return body["reference"].(string)
	}
	a := withdraw("237677000001") // due at +1s, succeeds
	require.NoError(t, clock.Sleep(context.Background(), 500*time.Millisecond))
	b := withdraw("237677000002")  // due at +1.5s, fails
	cc := withdraw("237677000003") // due at +1.5s, tampered first
	require.NoError(t, s.ApplyTamper(Tamper{Provider: "campay", ProviderReference: cc, Status: "FAILED"}))

	status := func(ref string) string {
		code, body := c.do("GET", "/campay/api/transaction/"+ref+"/", "")
		require.Equal(t, 200, code)
		return body["status"].(string)
	}
	steps := []struct {
		advance       time.Duration
		a, b, c       string
		stillQueued   int
		mtn, reserved int64
	}{
		{0, "PENDING", "PENDING", "FAILED", 3, 10_000, 300},
		{499 * time.Millisecond, "PENDING", "PENDING", "FAILED", 3, 10_000, 300},
		{time.Millisecond, "SUCCESSFUL", "PENDING", "FAILED", 2, 9_900, 200},
		{499 * time.Millisecond, "SUCCESSFUL", "PENDING", "FAILED", 2, 9_900, 200},
		// the tampered payout leaves the queue without touching the money, as before
		{time.Millisecond, "SUCCESSFUL", "FAILED", "FAILED", 0, 9_900, 100},
		{time.Hour, "SUCCESSFUL", "FAILED", "FAILED", 0, 9_900, 100},
	}
	for i, st := range steps {
		require.NoError(t, clock.Sleep(context.Background(), st.advance))
		assert.Equal(t, st.a, status(a), "step %d", i)
		assert.Equal(t, st.b, status(b), "step %d", i)
		assert.Equal(t, st.c, status(cc), "step %d", i)
		s.mu.Lock()
		assert.Len(t, s.pending, st.stillQueued, "step %d: only payouts not yet due stay queued", i)
		assert.Equal(t, st.mtn, s.acct["campay/MTN"].balance, "step %d", i)
		assert.Equal(t, st.reserved, s.acct["campay/MTN"].reserved, "step %d", i)
		s.mu.Unlock()
	}
}

func TestCamPayHistoryKeepsCreationOrderWhenTheClockGoesBack(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	clock := &setClock{now: day.Add(12 * time.Hour)}
	s, err := New(Options{SettleDelay: time.Millisecond, Now: clock.Now, CamPay: CamPayOptions{PermanentToken: "perm"}})
	require.NoError(t, err)
	c := newRaw(t, s)
	c.token = "perm" // the clock moves by hours
	var refs []string
	for _, at := range []time.Duration{12 * time.Hour, 9 * time.Hour, 12 * time.Hour, 30 * time.Hour, -time.Hour, 10 * time.Hour} {
		clock.Set(day.Add(at))
		code, body := c.do("POST", "/campay/api/withdraw/", `{"amount":100,"to":"237677000001"}`)
		require.Equal(t, 200, code, body)
		refs = append(refs, body["reference"].(string))
	}
	clock.Set(day.Add(48 * time.Hour))
	code, body := c.do("POST", "/campay/api/withdraw/", `{"amount":100,"to":"237677000001"}`) // still pending: left out
	require.Equal(t, 200, code, body)

	history := func(start, end string) []string {
		code, body := c.do("POST", "/campay/api/history/", `{"start_date":"`+start+`","end_date":"`+end+`"}`)
		require.Equal(t, 200, code, body)
		var got []string
		for _, row := range body["data"].([]any) {
			got = append(got, row.(map[string]any)["reference_uuid"].(string))
		}
		return got
	}
	tests := []struct {
		start, end string
		want       []string
	}{
		{"2026-11-30", "2026-11-30", []string{refs[1], refs[5], refs[0], refs[2]}},
		{"2026-11-29", "2026-12-01", []string{refs[4], refs[1], refs[5], refs[0], refs[2], refs[3]}},
		{"2026-12-01", "2026-12-02", []string{refs[3]}},
		{"2026-12-01", "2026-11-30", nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, history(tt.start, tt.end), "%s..%s", tt.start, tt.end)
		assert.Equal(t, tt.want, history(tt.start, tt.end), "%s..%s asked again", tt.start, tt.end)
	}
}

func TestCinetPayCheckFindsByEitherReferenceOrLotInAcceptanceOrder(t *testing.T) {
	t.Parallel()
	clock := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	s, err := New(Options{SettleDelay: time.Second, Now: clock.Now})
	require.NoError(t, err)
	s.mu.Lock()
	s.cinet.tokens["tok"] = clock.Now().Add(time.Hour)
	lots := []string{"100001", "100002", "100001", "100002", "100001"}
	for i, lot := range lots {
		p := &Payout{Provider: "cinetpay", ProviderReference: "t" + string(rune('0'+i)), ClientReference: "c" + string(rune('0'+i)),
			Phone: "237677000001", Amount: 100, Status: "NEW", Final: "VAL", Success: true, Account: "cinetpay", Lot: lot,
			CreatedAt: clock.Now()}
		s.shape(p, "REJ")
		_, err := s.accept(p)
		require.NoError(t, err)
	}
	// another provider's payout with the same references is never a CinetPay answer
	_, err = s.accept(&Payout{Provider: "campay", ProviderReference: "t1", ClientReference: "c1", Lot: "100001",
		Status: "PENDING", Final: "SUCCESSFUL", Success: true, Account: "campay/MTN", CreatedAt: clock.Now(), SettleAt: clock.Now().Add(time.Second)})
	require.NoError(t, err)
	s.mu.Unlock()
	hs := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); hs.Close() })

	check := func(query string) []string {
		resp, err := http.Get(hs.URL + "/cinetpay/v1/transfer/check/money?token=tok&" + query)
		require.NoError(t, err)
		defer resp.Body.Close()
		var body struct {
			Data []map[string]any `json:"data"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		var got []string
		for _, row := range body.Data {
			got = append(got, row["transaction_id"].(string))
		}
		return got
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"client_transaction_id=c3", []string{"t3"}},
		{"transaction_id=t2", []string{"t2"}},
		{"lot=100001", []string{"t0", "t2", "t4"}},
		{"lot=100002&client_transaction_id=c0", []string{"t0", "t1", "t3"}},
		{"transaction_id=t4&client_transaction_id=c1&lot=100002", []string{"t1", "t3", "t4"}},
		{"transaction_id=t1&client_transaction_id=c1", []string{"t1"}},
		{"lot=999999", nil},
		{"client_transaction_id=", nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, check(tt.query), tt.query)
	}
}

// TestKeptPayoutsStayWholeAcrossTheirAllocations holds payouts 1,024 to an
// allocation and their strings 64 KiB to one: payouts on both sides of many
// such boundaries (a reference longer than a whole text buffer too) are found
// by either reference with every field as accepted, and settling changes the
// kept payout, not the one handed in.
func TestKeptPayoutsStayWholeAcrossTheirAllocations(t *testing.T) {
	t.Parallel()
	clock := &setClock{now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	s, err := New(Options{SettleDelay: time.Hour, Now: clock.Now})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	const n = 5000
	ref := func(i int) string {
		if i == 2500 {
			return strings.Repeat("x", 70<<10) // longer than a text buffer
		}
		return fmt.Sprintf("ours-%06d", i)
	}
	handed := make([]*Payout, n)
	s.mu.Lock()
	for i := range n {
		p := &Payout{Provider: "campay", ProviderReference: fmt.Sprintf("theirs-%06d", i), ClientReference: ref(i),
			Phone: fmt.Sprintf("2376770%05d", i), Amount: int64(100 + i), Status: "PENDING", Final: "SUCCESSFUL", Success: true,
			Operator: "MTN", Account: "campay/MTN", CreatedAt: clock.Now(), SettleAt: clock.Now().Add(time.Minute)}
		kept, err := s.accept(p)
		require.NoError(t, err)
		require.NotSame(t, p, kept)
		handed[i] = p
	}
	clock.Set(clock.Now().Add(2 * time.Minute))
	s.settleDue()
	for i := range n {
		k := s.byOurs[refKey{"campay", ref(i)}]
		require.NotNil(t, k, "row %d", i)
		require.Same(t, k, s.byRef[refKey{"campay", fmt.Sprintf("theirs-%06d", i)}])
		assert.Equal(t, fmt.Sprintf("theirs-%06d", i), k.ProviderReference)
		assert.Equal(t, ref(i), k.ClientReference)
		assert.Equal(t, fmt.Sprintf("2376770%05d", i), k.Phone)
		assert.Equal(t, int64(100+i), k.Amount)
		assert.Equal(t, "SUCCESSFUL", k.Status)
		assert.Equal(t, "PENDING", handed[i].Status)
		assert.Equal(t, i, k.order)
	}
	s.mu.Unlock()
}
