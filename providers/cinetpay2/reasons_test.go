package cinetpay2_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/cinetpay2"
	"bulkpay/providers/registry"
	"bulkpay/providers/sandbox"
)

// The 2026 API's refusals, as the client records them, read in plain words
// through the registry (which reads the legacy API's too).
func TestExplain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t, sandbox.Options{})
	require.NoError(t, r.srv.SetBalance("cinetpay-api/SN", 100))
	c := r.client()
	cinet, ok := registry.Lookup(cinetpay2.Name)
	require.True(t, ok)
	for _, tc := range []struct {
		name string
		edit func(*providers.Payout)
		code string
	}{
		{"balance too low", func(p *providers.Payout) { *p = fresh(senegalese) }, "2005 INSUFFICIENT_BALANCE"},
		{"amount", func(p *providers.Payout) { p.Amount = 5001 }, "422 amount"},
		{"operator", func(p *providers.Payout) { p.Operator = "Moov" }, "payment_method"},
		{"no account", func(p *providers.Payout) { p.Phone, p.Country = "22997123456", "BJ" }, "account"},
	} {
		p := fresh(ivorian)
		tc.edit(&p)
		_, err := c.Send(ctx, p)
		require.Error(t, err, tc.name)
		got := cinet.Explain(err.Error())
		assert.Equal(t, tc.code, got.Code, "%s: %s", tc.name, err)
		assert.NotEmpty(t, got.Plain)
	}
	assert.Equal(t, "2010 FAILED", cinet.Explain("FAILED").Code, "a transfer that ended FAILED")
	assert.Equal(t, "802 INVALID_PHONE", cinet.Explain("cinetpay send: rejected by provider (HTTP 200 802): INVALID_PHONE").Code, "the legacy API's still read")
	assert.Equal(t, "treatment_status REJ", cinet.Explain("treatment_status REJ").Code)
}
