package sandbox

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLoginGood(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		user, pass, wantUser, wantPass string
		good                           bool
	}{
		{"u", "p", "", "", true},
		{"u", "", "", "", false},
		{"", "p", "", "", false},
		{"u", "p", "u", "p", true},
		{"u", "wrong", "u", "p", false},
		{"other", "p", "u", "p", false},
		{"", "p", "", "p", true}, // configured as an empty user and a password
	} {
		assert.Equal(t, tc.good, loginGood(tc.user, tc.pass, tc.wantUser, tc.wantPass), "%+v", tc)
	}
}
