package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/identity"
)

func TestNewPasswordFromStdin(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("p", identity.MaxPassword+1)
	for _, tc := range []struct {
		name, in, want string
		invalid        bool
	}{
		{name: "first line", in: "a good long password\nsecond line\n", want: "a good long password"},
		{name: "CRLF", in: "a good long password\r\n", want: "a good long password"},
		{name: "no newline", in: "a good long password", want: "a good long password"},
		{name: "too short", in: "short\n", invalid: true},
		{name: "empty", in: "", invalid: true},
		{name: "too long", in: long + "\n", invalid: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var prompt strings.Builder
			hash, err := NewPassword(strings.NewReader(tc.in), &prompt, "awa")
			assert.Empty(t, prompt.String(), "no prompt when stdin is not a terminal")
			if tc.invalid {
				require.ErrorIs(t, err, batch.ErrInvalid)
				return
			}
			require.NoError(t, err)
			assert.True(t, identity.VerifyPassword(hash, tc.want))
			assert.NotContains(t, hash, tc.want)
		})
	}
}

// A file that is not a terminal is read as stdin is: its first line.
func TestNewPasswordFromFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(path, []byte("from a file, long enough\n"), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	hash, err := NewPassword(f, nil, "awa")
	require.NoError(t, err)
	assert.True(t, identity.VerifyPassword(hash, "from a file, long enough"))
}
