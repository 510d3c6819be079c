package ledger

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/identity"
)

// TestAuditTrailKeepsUserChangesWithTheirActor: adding and disabling a user
// record who did it in the same transaction (a refused change records
// nothing); the trail reads newest first, and is append-only.
func TestAuditTrailKeepsUserChangesWithTheirActor(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st := openAt(t, loc)
		t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		added := identity.AuditEntry{At: t0, Actor: "dana", Action: identity.AuditUserAdded, Subject: "eve", Detail: "approver"}
		_, err := st.AddUserAudited(ctx, identity.User{Name: "eve", Role: identity.Approver, PasswordHash: "h", Created: t0}, added)
		require.NoError(t, err)
		_, err = st.AddUserAudited(ctx, identity.User{Name: "eve", Role: identity.Admin, PasswordHash: "h", Created: t0},
			identity.AuditEntry{At: t0, Actor: "dana", Action: identity.AuditUserAdded, Subject: "eve", Detail: "admin"})
		require.ErrorIs(t, err, identity.ErrExists)
		disabled := identity.AuditEntry{At: t0.Add(time.Minute), Actor: "dana", Action: identity.AuditUserDisabled, Subject: "eve"}
		require.NoError(t, st.DisableUserAudited(ctx, "eve", disabled))
		require.ErrorIs(t, st.DisableUserAudited(ctx, "nobody", identity.AuditEntry{At: t0, Actor: "dana", Action: identity.AuditUserDisabled,
			Subject: "nobody"}), identity.ErrNotFound)
		locked := identity.AuditEntry{At: t0.Add(2 * time.Minute), Action: identity.AuditLocked, Subject: "awa", Detail: "192.0.2.7"}
		require.NoError(t, st.RecordAudit(ctx, locked))

		u, err := st.User(ctx, "eve")
		require.NoError(t, err)
		assert.True(t, u.Disabled)
		all, err := st.Audit(ctx, 10)
		require.NoError(t, err)
		assert.Equal(t, []identity.AuditEntry{locked, disabled, added}, all, "newest first, refused changes not recorded")
		two, err := st.Audit(ctx, 2)
		require.NoError(t, err)
		assert.Equal(t, all[:2], two)

		_, err = st.db.Exec(`UPDATE audit SET actor = 'someone else'`)
		require.ErrorContains(t, err, "append-only")
		_, err = st.db.Exec(`DELETE FROM audit`)
		require.ErrorContains(t, err, "append-only")
	})
}
