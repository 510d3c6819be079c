package momo_test

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
	"bulkpay/providers/contract"
	"bulkpay/providers/momo"
	"bulkpay/providers/sandbox"
)

// TestFaultCampaign pays a batch through MoMo while the simulator answers
// transfers with 5xx, never answers (before or after recording the
// transfer), drops connections, answers broken JSON, fails status lookups and
// ends tokens early. Every outcome in doubt settles by asking MoMo with our
// reference: in the end every item is paid exactly once, none is lost and
// none waits for a person.
func TestFaultCampaign(t *testing.T) {
	contract.Campaign(t)
	n := campaign.Size(100, 300) // rows: 300 in the full campaign
	clock, srv, rec, root := contract.Faults(t, "momo.transfer:error=500@8%; momo.transfer:error=503@4%; momo.transfer:hang-before@4%; "+
		"momo.transfer:hang-after@8%; momo.transfer:reset@4%; momo.transfer:malformed@4%; momo.status:error=500@10%; "+
		"momo.status:hang-before@3%; momo.token:error=503@10%; momo:token-ttl=2m", sandbox.Options{})
	c := momo.New(momo.WithBaseURL(root+"/momo"), momo.WithHTTPClient(&http.Client{Timeout: 150 * time.Millisecond}),
		momo.WithSubscriptionKey(subKey), momo.WithAPIUser("campaign-user", apiKey), momo.WithClock(clock.Now))

	rows := contract.Payees(n, "CM", "MTN", func(i int) string { return fmt.Sprintf("23767%07d", 1000000+i) },
		func(i int) int64 { return int64(1000 + i) })
	st, b := contract.Prepare(t, "XAF", batch.Rule{Country: "CM", Operator: "MTN", Providers: []string{momo.Name}}, rows)
	lanes := map[string]batch.Lane{momo.Name: {Provider: c, Rate: 0, Burst: 1, Concurrency: 8}}
	sum, runs := contract.RunUntil(t, st, b, n, lanes, clock, batch.Succeeded, batch.Failed)
	posts := rec.Count("POST /momo/disbursement/v1_0/transfer")
	t.Logf("runs %d, summary %v, transfer requests %d for %d items, requests in all %d", runs, sum.Counts, posts, n, rec.Total())
	assert.Greater(t, posts, n, "faults made the runner ask and send again")
	assert.Equal(t, n, sum.Counts[batch.Succeeded], "every item paid")
	assert.Zero(t, sum.Counts[batch.Review], "none for a person")

	paid := map[string]int{}
	for _, p := range srv.Payouts() {
		if p.Provider == momo.Name {
			paid[p.ClientReference]++
			assert.Equal(t, "SUCCESSFUL", p.Status)
		}
	}
	doubles := 0
	for _, k := range paid {
		if k > 1 {
			doubles++
		}
	}
	assert.Zero(t, doubles, "no reference paid twice")
	require.NoError(t, batch.EachItem(context.Background(), st, b.ID, func(it batch.Item) error {
		assert.Equal(t, 1, paid[it.Reference], "row %d paid once", it.Row)
		return nil
	}))
	assert.Len(t, paid, n, "no transfer nobody planned")
}
