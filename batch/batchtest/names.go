package batchtest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

var _ batch.NameStore = (*Memory)(nil)

func (m *Memory) nameChecks() map[int64][]batch.NameCheck {
	if m.names == nil {
		m.names = map[int64][]batch.NameCheck{}
	}
	return m.names
}

// SaveNameChecks implements batch.NameStore.
func (m *Memory) SaveNameChecks(ctx context.Context, batchID int64, checks []batch.NameCheck, moves []batch.Change) error {
	return m.onBatch("SaveNameChecks", "record name checks", batchID, func(*record) error {
		if _, ok := m.nameChecks()[batchID]; ok {
			return batch.ErrNamesChecked
		}
		now := m.stamp()
		tx := m.begin()
		for _, c := range moves {
			if err := m.applyOne(tx, c, now); err != nil {
				return err
			}
		}
		tx.commit()
		kept := slices.Clone(checks)
		for i := range kept {
			kept[i].CheckedAt = utc(kept[i].CheckedAt)
		}
		m.nameChecks()[batchID] = kept
		return nil
	})
}

// NameChecks implements batch.NameStore.
func (m *Memory) NameChecks(ctx context.Context, batchID int64) ([]batch.NameCheck, error) {
	var out []batch.NameCheck
	err := m.call("NameChecks", "read name checks", func() error {
		out = slices.Clone(m.nameChecks()[batchID])
		for i := range out {
			if it, err := m.item(out[i].ItemID); err == nil {
				out[i].Phone, out[i].Name = it.Phone, it.Name
			}
		}
		return nil
	})
	return out, err
}

// ConfirmName implements batch.NameStore.
func (m *Memory) ConfirmName(ctx context.Context, itemID int64, by, note string) error {
	return m.call("ConfirmName", "confirm name", func() error {
		it, err := m.item(itemID)
		if err != nil {
			return err
		}
		checks := m.nameChecks()[it.BatchID]
		i := slices.IndexFunc(checks, func(c batch.NameCheck) bool { return c.ItemID == itemID })
		if i < 0 {
			return fmt.Errorf("item %d has no name check: %w", itemID, batch.ErrStale)
		}
		now := m.stamp()
		tx := m.begin()
		if err := m.applyOne(tx, batch.Change{ItemID: itemID, From: batch.ToConfirm, To: batch.Planned, Cause: batch.CauseNameConfirmed,
			Message: batch.ConfirmDetail(by, note), Actor: by}, now); err != nil {
			return err
		}
		tx.commit()
		checks[i].ConfirmedBy, checks[i].Note, checks[i].ConfirmedAt = by, note, now
		return nil
	})
}

// ForgetNames implements batch.NameStore.
func (m *Memory) ForgetNames(ctx context.Context, batchID int64) (int, error) {
	n := 0
	err := m.call("ForgetNames", "erase registered names", func() error {
		checks := m.nameChecks()[batchID]
		for i := range checks {
			if checks[i].Given != "" || checks[i].Family != "" {
				checks[i].Given, checks[i].Family = "", ""
				n++
			}
		}
		return nil
	})
	return n, err
}

// testNameChecks: checks kept once with their moves, read back in sheet
// order, an approver's confirmation moves the item back to planned, and the
// registered names are erased while the results stay.
func testNameChecks(t *testing.T, f *fixture) {
	ns, ok := f.st.(batch.NameStore)
	require.True(t, ok, "the store keeps name checks")
	b, items := f.create("names", 3)
	at := f.tick()
	checks := []batch.NameCheck{
		{ItemID: items[0].ID, Row: 2, Result: batch.NameMatch, Score: 100, Provider: "momo", Given: "Beneficiary", Family: "ZERO", CheckedAt: at},
		{ItemID: items[1].ID, Row: 3, Result: batch.NameMismatch, Score: 10, Provider: "momo", Given: "Awa", Family: "FALL", CheckedAt: at},
		{ItemID: items[2].ID, Row: 4, Result: batch.NameUnknownAccount, Provider: "momo", CheckedAt: at},
	}
	moves := batch.NameMoves(batch.NamesReview, checks, "awa")
	require.NoError(t, ns.SaveNameChecks(f.ctx, b.ID, checks, moves))
	require.ErrorIs(t, ns.SaveNameChecks(f.ctx, b.ID, checks, moves), batch.ErrNamesChecked)
	assert.Equal(t, batch.ToConfirm, f.item(b, items[1].ID).State)
	assert.Equal(t, batch.Rejected, f.item(b, items[2].ID).State)
	ev := f.events(b, items[1].ID)
	assert.Equal(t, batch.CauseNameToConfirm, ev[len(ev)-1].Cause)
	assert.Equal(t, "awa", ev[len(ev)-1].Actor)

	got, err := ns.NameChecks(f.ctx, b.ID)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, "Awa FALL", got[1].Registered())
	assert.Equal(t, items[1].Phone, got[1].Phone)
	assert.Equal(t, items[1].Name, got[1].Name)
	assert.Equal(t, batch.NameMismatch, got[1].Result)
	assert.True(t, at.Equal(got[1].CheckedAt))

	require.ErrorIs(t, ns.ConfirmName(f.ctx, items[0].ID, "binta", "ok"), batch.ErrStale, "a planned item does not wait")
	require.NoError(t, ns.ConfirmName(f.ctx, items[1].ID, "binta", "married name"))
	assert.Equal(t, batch.Planned, f.item(b, items[1].ID).State)
	ev = f.events(b, items[1].ID)
	assert.Equal(t, batch.CauseNameConfirmed, ev[len(ev)-1].Cause)
	assert.Equal(t, "binta", ev[len(ev)-1].Actor)

	n, err := ns.ForgetNames(f.ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	got, err = ns.NameChecks(f.ctx, b.ID)
	require.NoError(t, err)
	for _, c := range got {
		assert.Empty(t, c.Registered())
	}
	assert.Equal(t, "binta", got[1].ConfirmedBy)
	assert.Equal(t, "married name", got[1].Note)
	assert.Equal(t, batch.NameMismatch, got[1].Result)
}
