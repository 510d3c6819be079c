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

func TestUsersKeysSessionsAndFailures(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st := openAt(t, loc)
		now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

		awa, err := st.AddUser(ctx, identity.User{Name: "awa", Role: identity.Initiator, PasswordHash: "h1", Created: now})
		require.NoError(t, err)
		_, err = st.AddUser(ctx, identity.User{Name: "awa", Role: identity.Approver, PasswordHash: "h2", Created: now})
		assert.ErrorIs(t, err, identity.ErrExists)
		_, err = st.AddUser(ctx, identity.User{Name: "bob", Role: "boss", PasswordHash: "h2", Created: now})
		assert.Error(t, err, "the ledger refuses an unknown role")
		_, err = st.AddUser(ctx, identity.User{Name: "bob", Role: identity.Approver, PasswordHash: "h2", Created: now})
		require.NoError(t, err)

		got, err := st.User(ctx, "awa")
		require.NoError(t, err)
		assert.Equal(t, awa, got)
		_, err = st.User(ctx, "nobody")
		assert.ErrorIs(t, err, identity.ErrNotFound)
		all, err := st.Users(ctx)
		require.NoError(t, err)
		assert.Equal(t, []string{"awa", "bob"}, []string{all[0].Name, all[1].Name})

		require.NoError(t, st.AddAPIKey(ctx, "bob", "keyhash", now))
		assert.ErrorIs(t, st.AddAPIKey(ctx, "nobody", "other", now), identity.ErrNotFound)
		u, err := st.UserByAPIKey(ctx, "keyhash")
		require.NoError(t, err)
		assert.Equal(t, "bob", u.Name)
		_, err = st.UserByAPIKey(ctx, "nokey")
		assert.ErrorIs(t, err, identity.ErrNotFound)

		se := identity.Session{TokenHash: "tok", UserID: awa.ID, CSRF: "csrf", Created: now, Expires: now.Add(time.Hour)}
		require.NoError(t, st.CreateSession(ctx, se))
		gotSe, gotU, err := st.Session(ctx, "tok", now.Add(time.Minute))
		require.NoError(t, err)
		assert.Equal(t, se, gotSe)
		assert.Equal(t, "awa", gotU.Name)
		_, _, err = st.Session(ctx, "tok", now.Add(time.Hour))
		assert.ErrorIs(t, err, identity.ErrNotFound, "an expired session is no session")

		require.NoError(t, st.SetPassword(ctx, "awa", "h3"))
		_, _, err = st.Session(ctx, "tok", now.Add(time.Minute))
		assert.ErrorIs(t, err, identity.ErrNotFound, "a new password ends the sessions")
		got, err = st.User(ctx, "awa")
		require.NoError(t, err)
		assert.Equal(t, "h3", got.PasswordHash)

		require.NoError(t, st.CreateSession(ctx, se))
		require.NoError(t, st.DisableUser(ctx, "awa"))
		_, _, err = st.Session(ctx, "tok", now.Add(time.Minute))
		assert.ErrorIs(t, err, identity.ErrNotFound, "disabling ends the sessions")
		got, err = st.User(ctx, "awa")
		require.NoError(t, err)
		assert.True(t, got.Disabled)
		assert.ErrorIs(t, st.DisableUser(ctx, "nobody"), identity.ErrNotFound)

		require.NoError(t, st.CreateSession(ctx, identity.Session{TokenHash: "t2", UserID: awa.ID, CSRF: "c", Created: now, Expires: now.Add(time.Hour)}))
		require.NoError(t, st.DeleteSession(ctx, "t2", now))
		_, _, err = st.Session(ctx, "t2", now)
		assert.ErrorIs(t, err, identity.ErrNotFound)

		for i := range 3 {
			require.NoError(t, st.RecordLoginFailure(ctx, "bob", "10.0.0.1", now.Add(time.Duration(i)*time.Minute)))
		}
		n, last, err := st.LoginFailures(ctx, "bob", now.Add(30*time.Second))
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		assert.Equal(t, now.Add(2*time.Minute), last)
		require.NoError(t, st.ClearLoginFailures(ctx, "bob"))
		n, _, err = st.LoginFailures(ctx, "bob", now.Add(-time.Hour))
		require.NoError(t, err)
		assert.Zero(t, n)

		// old failures are forgotten as new ones come, expired sessions as new ones begin
		require.NoError(t, st.RecordLoginFailure(ctx, "bob", "10.0.0.1", now))
		require.NoError(t, st.RecordLoginFailure(ctx, "carl", "10.0.0.1", now.Add(KeepLoginFailures+time.Minute)))
		n, _, err = st.LoginFailures(ctx, "bob", time.Time{})
		require.NoError(t, err)
		assert.Zero(t, n)
		require.NoError(t, st.CreateSession(ctx, identity.Session{TokenHash: "old", UserID: awa.ID, CSRF: "c", Created: now, Expires: now.Add(time.Hour)}))
		require.NoError(t, st.CreateSession(ctx, identity.Session{TokenHash: "new", UserID: awa.ID, CSRF: "c", Created: now.Add(2 * time.Hour), Expires: now.Add(3 * time.Hour)}))
		var left int
		require.NoError(t, st.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&left))
		assert.Equal(t, 1, left)
	})
}

func TestNoteByRecordsTheActor(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		st := openAt(t, loc)
		b := batch.Batch{Reference: "b1", Currency: "XAF", CreatedBy: "awa", PlanHash: "h"}
		require.NoError(t, st.CreateBatch(ctx, &b, []batch.Item{{Row: 2, Name: "A", Phone: "237677000001", Country: "CM", Operator: "MTN",
			Mode: batch.ModeMobileMoney, Amount: 1000, Reference: "r1", Provider: "campay", State: batch.Planned}}))
		require.NoError(t, st.NoteBy(ctx, b.ID, "run started", "from the web app", "awa"))
		events, err := st.Events(ctx, b.ID, 0)
		require.NoError(t, err)
		last := events[len(events)-1]
		assert.Equal(t, "run started", last.Cause)
		assert.Equal(t, "awa", last.Actor)
		assert.ErrorIs(t, st.NoteBy(ctx, b.ID+1, "x", "y", "awa"), batch.ErrBatchNotFound)
	})
}
