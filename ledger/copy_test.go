package ledger

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/identity"
	"bulkpay/internal/testsupport/pgtest"
)

// TestCopyMovesASQLiteLedgerToPostgres: a paid batch, its trail, the webhook
// outbox and the users are copied with their ids, checked item by item, and
// the copy goes on giving new ids after the copied ones; a second copy into
// the same target is refused.
func TestCopyMovesASQLiteLedgerToPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgtest.PostgresDSN(t)
	from := openAt(t, filepath.Join(t.TempDir(), "bulkpay.db"))
	b, _ := seed(t, from, 4)
	pay(t, from, b, batch.Succeeded, batch.Failed, batch.Pending)
	_, err := from.AddUser(ctx, identity.User{Name: "awa", Role: identity.Approver, PasswordHash: "h", Created: time.Now()})
	require.NoError(t, err)
	require.NoError(t, from.RememberContacts(ctx, "campay", []string{"237677123450"}))
	wantOutbox := outboxTypes(t, from)
	wantEvents, err := from.Events(ctx, b.ID, 0)
	require.NoError(t, err)

	to := openAt(t, dsn)
	rep, err := Copy(ctx, from, to)
	require.NoError(t, err)
	assert.Empty(t, rep.Differences)
	assert.Equal(t, 4, rep.Items)
	counts := map[string]TableCount{}
	for _, c := range rep.Tables {
		counts[c.Table] = c
	}
	assert.Equal(t, TableCount{Table: "items", Source: 4, Copy: 4}, counts["items"])
	assert.Equal(t, TableCount{Table: "attempts", Source: 3, Copy: 3}, counts["attempts"])
	assert.Equal(t, TableCount{Table: "users", Source: 1, Copy: 1}, counts["users"])
	assert.Equal(t, TableCount{Table: "contacts", Source: 1, Copy: 1}, counts["contacts"])

	got, err := to.Batch(ctx, b.Reference)
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID)
	gotEvents, err := to.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	assert.Equal(t, wantEvents, gotEvents, "the trail as it was, ids and times")
	assert.Equal(t, wantOutbox, outboxTypes(t, to), "the outbox copied, not filled again by its triggers")
	u, err := to.User(ctx, "awa")
	require.NoError(t, err)
	assert.Equal(t, identity.Approver, u.Role)

	// the copy is a ledger that goes on: new ids come after the copied ones
	claims, err := to.Claim(ctx, b.ID, "campay", 1)
	require.NoError(t, err)
	require.Len(t, claims, 1)
	assert.Greater(t, claims[0].AttemptID, int64(3))
	b2 := batch.Batch{Reference: "b-2", SheetHash: "h2", SheetName: "s2.xlsx", Currency: "XAF", TotalAmount: 1000}
	require.NoError(t, to.CreateBatch(ctx, &b2, []batch.Item{{Row: 2, Name: "N", Phone: "237677000000", Country: "CM", Operator: "MTN",
		Mode: batch.ModeMobileMoney, Amount: 1000, Reference: "ref-new", Provider: "campay"}}))
	assert.Greater(t, b2.ID, b.ID)

	_, err = Copy(ctx, from, to)
	require.ErrorIs(t, err, ErrTargetNotEmpty)
	assert.Contains(t, err.Error(), "search_path")
}

// TestCopyCheckFindsADifference: an item changed in the copy is named.
func TestCopyCheckFindsADifference(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from := openAt(t, filepath.Join(t.TempDir(), "bulkpay.db"))
	b, _ := seed(t, from, 2)
	pay(t, from, b, batch.Succeeded)
	to := openAt(t, pgtest.PostgresDSN(t))
	_, err := Copy(ctx, from, to)
	require.NoError(t, err)
	_, err = to.db.ExecContext(ctx, `UPDATE items SET amount = 999 WHERE reference = 'ref-a'`)
	require.NoError(t, err)

	src, err := from.db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer src.Rollback()
	tables, err := sourceTables(ctx, src)
	require.NoError(t, err)
	var rep CopyReport
	require.NoError(t, compare(ctx, src, to, tables, &rep))
	require.Len(t, rep.Differences, 1)
	assert.Contains(t, rep.Differences[0], "amount 1000")
	assert.Contains(t, rep.Differences[0], "amount 999")
}
