package batch_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
)

// doctored is a trail read through edits, as a ledger edited by hand (or by
// a bug) would read.
type doctored struct {
	batch.Trail
	events   func(itemID int64, evs []batch.Event) []batch.Event
	attempts func(itemID int64, atts []batch.Attempt) []batch.Attempt
}

func (d doctored) Events(ctx context.Context, batchID, itemID int64) ([]batch.Event, error) {
	evs, err := d.Trail.Events(ctx, batchID, itemID)
	if err != nil || d.events == nil {
		return evs, err
	}
	return d.events(itemID, evs), nil
}

func (d doctored) Attempts(ctx context.Context, itemID int64) ([]batch.Attempt, error) {
	atts, err := d.Trail.Attempts(ctx, itemID)
	if err != nil || d.attempts == nil {
		return atts, err
	}
	return d.attempts(itemID, atts), nil
}

// paidBatch is a batch of three items in a memory store: row 2 succeeded,
// row 3 failed, row 4 still planned.
func paidBatch(t *testing.T) (*batchtest.Memory, batch.Batch, []batch.Item) {
	t.Helper()
	ctx := context.Background()
	m := batchtest.NewMemory()
	b := batch.Batch{Reference: "verify", Currency: "XAF", TotalAmount: 3000}
	items := make([]batch.Item, 3)
	for i := range items {
		items[i] = batch.Item{Row: i + 2, Phone: fmt.Sprintf("23767700000%d", i), Amount: 1000, Reference: fmt.Sprintf("ref-%d", i), Provider: "campay"}
	}
	require.NoError(t, m.CreateBatch(ctx, &b, items))
	claims, err := m.Claim(ctx, b.ID, "campay", 2)
	require.NoError(t, err)
	require.NoError(t, m.Apply(ctx,
		batch.Change{ItemID: claims[0].Item.ID, From: batch.Submitting, To: batch.Pending, Cause: "accepted", ProviderReference: "CP-1",
			Attempt: &batch.AttemptEnd{ID: claims[0].AttemptID, Outcome: batch.OutcomeAccepted, ProviderReference: "CP-1"}},
		batch.Change{ItemID: claims[0].Item.ID, From: batch.Pending, To: batch.Succeeded, Cause: "final"},
		batch.Change{ItemID: claims[1].Item.ID, From: batch.Submitting, To: batch.Failed, Cause: "refused",
			Attempt: &batch.AttemptEnd{ID: claims[1].AttemptID, Outcome: batch.OutcomeRefused}}))
	return m, b, items
}

func TestVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(b *batch.Batch, items []batch.Item) doctored
		wants []batch.Finding // each finding's row and words
	}{
		{"a sound batch", func(*batch.Batch, []batch.Item) doctored { return doctored{} }, nil},
		{"an event left out", func(_ *batch.Batch, items []batch.Item) doctored {
			return doctored{events: func(id int64, evs []batch.Event) []batch.Event {
				if id != items[0].ID {
					return evs
				}
				return append(evs[:1:1], evs[2:]...) // planned, pending, succeeded: the claim is gone
			}}
		}, []batch.Finding{{Row: 2, Message: "moves from submitting but the item was planned"}}},
		{"a first event that is no planning", func(_ *batch.Batch, items []batch.Item) doctored {
			return doctored{events: func(id int64, evs []batch.Event) []batch.Event {
				if id != items[2].ID {
					return evs
				}
				return []batch.Event{{ID: evs[0].ID, To: batch.Submitting}}
			}}
		}, []batch.Finding{{Row: 4, Message: `first event is "submitting", not planned`},
			{Row: 4, Message: "events end in submitting but the item is planned"}}},
		{"two payouts accepted for one item", func(_ *batch.Batch, items []batch.Item) doctored {
			return doctored{attempts: func(id int64, atts []batch.Attempt) []batch.Attempt {
				if id != items[0].ID {
					return atts
				}
				other := atts[0]
				other.ID, other.ProviderReference = other.ID+100, "CP-2"
				return append(atts, other)
			}}
		}, []batch.Finding{{Row: 2, Message: "2 different payouts were accepted for one item"}}},
		{"an attempt left open on a final item", func(_ *batch.Batch, items []batch.Item) doctored {
			return doctored{attempts: func(id int64, atts []batch.Attempt) []batch.Attempt {
				if id == items[1].ID {
					atts = append(atts, batch.Attempt{ID: 999, ItemID: id}) // never finished
				}
				return atts
			}}
		}, []batch.Finding{{Row: 3, Message: "1 attempt(s) left open while the item is failed"}}},
		{"totals that do not add up", func(b *batch.Batch, _ []batch.Item) doctored {
			b.TotalAmount, b.ItemCount = 2500, 4
			return doctored{}
		}, []batch.Finding{{Message: "total_amount 2500 but the items add up to 3000"}, {Message: "item_count 4 but 3 items"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, b, items := paidBatch(t)
			d := tt.edit(&b, items)
			d.Trail = m
			got, err := batch.Verify(context.Background(), d, b)
			require.NoError(t, err)
			require.Len(t, got, len(tt.wants))
			for i, want := range tt.wants {
				assert.Equal(t, want.Row, got[i].Row)
				assert.Contains(t, got[i].Message, want.Message)
			}
		})
	}
}

// TestVerifyFindsACancelledItemThatWasPaid: an item is cancelled only when
// it was never sent; one whose payout a provider accepted is a finding.
func TestVerifyFindsACancelledItemThatWasPaid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, b, items := paidBatch(t)
	_, err := batch.Cancel(ctx, m, b, batch.CancelRequest{Actor: "awa", Note: "stop", Owner: batch.Owner{PID: 1, Host: "h"}})
	require.NoError(t, err)
	got, err := batch.Verify(ctx, m, b)
	require.NoError(t, err)
	assert.Empty(t, got, "a cancelled item never sent is sound")

	d := doctored{Trail: m, attempts: func(id int64, atts []batch.Attempt) []batch.Attempt {
		if id != items[2].ID {
			return atts
		}
		return append(atts, batch.Attempt{ID: 99, ItemID: id, Provider: "campay", Outcome: batch.OutcomeAccepted,
			ProviderReference: "CP-9", FinishedAt: b.CreatedAt})
	}}
	got, err = batch.Verify(ctx, d, b)
	require.NoError(t, err)
	assert.Equal(t, []batch.Finding{{Row: 4, Message: "cancelled although a provider accepted its payout"}}, got)
}
