package momo_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers/momo"
	"bulkpay/providers/sandbox"
)

// AccountName is MoMo's holder as batch's name check reads it, and Covers the
// MTN numbers of the markets the account pays.
func TestAccountName(t *testing.T) {
	t.Parallel()
	s := serve(t, sandbox.Options{MoMo: sandbox.MoMoOptions{Names: map[string]string{"237677123456": "Jean-Pierre MBARGA"}}}, nil,
		momo.WithMarkets("CM"))
	ctx := context.Background()
	tests := []struct {
		phone string
		want  batch.NameInfo
	}{
		{"237677123456", batch.NameInfo{Known: true, Active: true, Given: "Jean-Pierre", Family: "MBARGA"}},
		{"237677999888", batch.NameInfo{Known: true, Active: true}},
		{"237699123456", batch.NameInfo{}}, // Orange: no MoMo account
	}
	for _, tt := range tests {
		got, err := s.c.AccountName(ctx, tt.phone)
		require.NoError(t, err, tt.phone)
		assert.Equal(t, tt.want, got, tt.phone)
	}
	assert.True(t, s.c.Covers("CM", "MTN"))
	assert.False(t, s.c.Covers("CM", "Orange"), "MoMo tells no Orange name")
	assert.False(t, s.c.Covers("CI", "MTN"), "a market this account does not pay")
}
