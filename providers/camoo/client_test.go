package camoo_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/camoo"
	"bulkpay/providers/sandbox"
)

func TestStatusesWithoutCase(t *testing.T) {
	for s, want := range map[string]providers.Status{
		"CREATED": providers.StatusPending, "initialised": providers.StatusPending, "In_Progress": providers.StatusPending,
		"PENDING": providers.StatusPending, "UNDERINVESTIGATION": providers.StatusPending,
		"SUCCESS": providers.StatusSucceeded, "confirmed": providers.StatusSucceeded,
		"FAILED": providers.StatusFailed, "CANCELED": providers.StatusFailed, "Cancelled": providers.StatusFailed, "ERRORED": providers.StatusFailed,
	} {
		assert.Equal(t, want, camoo.StatusOf(s), s)
	}
}

func TestErrorsMappedAndFeesRead(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{SettleDelay: time.Hour, Camoo: sandbox.CamooOptions{Balance: 10_000, Key: "k", Secret: "s"}})
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	defer func() { srv.Close(); hs.Close() }()
	c := camoo.New(camoo.WithBaseURL(hs.URL+"/camoo/v1/payment"), camoo.WithKeys("k", "s"), camoo.WithHTTPClient(&http.Client{Timeout: time.Second}))
	ctx := context.Background()

	res, err := c.Send(ctx, providers.Payout{Reference: "r1", Phone: "237677123456", Amount: 5000})
	require.NoError(t, err)
	assert.Equal(t, providers.StatusPending, res.Status)
	assert.Equal(t, int64(100), res.Fee, "2% in the simulator")
	assert.Equal(t, int64(5000), res.NetAmount)

	cases := []struct {
		name   string
		p      providers.Payout
		client *camoo.Client
		status int
		class  error
	}{
		{"400 validation", providers.Payout{Reference: "a", Phone: "123", Amount: 10}, c, 400, providers.ErrRejected},
		{"402 insufficient funds", providers.Payout{Reference: "b", Phone: "237677123456", Amount: 9000}, c, 402, providers.ErrRejected},
		{"422 network", providers.Payout{Reference: "c", Phone: "2250123456789", Amount: 10}, c, 422, providers.ErrRejected},
		{"401 credentials", providers.Payout{Reference: "d", Phone: "237677123456", Amount: 10},
			camoo.New(camoo.WithBaseURL(hs.URL+"/camoo/v1/payment"), camoo.WithKeys("k", "wrong")), 401, providers.ErrAuth},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.Send(ctx, tc.p)
			require.ErrorIs(t, err, tc.class)
			var pe *providers.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.status, pe.HTTPStatus)
			assert.NotContains(t, err.Error(), "wrong", "no secret in errors")
		})
	}
	srv.AddFault(sandbox.Fault{Provider: "camoo", Op: "cashout", Kind: sandbox.Status, Status: 500})
	_, err = c.Send(ctx, providers.Payout{Reference: "e", Phone: "237677123456", Amount: 10})
	require.ErrorIs(t, err, providers.ErrUnknownOutcome, "500: the cashout may exist")
	assert.Len(t, srv.Payouts(), 1)
}
