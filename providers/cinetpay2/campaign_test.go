package cinetpay2_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/internal/testsupport/campaign"
	"bulkpay/providers/cinetpay2"
	"bulkpay/providers/contract"
	"bulkpay/providers/sandbox"
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
	contract.Campaign(t)
	n := campaign.Size(100, 300) // rows: 300 in the full campaign
	clock, srv, rec, root := contract.Faults(t, "cinetpay-api.transfer:error=500@8%; cinetpay-api.transfer:error=503@4%; cinetpay-api.transfer:hang-before@4%; "+
		"cinetpay-api.transfer:hang-after@8%; cinetpay-api.transfer:reset@4%; cinetpay-api.transfer:malformed@4%; "+
		"cinetpay-api.transfer:error=429@4%,retry-after=1; cinetpay-api.status:error=500@10%; cinetpay-api.status:hang-before@3%; "+
		"cinetpay-api.token:error=503@10%; cinetpay-api:token-ttl=2m",
		sandbox.Options{CinetPayAPI: sandbox.CinetPayAPIOptions{Accounts: accounts}})
	c := cinetpay2.New(cinetpay2.WithBaseURL(root+"/cinetpay-api"), cinetpay2.WithHTTPClient(&http.Client{Timeout: 150 * time.Millisecond}),
		cinetpay2.WithAccount("CI", "sk_test_ci", "ci-password"), cinetpay2.WithClock(clock.Now), cinetpay2.WithNotifyURL("http://127.0.0.1/notify"))

	st, b := contract.Prepare(t, "XOF", batch.Rule{Country: "CI", Providers: []string{cinetpay2.Name}}, payees(n))
	lanes := map[string]batch.Lane{cinetpay2.Name: {Provider: c, Rate: 0, Burst: 1, Concurrency: 8}}
	sum, runs := contract.RunUntil(t, st, b, n, lanes, clock, batch.Succeeded, batch.Failed, batch.Review)
	posts := rec.Count("POST /cinetpay-api/v1/transfer")
	paid := map[string]int{}
	for _, p := range srv.Payouts() {
		paid[cinetpay2.DecodeReference(p.ClientReference)]++
		assert.Equal(t, "SUCCESS", p.Status)
	}
	o := outcome(t, st, b, paid)
	t.Logf("runs %d, summary %v, transfer requests %d for %d items, requests in all %d; in review %d, of which CinetPay paid %d",
		runs, sum.Counts, posts, n, rec.Total(), sum.Counts[batch.Review], o.reviewPaid)
	assert.Zero(t, o.doubles, "no reference paid twice")
	assert.Zero(t, o.lost, "no item lost")
	assert.Equal(t, n, sum.Counts[batch.Succeeded]+sum.Counts[batch.Review], "every item succeeded or waits for a person")
	assert.Positive(t, sum.Counts[batch.Review], "outcomes in doubt without a transaction_id are not guessed")
	assert.LessOrEqual(t, len(paid), n, "no transfer nobody planned")
}

// payees is the campaign's n rows: Orange Côte d'Ivoire numbers.
func payees(n int) []batch.Row {
	return contract.Payees(n, "CI", "Orange", func(i int) string { return fmt.Sprintf("22507%08d", 10000000+i) },
		func(i int) int64 { return int64(1000 + 5*i) })
}

// ended is how a campaign's items end: how many stand in each state, how
// many references were paid twice, how many items were neither paid nor left
// for a person (each an error of t), and how many transfers CinetPay made
// for items in review.
type ended struct {
	counts                    batch.Counts
	doubles, lost, reviewPaid int
}

// outcome reads b's items against paid, the payouts the simulator made by
// reference: an item succeeded was paid once.
func outcome(t *testing.T, st batch.ItemReader, b batch.Batch, paid map[string]int) ended {
	t.Helper()
	o := ended{counts: batch.Counts{}}
	require.NoError(t, batch.EachItem(context.Background(), st, b.ID, func(it batch.Item) error {
		o.counts.Add(it.State)
		if paid[it.Reference] > 1 {
			o.doubles++
		}
		switch it.State {
		case batch.Succeeded:
			assert.Equal(t, 1, paid[it.Reference], "row %d succeeded: paid once", it.Row)
		case batch.Review:
			o.reviewPaid += paid[it.Reference]
		default:
			o.lost++ // neither paid nor left for a person
			t.Errorf("row %d ends %s", it.Row, it.State)
		}
		return nil
	}))
	return o
}
