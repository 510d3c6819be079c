package sandbox_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/camoo"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// What FeeOnTop declares is what the Camoo simulator draws: a balance of the
// amount plus 2% pays the cashout, one franc less refuses it, and batch's
// balance check counts the same.
func TestFeeOnTopIsWhatTheSimulatorDraws(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "2", sandbox.FeeOnTop("camoo"))
	assert.Empty(t, sandbox.FeeOnTop("campay"))
	need := batch.Costs{"camoo": sandbox.FeeOnTop("camoo")}.Of(batch.Item{Provider: "camoo", Amount: 10000})
	require.Equal(t, int64(10200), need)
	for _, tc := range []struct {
		balance int64
		paid    bool
	}{{need, true}, {need - 1, false}} {
		srv, _, root := sandboxtest.Recorded(t, sandbox.Options{})
		require.NoError(t, srv.SetBalance("camoo", tc.balance))
		c := camoo.New(camoo.WithBaseURL(root+"/camoo/v1/payment"), camoo.WithKeys("k", "s"))
		_, err := c.Send(context.Background(), providers.Payout{Reference: uuid.NewString(), Phone: "237650000001", Country: "CM",
			Operator: "MTN", Amount: 10000, Currency: "XAF"})
		if tc.paid {
			assert.NoError(t, err, "balance %d", tc.balance)
		} else {
			assert.ErrorIs(t, err, providers.ErrInsufficientFunds, "balance %d", tc.balance)
		}
	}
}
