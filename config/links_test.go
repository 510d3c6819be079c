package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLinkSettings(t *testing.T) {
	t.Parallel()
	checkSettings(t, Config.Links, []settingsCase[Links]{
		{"defaults", "", Links{Expiry: 7 * 24 * time.Hour, Org: "bulkpay", Language: "en"}, ""},
		{"set", "link_expiry: 10d\nlink_reminders: [3d, 1d, 12h]\nlink_other_number: true\norganisation: Acme\nlanguage: fr\n",
			Links{Expiry: 240 * time.Hour, Reminders: []time.Duration{72 * time.Hour, 24 * time.Hour, 12 * time.Hour}, OtherNumber: true,
				Org: "Acme", Language: "fr"}, ""},
		{"bad span", "link_expiry: 7days\n", Links{}, "not a duration like 7d"},
		{"reminder past expiry", "link_expiry: 2d\nlink_reminders: [3d]\n", Links{}, "link_reminders"},
		{"language", "language: de\n", Links{}, "write fr or en"},
	})
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
