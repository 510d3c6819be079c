package mycoolpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
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

// recording keeps each payout body and counts requests, in front of the simulator.
type recording struct {
	h      http.Handler
	mu     sync.Mutex
	bodies []map[string]any
	n      int
}

func (c *recording) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.n++
	var m map[string]any
	if json.Unmarshal(b, &m) == nil {
		c.bodies = append(c.bodies, m)
	}
	c.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(b))
	c.h.ServeHTTP(w, r)
}

func TestSendsTheBatchCurrencyAndNationalDigits(t *testing.T) {
	t.Parallel()
	srv, err := sandbox.New(sandbox.Options{SettleDelay: time.Hour})
	require.NoError(t, err)
	rec := &recording{h: srv}
	hs := httptest.NewServer(rec)
	defer func() { srv.Close(); hs.Close() }()
	c := mycoolpay.New(mycoolpay.WithBaseURL(hs.URL+"/mycoolpay/api"), mycoolpay.WithKeys("pub", "priv"))
	ctx := context.Background()

	res, err := c.Send(ctx, providers.Payout{Reference: "a", Phone: "237699009900", Country: "CM", Operator: "Orange", Amount: 100,
		Currency: "XAF", Description: "Salaire novembre"})
	require.NoError(t, err)
	assert.Equal(t, "XAF", rec.bodies[0]["transaction_currency"])
	assert.Equal(t, "699009900", rec.bodies[0]["customer_phone_number"])
	assert.Equal(t, "Salaire novembre", rec.bodies[0]["transaction_reason"])
	_, err = c.Check(ctx, res.ProviderReference)
	require.NoError(t, err)

	_, err = c.Send(ctx, providers.Payout{Reference: "b", Phone: "237699009900", Country: "CM", Operator: "Orange", Amount: 100, Currency: "GNF"})
	require.ErrorIs(t, err, providers.ErrRejected)
	assert.Equal(t, "GNF", rec.bodies[1]["transaction_currency"], "the batch's currency as it is, never replaced by XAF")

	_, err = c.Send(ctx, providers.Payout{Reference: "c", Phone: "237677123456", Operator: "MTN", Amount: 100})
	require.NoError(t, err)
	assert.Equal(t, "XAF", rec.bodies[2]["transaction_currency"], "without one, the currency My-CoolPay declares")
	assert.Len(t, srv.Payouts(), 2)
}

func TestRefusesANumberOutsideCameroonWithoutSending(t *testing.T) {
	t.Parallel()
	srv, err := sandbox.New(sandbox.Options{})
	require.NoError(t, err)
	rec := &recording{h: srv}
	hs := httptest.NewServer(rec)
	defer func() { srv.Close(); hs.Close() }()
	c := mycoolpay.New(mycoolpay.WithBaseURL(hs.URL+"/mycoolpay/api"), mycoolpay.WithKeys("pub", "priv"))
	// 771234567 alone would be nine digits of someone else in Cameroon
	_, err = c.Send(context.Background(), providers.Payout{Reference: "sn", Phone: "221771234567", Country: "SN", Operator: "Orange", Amount: 100})
	require.ErrorIs(t, err, providers.ErrRejected)
	assert.True(t, providers.IsProviderSide(err))
	assert.Zero(t, rec.n, "nothing was sent")
}
