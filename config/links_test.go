package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLinkSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml string
		want       Links
		err        string
	}{
		{"defaults", "", Links{Expiry: 7 * 24 * time.Hour, Org: "bulkpay", Language: "en"}, ""},
		{"set", "link_expiry: 10d\nlink_reminders: [3d, 1d, 12h]\nlink_other_number: true\norganisation: Acme\nlanguage: fr\n",
			Links{Expiry: 240 * time.Hour, Reminders: []time.Duration{72 * time.Hour, 24 * time.Hour, 12 * time.Hour}, OtherNumber: true,
				Org: "Acme", Language: "fr"}, ""},
		{"bad span", "link_expiry: 7days\n", Links{}, "not a duration like 7d"},
		{"reminder past expiry", "link_expiry: 2d\nlink_reminders: [3d]\n", Links{}, "link_reminders"},
		{"language", "language: de\n", Links{}, "write fr or en"},
	}
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
			assert.Equal(t, tt.want, cfg.Links())
		})
	}
}

func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"7d", "36h", "90m", "0d", "-1d", "d", "1.5d", "99999999999999999999d", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSpan(s)
		if err != nil {
			return
		}
		assert.GreaterOrEqual(t, int64(v), int64(0), "%q", s)
	})
}
