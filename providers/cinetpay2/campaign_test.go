package cinetpay2_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/testsupport/campaign"
	"bulkpay/ledger"
	"bulkpay/providers/cinetpay2"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// TestFaultCampaign pays a batch through CinetPay's 2026 API while the
// simulator answers transfers with 5xx, never answers (before or after
// recording the transfer), drops connections, answers broken JSON, fails
// lookups and logins and ends tokens early (code 1003). CinetPay cannot be
// asked about our reference: an outcome in doubt without its transaction_id
// goes to review, never sent again. In the end no item is paid twice, every
// item paid is succeeded or in review, and every item not in review is
// settled.
func TestFaultCampaign(t *testing.T) {
	if testing.Short() {
		t.Skip("fault campaign: runs without -short")
	}
	t.Parallel()
	n := campaign.Size(100, 300) // rows: 300 in the full campaign
	rules, err := sandbox.ParseRules("cinetpay-api.transfer:error=500@8%; cinetpay-api.transfer:error=503@4%; cinetpay-api.transfer:hang-before@4%; " +
		"cinetpay-api.transfer:hang-after@8%; cinetpay-api.transfer:reset@4%; cinetpay-api.transfer:malformed@4%; " +
		"cinetpay-api.transfer:error=429@4%,retry-after=1; cinetpay-api.status:error=500@10%; cinetpay-api.status:hang-before@3%; " +
		"cinetpay-api.token:error=503@10%; cinetpay-api:token-ttl=2m")
	require.NoError(t, err)
	clock := providerstest.NewClock(sandboxtest.Start)
	srv := sandboxtest.Sandbox(t, sandbox.Options{Rules: rules, Seed: 4, SettleDelay: 30 * time.Second, Now: clock.Now,
		CinetPayAPI: sandbox.CinetPayAPIOptions{Accounts: accounts}})
	rec := sandboxtest.NewRecorder(srv)
	root := sandboxtest.Serve(t, srv, rec)
	c := cinetpay2.New(cinetpay2.WithBaseURL(root+"/cinetpay-api"), cinetpay2.WithHTTPClient(&http.Client{Timeout: 150 * time.Millisecond}),
		cinetpay2.WithAccount("CI", "sk_test_ci", "ci-password"), cinetpay2.WithClock(clock.Now), cinetpay2.WithNotifyURL("http://127.0.0.1/notify"))

	ctx := context.Background()
	st, err := ledger.Open(ctx, filepath.Join(t.TempDir(), "l.db"))
	require.NoError(t, err)
	defer st.Close()
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

	r := &batch.Runner{Store: st, Lanes: map[string]batch.Lane{cinetpay2.Name: {Provider: c, Rate: 0, Burst: 1, Concurrency: 8}},
		PollInterval: time.Second, PendingWait: 2 * time.Minute, RetryBase: 10 * time.Millisecond, Clock: clock}
	var sum batch.Summary
	runs := 0
	for ; runs < 8; runs++ { // a run ends with what is still pending; the next settles it
		sum, err = r.Run(ctx, b)
		require.NoError(t, err)
		if sum.Counts[batch.Succeeded]+sum.Counts[batch.Failed]+sum.Counts[batch.Review] == n {
			break
		}
		require.NoError(t, clock.Sleep(ctx, time.Minute))
	}
	posts := rec.Count("POST /cinetpay-api/v1/transfer")
	paid := map[string]int{}
	for _, p := range srv.Payouts() {
		paid[cinetpay2.DecodeReference(p.ClientReference)]++
		assert.Equal(t, "SUCCESS", p.Status)
	}
	doubles, lost, reviewPaid := 0, 0, 0
	require.NoError(t, batch.EachItem(ctx, st, b.ID, func(it batch.Item) error {
		if paid[it.Reference] > 1 {
			doubles++
		}
		switch it.State {
		case batch.Succeeded:
			assert.Equal(t, 1, paid[it.Reference], "row %d succeeded: paid once", it.Row)
		case batch.Review:
			reviewPaid += paid[it.Reference]
		default:
			lost++ // neither paid nor left for a person
			t.Errorf("row %d ends %s", it.Row, it.State)
		}
		return nil
	}))
	t.Logf("runs %d, summary %v, transfer requests %d for %d items, requests in all %d; in review %d, of which CinetPay paid %d",
		runs+1, sum.Counts, posts, n, rec.Total(), sum.Counts[batch.Review], reviewPaid)
	assert.Zero(t, doubles, "no reference paid twice")
	assert.Zero(t, lost, "no item lost")
	assert.Equal(t, n, sum.Counts[batch.Succeeded]+sum.Counts[batch.Review], "every item succeeded or waits for a person")
	assert.Positive(t, sum.Counts[batch.Review], "outcomes in doubt without a transaction_id are not guessed")
	assert.LessOrEqual(t, len(paid), n, "no transfer nobody planned")
}
