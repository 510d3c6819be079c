package cinetpay2_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/cinetpay2"
	"bulkpay/providers/contract"
	"bulkpay/providers/sandbox"
)

// TestFaultCampaignWithWebhooks is the fault campaign with CinetPay's
// webhooks on: each transfer names its own notify_url, the simulator posts
// the notify_token its initiation returned, a receiver checks it as bulkpay
// serve does (batch.Confirm) and the lookup by transaction_id settles what
// was in doubt. Forged webhooks (another token) come too and move nothing.
// Only items CinetPay never accepted are left for a person.
func TestFaultCampaignWithWebhooks(t *testing.T) {
	contract.Campaign(t)
	const n = 300
	ctx := context.Background()
	st, b := contract.Prepare(t, "XOF", batch.Rule{Country: "CI", Providers: []string{cinetpay2.Name}}, payees(n))
	delivered := make(chan sandbox.Delivery, 4*n)
	clock, srv, _, root := contract.Faults(t, "cinetpay-api.transfer:error=500@8%; cinetpay-api.transfer:error=503@4%; cinetpay-api.transfer:hang-before@4%; "+
		"cinetpay-api.transfer:hang-after@8%; cinetpay-api.transfer:reset@4%; cinetpay-api.transfer:malformed@4%; "+
		"cinetpay-api.status:error=500@10%; cinetpay-api.status:hang-before@3%; cinetpay-api.token:error=503@10%; cinetpay-api:token-ttl=2m; "+
		"cinetpay-api.callback:callback-forged@10%",
		sandbox.Options{CinetPayAPI: sandbox.CinetPayAPIOptions{Accounts: accounts},
			Callbacks: sandbox.CallbackOptions{Enabled: true, OnDelivery: func(d sandbox.Delivery) { delivered <- d }}})

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

	c := cinetpay2.New(cinetpay2.WithBaseURL(root+"/cinetpay-api"), cinetpay2.WithHTTPClient(&http.Client{Timeout: 150 * time.Millisecond}),
		cinetpay2.WithAccount("CI", "sk_test_ci", "ci-password"), cinetpay2.WithClock(clock.Now), cinetpay2.WithPublicURL(hook.URL))
	lanes = map[string]batch.Lane{cinetpay2.Name: {Provider: c, Rate: 0, Burst: 1, Concurrency: 8}}

	sum, _ := contract.RunUntil(t, st, b, n, lanes, clock, batch.Succeeded, batch.Failed, batch.Review)
	reviewAfterRuns := sum.Counts[batch.Review]
	inDoubt, err := st.Items(ctx, b.ID, batch.Review)
	require.NoError(t, err)

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
	o := outcome(t, st, b, paid)
	mu.Lock()
	defer mu.Unlock()
	t.Logf("after the runs %v (review %d); webhooks %d genuine, %d forged (%d refused for their token), verdicts %v; in the end %v, in review %d of which CinetPay paid %d",
		sum.Counts, reviewAfterRuns, got, forged, forgedRefused, verdicts, o.counts, o.counts[batch.Review], o.reviewPaid)
	assert.Zero(t, o.doubles, "no reference paid twice")
	assert.Zero(t, o.lost, "no item lost")
	assert.Zero(t, o.reviewPaid, "every transfer CinetPay accepted is settled by its webhook")
	assert.Positive(t, forgedRefused)
	assert.Equal(t, n, o.counts[batch.Succeeded]+o.counts[batch.Review])
	// the items in doubt that CinetPay did pay are the ones its webhooks can
	// settle (on a loaded machine the client's 150 ms timeout can leave every
	// doubt a request that never arrived: nothing to settle, rightly)
	paidInDoubt := 0
	for _, it := range inDoubt {
		paidInDoubt += min(paid[it.Reference], 1)
	}
	assert.Equal(t, reviewAfterRuns-paidInDoubt, o.counts[batch.Review], "webhooks settled exactly the items in doubt CinetPay paid")
}
