package cinetpay_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"bulkpay/providers"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

func startSim(t *testing.T, opts sandbox.Options) (*sandbox.Server, *sandboxtest.Recorder, string) {
	t.Helper()
	if opts.SettleDelay == 0 {
		opts.SettleDelay = 20 * time.Millisecond
	}
	return sandboxtest.Recorded(t, opts)
}

// simClient starts the simulator with opts and a client of it whose calls
// give up after 2 s.
func simClient(t *testing.T, opts sandbox.Options) (*sandbox.Server, *sandboxtest.Recorder, *cinetpay.Client) {
	t.Helper()
	srv, rec, root := startSim(t, opts)
	return srv, rec, newClient(root, &http.Client{Timeout: 2 * time.Second})
}

// addContacts adds phones as c's contacts: CinetPay pays contacts only.
func addContacts(t *testing.T, c *cinetpay.Client, phones ...string) {
	t.Helper()
	contacts := make([]providers.Contact, len(phones))
	for i, p := range phones {
		contacts[i] = providers.Contact{Phone: p}
	}
	errs, err := c.AddContacts(context.Background(), contacts)
	require.NoError(t, err)
	for i, err := range errs {
		require.NoError(t, err, phones[i])
	}
}

func payout(ref, phone string, amount int64) providers.Payout {
	return providers.Payout{Reference: ref, Phone: phone, Country: "CI", Operator: "Orange", Amount: amount, Name: "Awa Koné"}
}

func TestChunkPartlySucceeds(t *testing.T) {
	srv, _, c := simClient(t, sandbox.Options{})
	ctx := context.Background()
	addContacts(t, c, "2250701020304", "221771234567")
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
	srv, _, c := simClient(t, sandbox.Options{})
	ctx := context.Background()
	addContacts(t, c, "2250701020304")
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
	srv, _, c := simClient(t, sandbox.Options{})
	ctx := context.Background()
	addContacts(t, c, "2250701020304")
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
	assert.Equal(t, 1, cnt.Count("/cinetpay/v1/auth/login"))
	mu.Lock()
	now = now.Add(4*time.Minute + time.Second) // the token lives five minutes
	mu.Unlock()
	_, err = c.Send(ctx, payout("n2", "2250701020304", 5000))
	require.NoError(t, err)
	assert.Equal(t, 2, cnt.Count("/cinetpay/v1/auth/login"), "a new token before the old one expires")
}

func TestContactsAddedOnceAcrossReruns(t *testing.T) {
	srv, cnt, c := simClient(t, sandbox.Options{})
	ctx := context.Background()
	st := batchtest.NewMemory() // the contract suite holds the ledger's contacts to the same rules
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
	assert.Equal(t, 1, cnt.Count("/cinetpay/v1/transfer/contact"), "45 contacts in one call")
	assert.Equal(t, 3, cnt.Count("/cinetpay/v1/transfer/money/send/contact"), "45 transfers in chunks of 20")

	sum = run("december", 45) // the same people next month
	assert.Equal(t, 45, sum.Counts[batch.Succeeded])
	assert.Equal(t, 1, cnt.Count("/cinetpay/v1/transfer/contact"), "contacts remembered in the store are not added again")
	assert.Len(t, srv.Payouts(), 90)
}

func TestNoTokenInErrors(t *testing.T) {
	srv, _, root := startSim(t, sandbox.Options{})
	c := newClient(root, &http.Client{Timeout: 300 * time.Millisecond})
	ctx := context.Background()
	addContacts(t, c, "2250701020304")
	srv.AddFault(sandbox.Fault{Provider: "cinetpay", Op: "send", Kind: sandbox.HangAfter})
	_, err := c.Send(ctx, payout("t", "2250701020304", 5000))
	require.ErrorIs(t, err, providers.ErrUnknownOutcome)
	assert.NotContains(t, err.Error(), "token=", "the token travels in the query string: it never reaches an error")
	assert.NotContains(t, err.Error(), "pass")
}

// Whether CinetPay writes 723 NOT_FOUND as a number or a string is not
// documented: both mean the transfer was never received, so Settle sends it
// (once), and a look-up says not found.
func TestNotFoundAsNumberOrString(t *testing.T) {
	t.Parallel()
	for _, numeric := range []bool{false, true} {
		t.Run(fmt.Sprintf("numeric %v", numeric), func(t *testing.T) {
			t.Parallel()
			srv, cnt, c := simClient(t, sandbox.Options{CinetPay: sandbox.CinetPayOptions{NumericCodes: numeric}})
			ctx := context.Background()
			_, err := c.Lookup(ctx, "client_transaction_id", "never-sent")
			require.ErrorIs(t, err, providers.ErrNotFound)
			_, err = c.Check(ctx, "no-such-transaction")
			require.ErrorIs(t, err, providers.ErrNotFound)

			addContacts(t, c, "2250701020304")
			res, err := c.Settle(ctx, payout("settle-me", "2250701020304", 5000))
			require.NoError(t, err)
			assert.NotEmpty(t, res.ProviderReference)
			again, err := c.Settle(ctx, payout("settle-me", "2250701020304", 5000))
			require.NoError(t, err)
			assert.Equal(t, res.ProviderReference, again.ProviderReference)
			assert.Len(t, srv.Payouts(), 1)
			assert.Equal(t, 1, cnt.Count("/cinetpay/v1/transfer/money/send/contact"))
		})
	}
}

func TestBalanceAsNumbersOrStrings(t *testing.T) {
	t.Parallel()
	_, _, root := startSim(t, sandbox.Options{CinetPay: sandbox.CinetPayOptions{Balance: 663}})
	bs, err := newClient(root, &http.Client{Timeout: 2 * time.Second}).Balances(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(663), bs[0].Amount, "numbers, as documented")

	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/auth/login" {
			fmt.Fprint(w, `{"code":0,"message":"OPERATION_SUCCES","data":{"token":"t"}}`)
			return
		}
		fmt.Fprint(w, `{"code":0,"message":"OPERATION_SUCCES","data":{"amount":"663","inUsing":"0","available":"663"}}`)
	}))
	defer hs.Close()
	c := cinetpay.New(cinetpay.WithBaseURL(hs.URL+"/v1"), cinetpay.WithCredentials("k", "p"))
	bs, err = c.Balances(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(663), bs[0].Amount, "strings, as the simulator used to send")
}

func TestTokenErrorsSayWhy(t *testing.T) {
	t.Parallel()
	_, _, root := startSim(t, sandbox.Options{CinetPay: sandbox.CinetPayOptions{APIKey: "key", Password: "right"}})
	c := cinetpay.New(cinetpay.WithBaseURL(root+"/cinetpay/v1"), cinetpay.WithCredentials("key", "wrong"), cinetpay.WithNotifyURL("http://127.0.0.1/n"))
	_, err := c.Balances(context.Background())
	require.ErrorIs(t, err, providers.ErrAuth)
	assert.Contains(t, err.Error(), "INVALID_CREDENTIALS Identifiant de connexion incorrect", "the description travels with the code")
	assert.NotContains(t, err.Error(), "wrong")
}

// The transfer API takes no currency: the number's country decides it. A
// payout in another currency is refused before anything is sent, and the rest
// of its chunk goes on.
func TestCurrencyOfTheReceivingCountry(t *testing.T) {
	t.Parallel()
	srv, cnt, c := simClient(t, sandbox.Options{})
	ctx := context.Background()
	addContacts(t, c, "2250701020304", "224621234567", "243811234567")
	with := func(ref, phone, country, currency string) providers.Payout {
		p := payout(ref, phone, 5000)
		p.Country, p.Currency = country, currency
		return p
	}
	res, err := c.SendChunk(ctx, []providers.Payout{
		with("ci-xof", "2250701020304", "CI", "XOF"),
		with("gn-xaf", "224621234567", "GN", "XAF"),
		with("gn-gnf", "224621234567", "GN", "GNF"),
		with("cd-cdf", "243811234567", "CD", "CDF"),
		with("ci-gnf", "2250701020304", "CI", "GNF"),
	})
	require.NoError(t, err)
	require.Len(t, res, 5)
	for _, i := range []int{0, 2, 3} {
		assert.NoError(t, res[i].Err, "transfer %d", i)
	}
	for _, i := range []int{1, 4} {
		require.ErrorIs(t, res[i].Err, providers.ErrRejected, "transfer %d", i)
		assert.Contains(t, res[i].Err.Error(), "nothing was sent")
	}
	assert.Contains(t, res[1].Err.Error(), "CinetPay pays GN numbers in GNF, not XAF")
	assert.Len(t, srv.Payouts(), 3)
	assert.Equal(t, 1, cnt.Count("/cinetpay/v1/transfer/money/send/contact"))

	_, err = c.Send(ctx, with("alone", "224621234567", "GN", "XOF"))
	require.ErrorIs(t, err, providers.ErrRejected)
	assert.Equal(t, 1, cnt.Count("/cinetpay/v1/transfer/money/send/contact"), "a chunk of refused payouts sends nothing")
}

func TestCountriesAndCarriersCinetPayDoesNotPay(t *testing.T) {
	t.Parallel()
	srv, _, c := simClient(t, sandbox.Options{})
	ctx := context.Background()
	addContacts(t, c, "2348031234567", "237685123456", "237677123456")
	res, err := c.SendChunk(ctx, []providers.Payout{payout("ng", "2348031234567", 5000), payout("nexttel", "237685123456", 5000), payout("mtn", "237677123456", 5000)})
	require.NoError(t, err)
	for _, r := range res[:2] {
		var pe *providers.Error
		require.ErrorAs(t, r.Err, &pe)
		assert.Equal(t, "721", pe.Code)
		assert.True(t, providers.IsProviderSide(r.Err), "another provider may pay it")
	}
	assert.NoError(t, res[2].Err)
	assert.Len(t, srv.Payouts(), 1)
}

// stub answers the login, and every other request with answer.
func stub(t *testing.T, answer string) *cinetpay.Client {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/auth/login" {
			fmt.Fprint(w, `{"code":0,"message":"OPERATION_SUCCES","data":{"token":"t"}}`)
			return
		}
		fmt.Fprint(w, answer)
	}))
	t.Cleanup(hs.Close)
	return cinetpay.New(cinetpay.WithBaseURL(hs.URL+"/v1"), cinetpay.WithCredentials("key", "pass"), cinetpay.WithNotifyURL("http://127.0.0.1/n"))
}

// A balance CinetPay answers but cannot be read is a classified error (it
// moved nothing: transient), not a bare one that would be taken as in doubt.
func TestBalanceUnreadableIsClassified(t *testing.T) {
	t.Parallel()
	c := stub(t, `{"code":0,"message":"OPERATION_SUCCES","data":{"available":"a lot"}}`)
	_, err := c.Balances(context.Background())
	require.ErrorIs(t, err, providers.ErrTransient)
	var pe *providers.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "balance", pe.Op)
	assert.Contains(t, pe.Message, "balance unreadable")
}

// A code that leaves a transfer in doubt (709, 710, 715, -1, anything new) is
// in doubt on a send; on a look-up or a balance, which move nothing, it is
// transient. The class is decided once, when the error is made.
func TestCodeInDoubtOnlyWhereMoneyMoves(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"709", "-1", "999"} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			c := stub(t, `{"code":"`+code+`","message":"ERROR","description":"try later"}`)
			ctx := context.Background()
			_, err := c.Lookup(ctx, "client_transaction_id", "x")
			require.ErrorIs(t, err, providers.ErrTransient, "look-up")
			_, err = c.Balances(ctx)
			require.ErrorIs(t, err, providers.ErrTransient, "balance")
			_, err = c.SendChunk(ctx, []providers.Payout{payout("in-doubt", "2250701020304", 5000)})
			require.ErrorIs(t, err, providers.ErrUnknownOutcome, "send")
			var pe *providers.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, code, pe.Code)
		})
	}
}
