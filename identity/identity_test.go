package identity_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/identity"
)

func TestPasswordHashVerifies(t *testing.T) {
	t.Parallel()
	h, err := identity.HashPassword("correct horse battery")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$"), h)
	assert.NotContains(t, h, "correct horse")
	assert.True(t, identity.VerifyPassword(h, "correct horse battery"))
	assert.False(t, identity.VerifyPassword(h, "correct horse batterY"))
	assert.False(t, identity.VerifyPassword("", "correct horse battery"), "an unknown user never matches")
	assert.False(t, identity.VerifyPassword("$argon2id$v=19$m=x$$", "correct horse battery"))
	h2, err := identity.HashPassword("correct horse battery")
	require.NoError(t, err)
	assert.NotEqual(t, h, h2, "each hash has its own salt")
}

// A hash names its cost: one made at another cost than Standard (a test
// server's) is verified by either, and still refuses a short password.
func TestAHashKeepsItsCost(t *testing.T) {
	t.Parallel()
	light := identity.Argon2id{Memory: 8, Time: 1}
	h, err := light.Hash("correct horse battery")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=8,t=1,p=1$"), h)
	assert.True(t, light.Verify(h, "correct horse battery"))
	assert.True(t, identity.VerifyPassword(h, "correct horse battery"), "the cost is read from the hash")
	assert.False(t, light.Verify(h, "correct horse batterY"))
	assert.False(t, light.Verify("", "correct horse battery"), "an unknown user never matches")
	_, err = light.Hash("short")
	assert.ErrorIs(t, err, identity.ErrInvalid)
}

func TestPasswordAndNameRules(t *testing.T) {
	t.Parallel()
	_, err := identity.HashPassword("short")
	assert.ErrorIs(t, err, identity.ErrInvalid)
	for name, ok := range map[string]bool{"awa": true, "awa.n-2_x": true, "Awa": false, " awa": false, "": false, "a b": false,
		strings.Repeat("a", 64): true, strings.Repeat("a", 65): false} {
		assert.Equal(t, ok, identity.CheckName(name) == nil, name)
	}
	r, err := identity.ParseRole("Approver")
	require.NoError(t, err)
	assert.Equal(t, identity.Approver, r)
	_, err = identity.ParseRole("boss")
	assert.ErrorIs(t, err, identity.ErrInvalid)
}

func TestTokensAreRandomAndStoredHashed(t *testing.T) {
	t.Parallel()
	p1, h1, err := identity.NewToken("bpk_")
	require.NoError(t, err)
	p2, h2, err := identity.NewToken("bpk_")
	require.NoError(t, err)
	assert.NotEqual(t, p1, p2)
	assert.True(t, strings.HasPrefix(p1, "bpk_"))
	assert.Equal(t, h1, identity.TokenHash(p1))
	assert.NotEqual(t, h1, h2)
	assert.NotContains(t, h1, p1[4:])
	assert.True(t, identity.Equal(h1, identity.TokenHash(p1)))
	assert.False(t, identity.Equal(h1, h2))
}

func TestCheckUser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, role string
		want       identity.Role
		bad        string // in the error
	}{
		{name: "awa", role: "Approver ", want: identity.Approver},
		{name: "awa", role: "boss", bad: "role"},
		{name: "Awa", role: "admin", bad: "user name"},
		{name: "Awa", role: "boss", bad: "role"}, // the role is read first
	} {
		r, err := identity.CheckUser(tc.name, tc.role)
		if tc.bad != "" {
			require.ErrorIs(t, err, identity.ErrInvalid)
			assert.Contains(t, err.Error(), tc.bad)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, r)
	}
}
