package ledger

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/identity"
)

func TestIdempotencyKeysAndProfitHistory(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st := openAt(t, loc)
		now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		awa, err := st.AddUser(ctx, identity.User{Name: "awa", Role: identity.Initiator, PasswordHash: "h", Created: now})
		require.NoError(t, err)
		bob, err := st.AddUser(ctx, identity.User{Name: "bob", Role: identity.Approver, PasswordHash: "h", Created: now})
		require.NoError(t, err)

		_, found, err := st.ClaimKey(ctx, awa.ID, "k1", "hash-1", now)
		require.NoError(t, err)
		assert.False(t, found, "the first request with the key")
		kept, found, err := st.ClaimKey(ctx, awa.ID, "k1", "hash-1", now)
		require.NoError(t, err)
		assert.True(t, found)
		assert.Equal(t, identity.Replay{RequestHash: "hash-1", Body: []byte{}}, kept, "still being answered")
		_, found, err = st.ClaimKey(ctx, bob.ID, "k1", "hash-2", now)
		require.NoError(t, err)
		assert.False(t, found, "each user's keys are the user's own")

		answer := identity.Replay{RequestHash: "hash-1", Status: 201, ContentType: "application/json", Body: []byte(`{"id": "x"}`)}
		require.NoError(t, st.SaveReplay(ctx, awa.ID, "k1", answer))
		kept, found, err = st.ClaimKey(ctx, awa.ID, "k1", "hash-other", now)
		require.NoError(t, err)
		assert.True(t, found)
		assert.Equal(t, answer, kept, "the answer kept, with the first request's hash")
		require.NoError(t, st.ReleaseKey(ctx, awa.ID, "k1"))
		_, found, err = st.ClaimKey(ctx, awa.ID, "k1", "hash-1", now)
		require.NoError(t, err)
		assert.True(t, found, "an answered key is never released")

		require.NoError(t, st.ReleaseKey(ctx, bob.ID, "k1"))
		_, found, err = st.ClaimKey(ctx, bob.ID, "k1", "hash-3", now)
		require.NoError(t, err)
		assert.False(t, found, "a key whose request got no answer is released")

		v1, err := st.SetProfitConfig(ctx, batch.ProfitConfig{Name: batch.FeeMobileMoney, Fee: 100}, "dana", now)
		require.NoError(t, err)
		v2, err := st.SetProfitConfig(ctx, batch.ProfitConfig{Name: batch.FeeMobileMoney, Percentage: "1.5", UsePercentage: true, Currency: "XAF"},
			"erin", now.Add(time.Hour))
		require.NoError(t, err)
		hist, err := st.ProfitHistory(ctx)
		require.NoError(t, err)
		assert.Equal(t, []ProfitVersion{v1, v2}, hist, "every version, oldest first")
		assert.Equal(t, "erin", hist[1].UpdatedBy)
	})
}
