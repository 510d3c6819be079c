package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

func TestNameCheckPolicy(t *testing.T) {
	t.Parallel()
	checkSettings(t, Config.NamePolicy, []settingsCase[batch.NamePolicy]{
		{"nothing configured", "", batch.NamesOff, ""},
		{"a provider that cannot tell names", "providers:\n  campay: {}\n", batch.NamesOff, ""},
		{"MoMo configured: warn", "providers:\n  momo: {}\n", batch.NamesWarn, ""},
		{"as written", "name_check: review\n", batch.NamesReview, ""},
		{"off overrides MoMo", "name_check: off\nproviders:\n  momo: {}\n", batch.NamesOff, ""},
		{"block", "name_check: Block\n", batch.NamesBlock, ""},
		{"unknown", "name_check: strict\n", "", "write off, warn, review or block"},
	})
}

// Connecting through a sandbox gives MoMo (MTN numbers of its market) then
// the sandbox's directory (any number) as name sources.
func TestConnectGivesTheNameSources(t *testing.T) {
	t.Parallel()
	cfg := Default()
	conn, err := cfg.Connect(t.Context(), Target{SandboxURL: "http://127.0.0.1:1"})
	require.NoError(t, err)
	defer conn.Close()
	require.Len(t, conn.Names, 2)
	assert.Equal(t, "momo", conn.Names[0].Provider)
	assert.True(t, conn.Names[0].Covers("CM", "MTN"))
	assert.False(t, conn.Names[0].Covers("CM", "Orange"))
	assert.False(t, conn.Names[0].Covers("SN", "Orange"))
	assert.Equal(t, "sandbox", conn.Names[1].Provider)
	assert.True(t, conn.Names[1].Covers("SN", "Orange"))
}
