package batchtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// links is the store's LinkStore; a store without links skips the test.
func (f *fixture) links() batch.LinkStore {
	f.t.Helper()
	ls, ok := f.st.(batch.LinkStore)
	if !ok {
		f.t.Skip("the store keeps no links yet")
	}
	return ls
}

// linkBatch stores a batch of n items paid by link and their links.
func (f *fixture) linkBatch(ref string, n int) (batch.Batch, []batch.Item, []batch.Link) {
	f.t.Helper()
	ls := f.links()
	b, items := newBatch(ref, n)
	for i := range items {
		items[i].Mode = batch.ModeLink
	}
	require.NoError(f.t, f.st.CreateBatch(f.ctx, &b, items))
	items = f.items(b)
	links := make([]batch.Link, len(items))
	for i, it := range items {
		l, err := batch.NewLink(b, it, f.clock.Now(), 7*24*time.Hour, i == 0)
		require.NoError(f.t, err)
		links[i] = l
	}
	added, err := ls.AddLinks(f.ctx, links, "awa")
	require.NoError(f.t, err)
	require.Equal(f.t, n, added)
	got, err := ls.Links(f.ctx, b.ID)
	require.NoError(f.t, err)
	return b, items, got
}

func testLinks(t *testing.T, f *fixture) {
	ls := f.links()
	b, items, links := f.linkBatch("links", 3)
	require.Len(t, links, 3)
	l := links[0]
	assert.Equal(t, items[0].ID, l.ItemID)
	assert.Equal(t, b.ID, l.BatchID)
	assert.Equal(t, items[0].Row, l.Row)
	assert.Equal(t, batch.LinkSent, l.Status)
	assert.Equal(t, batch.Planned, l.ItemState)
	assert.True(t, l.OtherOK)
	assert.False(t, links[1].OtherOK)
	assert.Equal(t, "XAF", l.Currency)
	assert.Equal(t, f.clock.Now().Add(7*24*time.Hour).UTC().Round(0), l.ExpiresAt)
	assert.Equal(t, int64(1), l.Version)

	// issued again: every item keeps its link
	again, err := batch.NewLink(b, items[0], f.clock.Now(), time.Hour, false)
	require.NoError(t, err)
	n, err := ls.AddLinks(f.ctx, []batch.Link{again}, "awa")
	require.NoError(t, err)
	assert.Zero(t, n)
	_, err = ls.Link(f.ctx, again.ID)
	require.ErrorIs(t, err, batch.ErrLinkNotFound)

	// no run claims an item whose link is not claimed
	claims, err := f.st.Claim(f.ctx, b.ID, "campay", 10)
	require.NoError(t, err)
	assert.Empty(t, claims)

	// a change is conditional on the version read, and keeps what it says
	now := f.tick()
	next := l
	next.InvitedAt, next.Reminders = now, 1
	next.CodeHash, next.CodeSalt, next.CodeExpires, next.CodeSentAt = "h", "s", now.Add(10*time.Minute), now
	next.CodeRequests, next.CodeWindow, next.Attempts = 2, now, 3
	next.LockedUntil, next.Locks, next.Review = now.Add(time.Hour), 2, true
	msg := batch.Message{LinkID: l.ID, BatchID: b.ID, Kind: batch.MessageInvitation, Channel: batch.ChannelSMS, To: l.Phone,
		At: now, Cost: 15, Charge: 25, Reference: "ref-1"}
	require.NoError(t, ls.UpdateLink(f.ctx, next, batch.CauseLinkSent, "invitation by sms", "cron", msg))
	require.ErrorIs(t, ls.UpdateLink(f.ctx, next, batch.CauseLinkSent, "again", "cron"), batch.ErrStale, "an old version")
	got, err := ls.Link(f.ctx, l.ID)
	require.NoError(t, err)
	want := next
	want.Version, want.UpdatedAt = 2, now.UTC().Round(0)
	for _, p := range []*time.Time{&want.InvitedAt, &want.CodeExpires, &want.CodeSentAt, &want.CodeWindow, &want.LockedUntil} {
		*p = p.UTC().Round(0)
	}
	assert.Equal(t, want, got)
	ev := f.events(b, l.ItemID)
	assert.Equal(t, batch.CauseLinkSent, ev[len(ev)-1].Cause)
	assert.Equal(t, "cron", ev[len(ev)-1].Actor)

	require.NoError(t, ls.RecordMessages(f.ctx, batch.Message{LinkID: l.ID, BatchID: b.ID, Kind: batch.MessageCode,
		Channel: batch.ChannelSMS, To: l.Phone, At: now, Error: "down"}))
	msgs, err := ls.Messages(f.ctx, b.ID)
	require.NoError(t, err)
	require.Len(t, msgs, 2)
	msg.ID, msg.At = msgs[0].ID, now.UTC().Round(0)
	assert.Equal(t, msg, msgs[0])
	assert.Equal(t, "down", msgs[1].Error)

	sent, err := ls.Links(f.ctx, 0, batch.LinkSent)
	require.NoError(t, err)
	assert.Len(t, sent, 3, "every batch's")
	none, err := ls.Links(f.ctx, b.ID, batch.LinkClaimed)
	require.NoError(t, err)
	assert.Empty(t, none)
}

func testLinkClaimAndExpiry(t *testing.T, f *fixture) {
	ls := f.links()
	b, items, links := f.linkBatch("link-claims", 2)
	now := f.tick()
	claimed := links[0]
	claimed.Status, claimed.ClaimedAt, claimed.ClaimMode, claimed.ClaimPhone = batch.LinkClaimed, now, batch.ModeMobileMoney, "237699000001"
	it := items[0]
	it.Mode, it.Phone, it.Operator, it.Provider, it.Route = batch.ModeMobileMoney, "237699000001", "Orange", "cinetpay", []string{"cinetpay", "campay"}
	require.NoError(t, ls.ClaimLink(f.ctx, claimed, it, "203.0.113.9"))
	require.ErrorIs(t, ls.ClaimLink(f.ctx, claimed, it, "x"), batch.ErrStale, "claimed once")
	require.ErrorIs(t, ls.ExpireLink(f.ctx, claimed, "cron"), batch.ErrStale, "a claimed link never expires")

	got, err := ls.Link(f.ctx, links[0].ID)
	require.NoError(t, err)
	assert.Equal(t, batch.LinkClaimed, got.Status)
	assert.Equal(t, "237699000001", got.ClaimPhone)
	stored := f.items(b)[0]
	assert.Equal(t, "237699000001", stored.Phone)
	assert.Equal(t, "Orange", stored.Operator)
	assert.Equal(t, []string{"cinetpay", "campay"}, stored.Route)
	assert.Equal(t, items[0].Reference, stored.Reference, "the same payout reference")
	claims, err := f.st.Claim(f.ctx, b.ID, "cinetpay", 10)
	require.NoError(t, err)
	require.Len(t, claims, 1, "the claimed item is paid by a run")
	assert.Equal(t, stored.ID, claims[0].Item.ID)
	f.moveTo(claims[0], batch.Succeeded)
	got, err = ls.Link(f.ctx, links[0].ID)
	require.NoError(t, err)
	assert.Equal(t, batch.LinkProcessed, got.Shown())

	f.tick()
	require.NoError(t, ls.ExpireLink(f.ctx, links[1], "cron"))
	require.ErrorIs(t, ls.ExpireLink(f.ctx, links[1], "cron"), batch.ErrStale, "expired once")
	got, err = ls.Link(f.ctx, links[1].ID)
	require.NoError(t, err)
	assert.Equal(t, batch.LinkExpired, got.Status)
	assert.Equal(t, batch.Cancelled, got.ItemState, "no money: cancelled")
	ev := f.events(b, links[1].ItemID)
	last := ev[len(ev)-1]
	assert.Equal(t, batch.CauseLinkExpired, ev[len(ev)-2].Cause, "the link's event, then its item's")
	assert.Equal(t, batch.Planned, last.From)
	assert.Equal(t, batch.Cancelled, last.To)
	assert.Equal(t, "cron", last.Actor)
	_, err = ls.Link(f.ctx, "no-such-link")
	require.ErrorIs(t, err, batch.ErrLinkNotFound)
}

func testLinkReopen(t *testing.T, f *fixture) {
	ls := f.links()
	b, items, links := f.linkBatch("link-reopen", 2)
	var claims []batch.Claim
	for i, l := range links {
		claimed := l
		claimed.Status, claimed.ClaimedAt, claimed.ClaimMode, claimed.ClaimPhone = batch.LinkClaimed, f.clock.Now(), batch.ModeMobileMoney, l.Phone
		it := items[i]
		it.Mode = batch.ModeMobileMoney
		require.NoError(t, ls.ClaimLink(f.ctx, claimed, it, "x"))
	}
	claims, err := f.st.Claim(f.ctx, b.ID, "campay", 10)
	require.NoError(t, err)
	require.Len(t, claims, 2)
	f.moveTo(claims[0], batch.Failed)
	f.moveTo(claims[1], batch.Unknown) // in doubt

	now := f.tick()
	p, err := batch.PlanRetry(f.ctx, f.st, b, f.items(b), "ama")
	require.NoError(t, err)
	require.Len(t, p.Items, 1, "only the definite failure is retried")
	retry := p.Items[0]
	assert.Equal(t, batch.ModeLink, retry.Mode, "paid again through its link")

	got, err := ls.Link(f.ctx, links[0].ID)
	require.NoError(t, err)
	assert.Equal(t, batch.LinkSent, got.Status, "reopened")
	assert.Equal(t, p.Batch.ID, got.BatchID)
	assert.Equal(t, retry.ID, got.ItemID)
	assert.Equal(t, batch.Planned, got.ItemState)
	assert.True(t, got.InvitedAt.IsZero(), "invited again")
	assert.Empty(t, got.ClaimMode)
	assert.Equal(t, now.Add(7*24*time.Hour).UTC().Round(0), got.ExpiresAt, "as long as it was given at first")
	assert.Equal(t, batch.Failed, f.items(b)[0].State, "the failed item stays failed")
	claims, err = f.st.Claim(f.ctx, p.Batch.ID, "campay", 10)
	require.NoError(t, err)
	assert.Empty(t, claims, "the retry item waits for the link to be claimed again")

	require.ErrorIs(t, ls.ReopenLink(f.ctx, got, retry, "x"), batch.ErrStale, "not claimed")
	doubt, err := ls.Link(f.ctx, links[1].ID)
	require.NoError(t, err)
	require.ErrorIs(t, ls.ReopenLink(f.ctx, doubt, retry, "x"), batch.ErrStale, "never while in doubt")
	again, err := ls.Link(f.ctx, links[1].ID)
	require.NoError(t, err)
	assert.Equal(t, batch.LinkClaimed, again.Status)
	assert.Equal(t, items[1].ID, again.ItemID)
}
