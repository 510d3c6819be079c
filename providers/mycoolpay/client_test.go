package mycoolpay_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/mycoolpay"
	"bulkpay/providers/sandbox"
)

func TestOperators(t *testing.T) {
	for carrier, want := range map[string]string{"MTN": "CM_MOMO", "Orange": "CM_OM", "MCP": "MCP"} {
		got, ok := mycoolpay.Operator(carrier)
		assert.True(t, ok)
		assert.Equal(t, want, got)
	}
	_, ok := mycoolpay.Operator("Camtel")
	assert.False(t, ok)
}

func TestWalletsAndMobileMoney(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{SettleDelay: 50 * time.Millisecond})
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	defer func() { srv.Close(); hs.Close() }()
	c := mycoolpay.New(mycoolpay.WithBaseURL(hs.URL+"/mycoolpay/api"), mycoolpay.WithKeys("pub", "priv"))
	ctx := context.Background()

	for _, id := range []string{"jdoe", "jdoe@example.cm", "237699009900"} {
		res, err := c.Send(ctx, providers.Payout{Reference: "w-" + id, Phone: id, Operator: "MCP", Amount: 100})
		require.NoError(t, err, id)
		assert.Equal(t, providers.StatusSucceeded, res.Status, "a wallet payout is done at once (200)")
	}
	res, err := c.Send(ctx, providers.Payout{Reference: "m", Phone: "237677123456", Operator: "MTN", Amount: 100})
	require.NoError(t, err)
	assert.Equal(t, providers.StatusPending, res.Status, "mobile money is in progress (202)")
	got, err := c.Check(ctx, res.ProviderReference)
	require.NoError(t, err)
	assert.Equal(t, int64(1), got.Fee)

	_, err = c.Send(ctx, providers.Payout{Reference: "x", Phone: "237620123456", Operator: "Camtel", Amount: 100})
	assert.True(t, providers.IsProviderSide(err), "a carrier My-CoolPay does not serve: another provider may")
	_, err = mycoolpay.New(mycoolpay.WithBaseURL(hs.URL+"/mycoolpay/api"), mycoolpay.WithKeys("pub", "")).
		Send(ctx, providers.Payout{Reference: "y", Phone: "237677123456", Operator: "MTN", Amount: 100})
	require.ErrorIs(t, err, providers.ErrAuth)
}
