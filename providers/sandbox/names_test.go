package sandbox_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// The sandbox's name directory tells about any number, Orange and Senegal
// included, as a name source: known and active for a valid mobile number,
// the name when one is registered.
func TestSandboxNameClientTellsAnyNumber(t *testing.T) {
	t.Parallel()
	rig := sandboxtest.New(t, sandbox.Options{MoMo: sandbox.MoMoOptions{Names: map[string]string{"237699009900": "Aïcha BELLO", "221771234567": "Fatou NDIAYE",
		"237677000001": sandbox.NameInactive, "237677000002": sandbox.NameUnknown}}})
	c := sandbox.NameClient{URL: rig.URL}
	ctx := context.Background()
	tests := []struct {
		phone string
		want  batch.NameInfo
	}{
		{"237699009900", batch.NameInfo{Known: true, Active: true, Given: "Aïcha", Family: "BELLO"}},
		{"+221771234567", batch.NameInfo{Known: true, Active: true, Given: "Fatou", Family: "NDIAYE"}},
		{"237677999999", batch.NameInfo{Known: true, Active: true}},
		{"46733123457", batch.NameInfo{}},            // MTN's test number: payee not found
		{"46733123458", batch.NameInfo{Known: true}}, // not allowed: an inactive account
		{"2371", batch.NameInfo{}},                   // not a number
	}
	for _, tt := range tests {
		got, err := c.AccountName(ctx, tt.phone)
		require.NoError(t, err, tt.phone)
		assert.Equal(t, tt.want, got, tt.phone)
	}
	assert.True(t, c.Covers("CM", "Orange"))
}

func TestWhoTellsNames(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"momo"}, providers.NameTellers())
	assert.True(t, providers.TellsName("momo", "CM", "MTN"))
	assert.True(t, providers.TellsName("momo", "CI", "mtn"))
	assert.False(t, providers.TellsName("momo", "CM", "Orange"), "no provider tells Orange names")
	assert.False(t, providers.TellsName("momo", "SN", "Orange"))
	assert.False(t, providers.TellsName("campay", "CM", "MTN"))
	assert.True(t, providers.TellsName(providers.SandboxNames, "SN", "Free"))
}
