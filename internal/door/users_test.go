package door

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

func TestNewUserChecksNameAndRoleBeforeThePassword(t *testing.T) {
	t.Parallel()
	asked := false
	hash := func() (string, error) { asked = true; return "", nil }
	_, err := NewUser(context.Background(), nil, "root", "ada", "boss", hash, time.Now())
	require.ErrorIs(t, err, batch.ErrInvalid)
	assert.False(t, asked, "no password is asked for a user that cannot be added")
}
