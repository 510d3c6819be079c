package ledger

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// A run records the config's approval rules before it asks for the batch's
// lock: when the batch already holds them, it writes nothing (no commit, no
// checkpoint to contend with the run that holds the batch).
func TestApprovalRulesAlreadyHeldWriteNothing(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st := openAt(t, loc)
		b, _ := seed(t, st, 1)
		require.NoError(t, st.RecordPolicy(ctx, b.ID, batch.Policy{RequireApproval: true}, "root"))
		events, err := st.Events(ctx, b.ID, 0)
		require.NoError(t, err)

		before := st.Stats()
		require.NoError(t, st.RecordPolicy(ctx, b.ID, batch.Policy{RequireApproval: true}, "root"))
		require.NoError(t, st.RecordPolicy(ctx, b.ID, batch.Policy{}, "root"))
		assert.Equal(t, before, st.Stats(), "no commit, no checkpoint")
		after, err := st.Events(ctx, b.ID, 0)
		require.NoError(t, err)
		assert.Equal(t, events, after)

		require.NoError(t, st.RecordPolicy(ctx, b.ID, batch.Policy{FourEyes: true}, "root"))
		assert.Equal(t, before.Commits+1, st.Stats().Commits, "stricter rules are recorded")
		got, err := st.Batch(ctx, b.Reference)
		require.NoError(t, err)
		assert.Equal(t, batch.Policy{RequireApproval: true, FourEyes: true}, got.Policy)
	})
}
