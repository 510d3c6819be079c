package ledger

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// TestCancelledMigrationWidensTheStateCheck opens a ledger made before items
// could be cancelled: the migration lets an item become cancelled, still
// refuses a state the machine does not know, and leaves the file sound.
func TestCancelledMigrationWidensTheStateCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	hist, err := history()
	require.NoError(t, err)
	old, err := sql.Open("sqlite3", DSN(path))
	require.NoError(t, err)
	version := 0
	for _, m := range hist {
		name := m.name
		if strings.HasSuffix(name, "_cancelled.sql") {
			break
		}
		body, err := migrations.ReadFile(name)
		require.NoError(t, err)
		_, err = old.ExecContext(ctx, string(body))
		require.NoError(t, err, name)
		version++
	}
	_, err = old.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(version))
	require.NoError(t, err)
	require.NoError(t, old.Close())

	st, err := Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	b, items := seed(t, st, 2)
	require.NoError(t, st.Apply(ctx, batch.Change{ItemID: items[0].ID, From: batch.Planned, To: batch.Cancelled,
		Cause: batch.CauseCancelled, Actor: "awa"}))
	got, err := st.Items(ctx, b.ID, batch.Cancelled)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, items[0].ID, got[0].ID)

	_, err = st.db.ExecContext(ctx, "UPDATE items SET state = 'lost' WHERE id = ?", items[1].ID)
	require.Error(t, err, "a state the machine does not know is still refused")
	assert.Contains(t, err.Error(), "CHECK constraint failed")
	check, err := st.Pragma(ctx, "integrity_check")
	require.NoError(t, err)
	assert.Equal(t, "ok", check)
}
