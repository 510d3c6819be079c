package batchtest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"bulkpay/batch"
)

var _ batch.LinkStore = (*Memory)(nil)

// linkEvent appends an event to a link's item. Called with m.mu held.
func (m *Memory) linkEvent(l batch.Link, cause, detail, actor string) {
	m.appendEvent(batch.Event{BatchID: l.BatchID, ItemID: l.ItemID, Cause: cause, Detail: detail, Actor: actor}, m.stamp())
}

// AddLinks implements batch.LinkStore.
func (m *Memory) AddLinks(ctx context.Context, links []batch.Link, actor string) (n int, err error) {
	err = m.call("AddLinks", "add links", func() error {
		if m.links == nil {
			m.links, m.linkOf = map[string]*batch.Link{}, map[int64]string{}
		}
		for _, l := range links {
			it, err := m.item(l.ItemID)
			if err != nil {
				return err
			}
			if it.BatchID != l.BatchID {
				return fmt.Errorf("link of item %d: not an item of batch %d", l.ItemID, l.BatchID)
			}
			if _, ok := m.links[l.ID]; ok {
				return fmt.Errorf("link id used twice")
			}
		}
		now := m.stamp()
		for _, l := range links {
			if _, ok := m.linkOf[l.ItemID]; ok {
				continue
			}
			l.Status, l.Version, l.CreatedAt, l.UpdatedAt = batch.LinkSent, 1, now, now
			l.ExpiresAt = utc(l.ExpiresAt)
			m.links[l.ID] = &l
			m.linkOf[l.ItemID] = l.ID
			m.linkEvent(l, batch.CauseLinkIssued, "expires "+batch.Stamp(l.ExpiresAt), actor)
			n++
		}
		return nil
	})
	return n, err
}

// withItem is a stored link with its item's state. Called with m.mu held.
func (m *Memory) withItem(l batch.Link) batch.Link {
	l.ItemState = m.items[l.ItemID-1].State
	return l
}

// Link implements batch.LinkStore.
func (m *Memory) Link(ctx context.Context, id string) (out batch.Link, err error) {
	err = m.call("Link", "read link", func() error {
		l, ok := m.links[id]
		if !ok {
			return batch.ErrLinkNotFound
		}
		out = m.withItem(*l)
		return nil
	})
	return out, err
}

// Links implements batch.LinkStore.
func (m *Memory) Links(ctx context.Context, batchID int64, statuses ...batch.LinkStatus) (out []batch.Link, err error) {
	err = m.call("Links", "read links", func() error {
		for _, l := range m.links {
			if (batchID == 0 || l.BatchID == batchID) && (len(statuses) == 0 || slices.Contains(statuses, l.Status)) {
				out = append(out, m.withItem(*l))
			}
		}
		slices.SortFunc(out, func(a, b batch.Link) int {
			return cmp.Or(cmp.Compare(a.BatchID, b.BatchID), cmp.Compare(a.Row, b.Row))
		})
		return nil
	})
	return out, err
}

// current finds the stored link l was read from, at its version and sent.
// Called with m.mu held.
func (m *Memory) current(l batch.Link) (*batch.Link, error) {
	cur, ok := m.links[l.ID]
	if !ok {
		return nil, batch.ErrLinkNotFound
	}
	if cur.Version != l.Version || cur.Status != batch.LinkSent {
		return nil, fmt.Errorf("link of row %d changed since it was read: %w", cur.Row, batch.ErrStale)
	}
	return cur, nil
}

// keep stores next over cur: only what a change may change. Called with m.mu held.
func keep(cur *batch.Link, next batch.Link, now batch.Link) {
	c := *cur
	c.InvitedAt, c.Reminders = utc(next.InvitedAt), next.Reminders
	c.CodeHash, c.CodeSalt, c.CodeExpires, c.CodeSentAt = next.CodeHash, next.CodeSalt, utc(next.CodeExpires), utc(next.CodeSentAt)
	c.CodeRequests, c.CodeWindow, c.Attempts = next.CodeRequests, utc(next.CodeWindow), next.Attempts
	c.LockedUntil, c.Locks, c.Review = utc(next.LockedUntil), next.Locks, next.Review
	c.Version++
	c.UpdatedAt = now.UpdatedAt
	*cur = c
}

// UpdateLink implements batch.LinkStore.
func (m *Memory) UpdateLink(ctx context.Context, l batch.Link, cause, detail, actor string, msgs ...batch.Message) error {
	return m.call("UpdateLink", "update link", func() error {
		cur, err := m.current(l)
		if err != nil {
			return err
		}
		keep(cur, l, batch.Link{UpdatedAt: m.stamp()})
		m.addMessages(msgs)
		m.linkEvent(*cur, cause, detail, actor)
		return nil
	})
}

// plannedLink is the stored link l was read from (current) and its item,
// still planned. Called with m.mu held.
func (m *Memory) plannedLink(l batch.Link) (*batch.Link, *batch.Item, error) {
	cur, err := m.current(l)
	if err != nil {
		return nil, nil, err
	}
	stored, err := m.item(cur.ItemID)
	if err != nil {
		return nil, nil, err
	}
	if stored.State != batch.Planned {
		return nil, nil, fmt.Errorf("item %d is no longer planned: %w", stored.ID, batch.ErrStale)
	}
	return cur, stored, nil
}

// ClaimLink implements batch.LinkStore.
func (m *Memory) ClaimLink(ctx context.Context, l batch.Link, it batch.Item, actor string) error {
	return m.call("ClaimLink", "claim link", func() error {
		cur, stored, err := m.plannedLink(l)
		if err != nil {
			return err
		}
		now := m.stamp()
		if !now.Before(cur.ExpiresAt) { // the expiry as it stands when the claim commits
			return fmt.Errorf("link of row %d: %w", cur.Row, batch.ErrLinkExpired)
		}
		keep(cur, l, batch.Link{UpdatedAt: now})
		cur.Status, cur.ClaimedAt, cur.ClaimMode, cur.ClaimPhone = batch.LinkClaimed, utc(l.ClaimedAt), l.ClaimMode, l.ClaimPhone
		stored.Mode, stored.Phone, stored.Country, stored.Operator = it.Mode, it.Phone, it.Country, it.Operator
		stored.Provider, stored.Route, stored.UpdatedAt = it.Provider, slices.Clone(it.Route), now
		m.linkEvent(*cur, batch.CauseLinkClaimed, batch.ClaimDetail(*cur, it), actor)
		return nil
	})
}

// ExpireLink implements batch.LinkStore.
func (m *Memory) ExpireLink(ctx context.Context, l batch.Link, actor string) error {
	return m.call("ExpireLink", "expire link", func() error {
		cur, stored, err := m.plannedLink(l)
		if err != nil {
			return err
		}
		now := m.stamp()
		cur.Status, cur.UpdatedAt = batch.LinkExpired, now
		cur.CodeHash, cur.CodeSalt = "", ""
		cur.Version++
		stored.State, stored.UpdatedAt, stored.Message = batch.Cancelled, now, batch.CauseLinkExpired
		m.linkEvent(*cur, batch.CauseLinkExpired, "not claimed by "+batch.Stamp(cur.ExpiresAt)+"; no money moved", actor)
		m.appendEvent(batch.ExpiredItemEvent(*cur, actor), now)
		return nil
	})
}

// addMessages keeps msgs. Called with m.mu held.
func (m *Memory) addMessages(msgs []batch.Message) {
	for _, x := range msgs {
		x.ID = int64(len(m.messages)) + 1
		x.At = utc(x.At)
		m.messages = append(m.messages, x)
	}
}

// RecordMessages implements batch.LinkStore.
func (m *Memory) RecordMessages(ctx context.Context, msgs ...batch.Message) error {
	return m.call("RecordMessages", "record messages", func() error {
		m.addMessages(msgs)
		return nil
	})
}

// Messages implements batch.LinkStore.
func (m *Memory) Messages(ctx context.Context, batchID int64) (out []batch.Message, err error) {
	err = m.call("Messages", "read messages", func() error {
		for _, x := range m.messages {
			if x.BatchID == batchID {
				out = append(out, x)
			}
		}
		return nil
	})
	return out, err
}

// ReopenLink implements batch.LinkStore.
func (m *Memory) ReopenLink(ctx context.Context, l batch.Link, it batch.Item, actor string) error {
	return m.call("ReopenLink", "reopen link", func() error {
		cur, ok := m.links[l.ID]
		if !ok {
			return batch.ErrLinkNotFound
		}
		if cur.Version != l.Version || cur.Status != batch.LinkClaimed {
			return fmt.Errorf("link of row %d changed since it was read: %w", cur.Row, batch.ErrStale)
		}
		old, err := m.item(cur.ItemID)
		if err != nil {
			return err
		}
		if old.State != batch.Failed {
			return fmt.Errorf("the payout of the link of row %d is %s, not failed: %w", cur.Row, old.State, batch.ErrStale)
		}
		next, err := m.item(it.ID)
		if err != nil {
			return err
		}
		if next.State != batch.Planned || next.Mode != batch.ModeLink {
			return fmt.Errorf("item %d is not a planned item paid by link: %w", it.ID, batch.ErrStale)
		}
		if _, taken := m.linkOf[next.ID]; taken {
			return fmt.Errorf("item %d has a link already: %w", it.ID, batch.ErrStale)
		}
		now := m.stamp()
		m.linkEvent(*cur, batch.CauseLinkReopen, fmt.Sprintf("its payout failed: claimed again through item %d", next.ID), actor)
		c := *cur
		c.Status, c.BatchID, c.ItemID, c.Row = batch.LinkSent, next.BatchID, next.ID, next.Row
		c.ExpiresAt, c.CreatedAt = now.Add(cur.ExpiresAt.Sub(cur.CreatedAt)), now // each reopening as long as the first
		c.InvitedAt, c.Reminders = time.Time{}, 0
		c.CodeHash, c.CodeSalt, c.CodeExpires, c.CodeSentAt, c.CodeRequests, c.CodeWindow, c.Attempts = "", "", time.Time{}, time.Time{}, 0, time.Time{}, 0
		c.ClaimedAt, c.ClaimMode, c.ClaimPhone = time.Time{}, "", ""
		c.Version++
		c.UpdatedAt = now
		*cur = c
		delete(m.linkOf, old.ID)
		m.linkOf[next.ID] = c.ID
		m.linkEvent(c, batch.CauseLinkReopen, "reopened after the failure of item "+fmt.Sprint(old.ID)+"; expires "+batch.Stamp(c.ExpiresAt), actor)
		return nil
	})
}
