package mycoolpay_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/mycoolpay"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
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
	_, _, root := sandboxtest.Recorded(t, sandbox.Options{SettleDelay: 50 * time.Millisecond})
	c := mycoolpay.New(mycoolpay.WithBaseURL(root+"/mycoolpay/api"), mycoolpay.WithKeys("pub", "priv"))
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
	_, err = mycoolpay.New(mycoolpay.WithBaseURL(root+"/mycoolpay/api"), mycoolpay.WithKeys("pub", "")).
		Send(ctx, providers.Payout{Reference: "y", Phone: "237677123456", Operator: "MTN", Amount: 100})
	require.ErrorIs(t, err, providers.ErrAuth)
}

// start serves the sandbox with opts behind a recorder, and a client of it.
func start(t *testing.T, opts sandbox.Options) (*sandbox.Server, *sandboxtest.Recorder, *mycoolpay.Client) {
	t.Helper()
	srv, rec, root := sandboxtest.Recorded(t, opts)
	return srv, rec, mycoolpay.New(mycoolpay.WithBaseURL(root+"/mycoolpay/api"), mycoolpay.WithKeys("pub", "priv"))
}

func TestSendsTheBatchCurrencyAndNationalDigits(t *testing.T) {
	t.Parallel()
	srv, rec, c := start(t, sandbox.Options{SettleDelay: time.Hour})
	ctx := context.Background()

	res, err := c.Send(ctx, providers.Payout{Reference: "a", Phone: "237699009900", Country: "CM", Operator: "Orange", Amount: 100,
		Currency: "XAF", Description: "Salaire novembre"})
	require.NoError(t, err)
	assert.Equal(t, "XAF", rec.Bodies()[0]["transaction_currency"])
	assert.Equal(t, "699009900", rec.Bodies()[0]["customer_phone_number"])
	assert.Equal(t, "Salaire novembre", rec.Bodies()[0]["transaction_reason"])
	_, err = c.Check(ctx, res.ProviderReference)
	require.NoError(t, err)

	_, err = c.Send(ctx, providers.Payout{Reference: "b", Phone: "237699009900", Country: "CM", Operator: "Orange", Amount: 100, Currency: "GNF"})
	require.ErrorIs(t, err, providers.ErrRejected)
	assert.Equal(t, "GNF", rec.Bodies()[1]["transaction_currency"], "the batch's currency as it is, never replaced by XAF")

	_, err = c.Send(ctx, providers.Payout{Reference: "c", Phone: "237677123456", Operator: "MTN", Amount: 100})
	require.NoError(t, err)
	assert.Equal(t, "XAF", rec.Bodies()[2]["transaction_currency"], "without one, the currency My-CoolPay declares")
	assert.Len(t, srv.Payouts(), 2)
}

func TestRefusesANumberOutsideCameroonWithoutSending(t *testing.T) {
	t.Parallel()
	_, rec, c := start(t, sandbox.Options{})
	// 771234567 alone would be nine digits of someone else in Cameroon
	_, err := c.Send(context.Background(), providers.Payout{Reference: "sn", Phone: "221771234567", Country: "SN", Operator: "Orange", Amount: 100})
	require.ErrorIs(t, err, providers.ErrRejected)
	assert.True(t, providers.IsProviderSide(err))
	assert.Zero(t, rec.Total(), "nothing was sent")
}
