package cinetpay2_test

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
	"bulkpay/providers/cinetpay2"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// TestFaultCampaignWithWebhooks is the fault campaign with CinetPay's
// webhooks on: each transfer names its own notify_url, the simulator posts
// the notify_token its initiation returned, a receiver checks it as bulkpay
// serve does (batch.Confirm) and the lookup by transaction_id settles what
// was in doubt. Forged webhooks (another token) come too and move nothing.
// Only items CinetPay never accepted are left for a person.
func TestFaultCampaignWithWebhooks(t *testing.T) {
	if testing.Short() {
		t.Skip("fault campaign: runs without -short")
	}
	t.Parallel()
	const n = 300
	rules, err := sandbox.ParseRules("cinetpay-api.transfer:error=500@8%; cinetpay-api.transfer:error=503@4%; cinetpay-api.transfer:hang-before@4%; " +
		"cinetpay-api.transfer:hang-after@8%; cinetpay-api.transfer:reset@4%; cinetpay-api.transfer:malformed@4%; " +
		"cinetpay-api.status:error=500@10%; cinetpay-api.status:hang-before@3%; cinetpay-api.token:error=503@10%; cinetpay-api:token-ttl=2m; " +
		"cinetpay-api.callback:callback-forged@10%")
	require.NoError(t, err)
	ctx := context.Background()
	st, err := ledger.Open(ctx, filepath.Join(t.TempDir(), "l.db"))
	require.NoError(t, err)
	defer st.Close()

	clock := providerstest.NewClock(sandboxtest.Start)
	var lanes map[string]batch.Lane
	parser := cinetpay2.NewCallbacks()
	var mu sync.Mutex
	verdicts := map[string]int{}
	receiver := http.NewServeMux()
	receiver.HandleFunc("POST /callbacks/cinetpay/{item_reference}", func(w http.ResponseWriter, r *http.Request) {
		cb, err := parser.ParseCallback(r)
		if err != nil {
			assert.NoError(t, batch.RecordRefused(r.Context(), st, cinetpay2.Name, r.Method, err))
			w.WriteHeader(providers.CallbackStatus(err))
			return
		}
		conf, err := batch.Confirm(r.Context(), st, lanes, cb, clock)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		mu.Lock()
		verdicts[conf.Verdict]++
		mu.Unlock()
		if conf.Verdict == batch.VerdictRefused {
			w.WriteHeader(http.StatusUnauthorized)
		}
	})
	hook := httptest.NewServer(receiver)
	defer hook.Close()

	delivered := make(chan sandbox.Delivery, 4*n)
	srv := sandboxtest.Sandbox(t, sandbox.Options{Rules: rules, Seed: 4, SettleDelay: 30 * time.Second, Now: clock.Now,
		CinetPayAPI: sandbox.CinetPayAPIOptions{Accounts: accounts},
		Callbacks:   sandbox.CallbackOptions{Enabled: true, OnDelivery: func(d sandbox.Delivery) { delivered <- d }}})
	root := sandboxtest.Serve(t, srv, srv)
	c := cinetpay2.New(cinetpay2.WithBaseURL(root+"/cinetpay-api"), cinetpay2.WithHTTPClient(&http.Client{Timeout: 150 * time.Millisecond}),
		cinetpay2.WithAccount("CI", "sk_test_ci", "ci-password"), cinetpay2.WithClock(clock.Now), cinetpay2.WithPublicURL(hook.URL))
	lanes = map[string]batch.Lane{cinetpay2.Name: {Provider: c, Rate: 0, Burst: 1, Concurrency: 8}}

	rows := make([]batch.Row, n)
	for i := range rows {
		rows[i] = batch.Row{Row: i + 2, Name: fmt.Sprintf("Payee %d", i), Phone: fmt.Sprintf("22507%08d", 10000000+i), Country: "CI",
			Operator: "Orange", Mode: batch.ModeMobileMoney, Amount: int64(1000 + 5*i)}
	}
	router := batch.Routes{Rules: []batch.Rule{{Country: "CI", Providers: []string{cinetpay2.Name}}}, Configured: map[string]bool{cinetpay2.Name: true}}
	b, items, errs := batch.Plan("campaign", "campaign.csv", "XOF", rows, router)
	require.Empty(t, errs)
	b, _, err = batch.Prepare(ctx, st, b, items, rows)
	require.NoError(t, err)

	r := &batch.Runner{Store: st, Lanes: lanes, PollInterval: time.Second, PendingWait: 2 * time.Minute, RetryBase: 10 * time.Millisecond, Clock: clock}
	var sum batch.Summary
	for runs := 0; runs < 8; runs++ {
		sum, err = r.Run(ctx, b)
		require.NoError(t, err)
		if sum.Counts[batch.Succeeded]+sum.Counts[batch.Failed]+sum.Counts[batch.Review] == n {
			break
		}
		require.NoError(t, clock.Sleep(ctx, time.Minute))
	}
	reviewAfterRuns := sum.Counts[batch.Review]

	// every payout has settled by now: each sends its webhook (and some a forged one first)
	require.NoError(t, clock.Sleep(ctx, time.Minute))
	srv.Tick()
	want := 0
	for range srv.Payouts() {
		want++
	}
	got, forged, forgedRefused := 0, 0, 0
	timeout := time.After(time.Minute) // a bound on a broken test, not a measure
	for got < want {
		select {
		case d := <-delivered:
			if d.Kind == "forged" {
				// refused when the item keeps its transfer's token; when the
				// answer that carried it was lost, the lookup alone decides
				forged++
				if d.HTTPStatus == http.StatusUnauthorized {
					forgedRefused++
				}
				continue
			}
			got++
		case <-timeout:
			t.Fatalf("%d webhooks of %d delivered", got, want)
		}
	}
	// a lookup a fault failed leaves its item in doubt: the webhooks kept are looked at again
	for i := 0; i < 5; i++ {
		_, err := batch.Revisit(ctx, st, lanes, b.ID, clock)
		require.NoError(t, err)
	}

	paid := map[string]int{}
	for _, p := range srv.Payouts() {
		paid[cinetpay2.DecodeReference(p.ClientReference)]++
	}
	counts := batch.Counts{}
	doubles, lost, reviewPaid := 0, 0, 0
	require.NoError(t, batch.EachItem(ctx, st, b.ID, func(it batch.Item) error {
		counts.Add(it.State)
		if paid[it.Reference] > 1 {
			doubles++
		}
		switch it.State {
		case batch.Succeeded:
			assert.Equal(t, 1, paid[it.Reference], "row %d succeeded: paid once", it.Row)
		case batch.Review:
			reviewPaid += paid[it.Reference]
		default:
			lost++
			t.Errorf("row %d ends %s", it.Row, it.State)
		}
		return nil
	}))
	mu.Lock()
	defer mu.Unlock()
	t.Logf("after the runs %v (review %d); webhooks %d genuine, %d forged (%d refused for their token), verdicts %v; in the end %v, in review %d of which CinetPay paid %d",
		sum.Counts, reviewAfterRuns, got, forged, forgedRefused, verdicts, counts, counts[batch.Review], reviewPaid)
	assert.Zero(t, doubles, "no reference paid twice")
	assert.Zero(t, lost, "no item lost")
	assert.Zero(t, reviewPaid, "every transfer CinetPay accepted is settled by its webhook")
	assert.Positive(t, forgedRefused)
	assert.Equal(t, n, counts[batch.Succeeded]+counts[batch.Review])
	assert.Less(t, counts[batch.Review], reviewAfterRuns, "webhooks settled items in doubt")
}
