package ledger

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// addLink issues and stores the link of item it in b, expiring an hour after hookT0,
// and reads it back as stored.
func addLink(t *testing.T, st *Store, b batch.Batch, it batch.Item) batch.Link {
	t.Helper()
	ctx := context.Background()
	l, err := batch.NewLink(b, it, hookT0, time.Hour, false)
	require.NoError(t, err)
	_, err = st.AddLinks(ctx, []batch.Link{l}, "awa")
	require.NoError(t, err)
	l, err = st.Link(ctx, l.ID)
	require.NoError(t, err)
	return l
}

// An expired link gives link.expired in the webhooks outbox, in the same
// transaction, and the batch whose last open item it was completes.
func TestExpiredLinkIsSentAsLinkExpired(t *testing.T) {
	t.Parallel()
	st := openTemp(t)
	ctx := context.Background()
	b, items := seed(t, st, 2)
	pay(t, st, b, batch.Succeeded)
	it := items[1]
	stored, err := st.Items(ctx, b.ID, batch.Planned)
	require.NoError(t, err)
	require.Len(t, stored, 1)
	l := addLink(t, st, b, stored[0])
	require.NoError(t, st.ExpireLink(ctx, l, "cron"))

	assert.Equal(t, []string{"batch.planned", "batch.started", "item.succeeded", "link.expired", "batch.completed"}, outboxTypes(t, st))
	list, err := st.List(ctx, 10)
	require.NoError(t, err)
	for _, e := range list {
		if e.Type != "link.expired" {
			continue
		}
		var obj map[string]any
		require.NoError(t, json.Unmarshal(e.Object, &obj))
		assert.NotContains(t, string(e.Object), l.ID, "the link's id opens its claim page: never sent")
		assert.Equal(t, it.Reference, obj["reference"])
		assert.Equal(t, "expired", obj["status"])
		assert.Equal(t, "2026-11-25T09:00:00Z", obj["expires_at"])
		assert.NotContains(t, string(e.Object), "code")
	}
}

// A claimed link gives link.claimed in the webhooks outbox.
func TestClaimedLinkIsSentAsLinkClaimed(t *testing.T) {
	t.Parallel()
	// claimed ten minutes after the link was made, whatever the day the test runs
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"),
		WithClock(func() time.Time { return hookT0.Add(10 * time.Minute) }))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	b, _ := seed(t, st, 1)
	stored, err := st.Items(ctx, b.ID)
	require.NoError(t, err)
	l := addLink(t, st, b, stored[0])
	claimed := l
	claimed.Status, claimed.ClaimedAt, claimed.ClaimMode, claimed.ClaimPhone = batch.LinkClaimed, hookT0, batch.ModeMobileMoney, l.Phone
	it := stored[0]
	require.NoError(t, st.ClaimLink(ctx, claimed, it, "203.0.113.9"))
	assert.Equal(t, []string{"batch.planned", "link.claimed"}, outboxTypes(t, st))
	list, err := st.List(ctx, 10)
	require.NoError(t, err)
	var obj map[string]any
	require.NoError(t, json.Unmarshal(list[0].Object, &obj))
	assert.Equal(t, "claimed", obj["status"])
	assert.Equal(t, "mobile_money", obj["mode"])
	assert.Equal(t, it.Reference, obj["reference"])
}

// BenchmarkIssueLinks issues the links of a 10,000-row batch paid by link, as
// planning it does, in one transaction.
func BenchmarkIssueLinks(b *testing.B) {
	const n = 10000
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		st, bt := benchLedgerPaying(b, n, batch.ModeLink)
		b.StartTimer()
		got, err := batch.IssueLinks(ctx, st, st, bt, hookT0, 7*24*time.Hour, false, "bench")
		if err != nil || got != n {
			b.Fatal(got, err)
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
}
