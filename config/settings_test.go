package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// settingsCase is a bulkpay.yaml and the setting read from it, or the error
// Load refuses it with.
type settingsCase[T any] struct {
	name, yaml string
	want       T
	err        string
}

// checkSettings loads each case's bulkpay.yaml in a subtest of its own and
// compares what read gives with the case's want, or Load's error with its err.
func checkSettings[T any](t *testing.T, read func(Config) T, tests []settingsCase[T]) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "bulkpay.yaml")
			require.NoError(t, os.WriteFile(path, []byte(tt.yaml), 0o600))
			cfg, err := Load(path)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, read(cfg))
		})
	}
}
