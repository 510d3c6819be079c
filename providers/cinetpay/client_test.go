package cinetpay_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/ledger"
	"bulkpay/providers"
	"bulkpay/providers/sandbox"
)

type counting struct {
	h  http.Handler
	mu sync.Mutex
	n  map[string]int
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.n[r.URL.Path]++
	c.mu.Unlock()
	c.h.ServeHTTP(w, r)
}

func (c *counting) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}

func startSim(t *testing.T, opts sandbox.Options) (*sandbox.Server, *counting, string) {
	t.Helper()
	if opts.SettleDelay == 0 {
		opts.SettleDelay = 20 * time.Millisecond
	}
	srv, err := sandbox.New(opts)
	require.NoError(t, err)
	cnt := &counting{h: srv, n: map[string]int{}}
	hs := httptest.NewServer(cnt)
	t.Cleanup(func() { srv.Close(); hs.CloseClientConnections(); hs.Close() })
	return srv, cnt, hs.URL
}

func payout(ref, phone string, amount int64) providers.Payout {
	return providers.Payout{Reference: ref, Phone: phone, Country: "CI", Operator: "Orange", Amount: amount, Name: "Awa Koné"}
}

func TestChunkPartlySucceeds(t *testing.T) {
	srv, _, root := startSim(t, sandbox.Options{})
	c := newClient(root, &http.Client{Timeout: 2 * time.Second})
	ctx := context.Background()
	_, err := c.AddContacts(ctx, []providers.Contact{{Phone: "2250701020304"}, {Phone: "221771234567"}})
	require.NoError(t, err)
	res, err := c.SendChunk(ctx, []providers.Payout{
		payout("a", "2250701020304", 5000),
		payout("b", "2250701020304", 100),  // below CI's minimum of 200
		payout("c", "221771234567", 1001),  // not a multiple of 5
		payout("d", "2250505050505", 5000), // not a contact
		payout("e", "221771234567", 2500),
	})
	require.NoError(t, err)
	require.Len(t, res, 5)
	assert.NoError(t, res[0].Err)
	assert.Equal(t, providers.StatusPending, res[0].Result.Status)
	for i, code := range map[int]string{1: "719", 2: "801", 3: "724"} {
		var pe *providers.Error
		require.ErrorAs(t, res[i].Err, &pe, "transfer %d", i)
		assert.Equal(t, code, pe.Code)
		assert.ErrorIs(t, res[i].Err, providers.ErrRejected)
	}
	assert.NoError(t, res[4].Err)
	assert.Len(t, srv.Payouts(), 2)
}

func TestResendIsRefusedWith805AndLookedUp(t *testing.T) {
	srv, _, root := startSim(t, sandbox.Options{})
	c := newClient(root, &http.Client{Timeout: 2 * time.Second})
	ctx := context.Background()
	c.AddContacts(ctx, []providers.Contact{{Phone: "2250701020304"}})
	first, err := c.Send(ctx, payout("same-id", "2250701020304", 5000))
	require.NoError(t, err)
	again, err := c.Send(ctx, payout("same-id", "2250701020304", 5000))
	require.NoError(t, err, "805 means already sent: the client looks it up")
	assert.Equal(t, first.ProviderReference, again.ProviderReference)
	assert.Len(t, srv.Payouts(), 1)

	settled, err := c.Settle(ctx, payout("same-id", "2250701020304", 5000))
	require.NoError(t, err)
	assert.Equal(t, first.ProviderReference, settled.ProviderReference)
	assert.Len(t, srv.Payouts(), 1)
}

func TestSettleSendsWhatNeverArrived(t *testing.T) {
	srv, _, root := startSim(t, sandbox.Options{})
	c := newClient(root, &http.Client{Timeout: 2 * time.Second})
	ctx := context.Background()
	c.AddContacts(ctx, []providers.Contact{{Phone: "2250701020304"}})
	res, err := c.Settle(ctx, payout("never-arrived", "2250701020304", 5000))
	require.NoError(t, err)
	assert.NotEmpty(t, res.ProviderReference)
	assert.Len(t, srv.Payouts(), 1)
}

func TestDataNestedOnceAndTokenRefreshedEarly(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv, cnt, root := startSim(t, sandbox.Options{CinetPay: sandbox.CinetPayOptions{SingleNested: true}})
	_ = srv
	c := newClientWith(root, clock)
	ctx := context.Background()
	errs, err := c.AddContacts(ctx, []providers.Contact{{Phone: "2250701020304"}})
	require.NoError(t, err)
	require.NoError(t, errs[0])
	_, err = c.Send(ctx, payout("n1", "2250701020304", 5000))
	require.NoError(t, err)
	assert.Equal(t, 1, cnt.count("/cinetpay/v1/auth/login"))
	mu.Lock()
	now = now.Add(4*time.Minute + time.Second) // the token lives five minutes
	mu.Unlock()
	_, err = c.Send(ctx, payout("n2", "2250701020304", 5000))
	require.NoError(t, err)
	assert.Equal(t, 2, cnt.count("/cinetpay/v1/auth/login"), "a new token before the old one expires")
}

func TestContactsAddedOnceAcrossReruns(t *testing.T) {
	srv, cnt, root := startSim(t, sandbox.Options{})
	c := newClient(root, &http.Client{Timeout: 2 * time.Second})
	ctx := context.Background()
	dir := t.TempDir()
	st, err := ledger.Open(ctx, filepath.Join(dir, "l.db"))
	require.NoError(t, err)
	defer st.Close()
	router := batch.Routes{Rules: []batch.Rule{{Country: "CI", Providers: []string{"cinetpay"}}}, Configured: map[string]bool{"cinetpay": true}}
	run := func(ref string, n int) batch.Summary {
		var rows []batch.Row
		for i := 0; i < n; i++ {
			rows = append(rows, batch.Row{Row: i + 2, Name: fmt.Sprintf("Payee %d", i), Phone: fmt.Sprintf("22507010203%02d", i),
				Country: "CI", Operator: "Orange", Mode: batch.ModeMobileMoney, Amount: 1000})
		}
		b, items, errs := batch.Plan(ref, "ci.csv", "XOF", rows, router)
		require.Empty(t, errs)
		b, _, err := batch.Prepare(ctx, st, b, items, rows)
		require.NoError(t, err)
		r := &batch.Runner{Store: st, Lanes: map[string]batch.Lane{"cinetpay": {Provider: c, Rate: 100, Burst: 5, Concurrency: 2}},
			PollInterval: 20 * time.Millisecond, PendingWait: 3 * time.Second}
		sum, err := r.Run(ctx, b)
		require.NoError(t, err)
		return sum
	}
	sum := run("november", 45)
	assert.Equal(t, 45, sum.Counts[batch.Succeeded])
	assert.Equal(t, 45, srv.ContactCount())
	assert.Equal(t, 1, cnt.count("/cinetpay/v1/transfer/contact"), "45 contacts in one call")
	assert.Equal(t, 3, cnt.count("/cinetpay/v1/transfer/money/send/contact"), "45 transfers in chunks of 20")

	sum = run("december", 45) // the same people next month
	assert.Equal(t, 45, sum.Counts[batch.Succeeded])
	assert.Equal(t, 1, cnt.count("/cinetpay/v1/transfer/contact"), "contacts remembered in the ledger are not added again")
	assert.Len(t, srv.Payouts(), 90)
}

func TestNoTokenInErrors(t *testing.T) {
	srv, _, root := startSim(t, sandbox.Options{})
	c := newClient(root, &http.Client{Timeout: 300 * time.Millisecond})
	ctx := context.Background()
	c.AddContacts(ctx, []providers.Contact{{Phone: "2250701020304"}})
	srv.AddFault(sandbox.Fault{Provider: "cinetpay", Op: "send", Kind: sandbox.HangAfter})
	_, err := c.Send(ctx, payout("t", "2250701020304", 5000))
	require.ErrorIs(t, err, providers.ErrUnknownOutcome)
	assert.NotContains(t, err.Error(), "token=", "the token travels in the query string: it never reaches an error")
	assert.NotContains(t, err.Error(), "pass")
}
