package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExampleConfigParses(t *testing.T) {
	cfg, err := loadConfig("../../samples/bulkpay.example.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"camoo", "campay", "cinetpay", "mycoolpay"}, cfg.providerNames())
	assert.Equal(t, "CINETPAY_APIKEY", cfg.Providers["cinetpay"].APIKeyEnv)
	assert.Equal(t, 20, cfg.Providers["cinetpay"].ChunkSize)
}

func TestPartialConfigKeepsDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(path, []byte("pending_wait: 30s\n"), 0o600))
	cfg, err := loadConfig(path)
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, cfg.PendingWait)
	assert.Equal(t, "bulkpay.db", cfg.Ledger)
	assert.Equal(t, "CM", cfg.Region)
	assert.Empty(t, cfg.Providers, "no providers: the sandbox is used")

	require.NoError(t, os.WriteFile(path, []byte("providers:\n  paypal: {}\n"), 0o600))
	_, err = loadConfig(path)
	assert.ErrorContains(t, err, `provider "paypal" is not one bulkpay knows`)

	require.NoError(t, os.WriteFile(path, []byte("providers:\n  campay:\n    password: hunter2\n"), 0o600))
	_, err = loadConfig(path)
	assert.ErrorContains(t, err, "field password not found", "secrets have no place in the file")
}

func TestMissingCredentialsNameTheVariables(t *testing.T) {
	t.Setenv("CAMPAY_USERNAME", "")
	t.Setenv("CAMPAY_PASSWORD", "")
	t.Setenv("CAMPAY_TOKEN", "")
	_, err := newProvider("campay", defaultPace(ProviderConfig{}), "", nil)
	assert.ErrorContains(t, err, "set CAMPAY_USERNAME and CAMPAY_PASSWORD")
	t.Setenv("MY_USER", "u")
	t.Setenv("MY_PASS", "p")
	p, err := newProvider("campay", defaultPace(ProviderConfig{UsernameEnv: "MY_USER", PasswordEnv: "MY_PASS"}), "", nil)
	require.NoError(t, err)
	assert.Equal(t, "campay", p.Name())
}
