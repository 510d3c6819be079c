package batch_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/campay"
	"bulkpay/providers/sandbox"
)

// panicky sends through CamPay, then panics on the nth payout after it was sent:
// a bug between the provider's answer and the ledger.
type panicky struct {
	*campay.Client
	n, sent *atomic.Int64
}

func (p panicky) Send(ctx context.Context, po providers.Payout) (providers.Result, error) {
	res, err := p.Client.Send(ctx, po)
	if p.sent.Add(1) == p.n.Load() {
		panic("boom after sending " + po.Reference)
	}
	return res, err
}

func TestPanicInALaneEndsTheRunWithAnErrorAndResumePaysEachOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 12, sandbox.Options{}, 2*time.Second)
	var n, sent atomic.Int64
	n.Store(5)
	sum, err := e.runner(panicky{Client: e.client, n: &n, sent: &sent}).Run(context.Background(), e.b)
	var pe *batch.PanicError
	require.ErrorAs(t, err, &pe, "the panic comes back as an error; the process lives")
	assert.Contains(t, pe.Error(), "boom after sending")
	assert.NotEmpty(t, pe.Stack)
	assert.NotErrorIs(t, err, batch.ErrInterrupted)
	assert.Less(t, sum.Counts[batch.Succeeded]+sum.Counts[batch.Pending], 12, "the run stopped early")

	e.run() // resume: the item sent before the panic is settled, not paid again
	e.paidOnce()
	assertLegalPaths(t, e)
}
