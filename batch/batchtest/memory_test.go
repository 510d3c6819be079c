package batchtest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

func TestMemoryKeepsTheStoreContract(t *testing.T) {
	t.Parallel()
	Suite(t, func(t *testing.T, env Env) batch.Store {
		return NewMemory(WithClock(env.Now), WithProcessCheck(env.Alive))
	})
}

func TestMemoryFailsAsToldAndChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := NewMemory()
	b := batch.Batch{Reference: "f", Currency: "XAF", TotalAmount: 1000}
	require.NoError(t, m.CreateBatch(ctx, &b, []batch.Item{{Row: 2, Amount: 1000, Reference: "r", Provider: "campay"}}))
	full := errors.New("database or disk is full")

	tests := []struct {
		op string
		do func() error
	}{
		{"Claim", func() error { _, err := m.Claim(ctx, b.ID, "campay", 1); return err }},
		{"Note", func() error { return m.Note(ctx, b.ID, "c", "d") }},
		{"Check", func() error { return m.Check(ctx) }},
		{"Items", func() error { _, err := m.Items(ctx, b.ID); return err }},
	}
	for _, tt := range tests {
		m.Fail(tt.op, full)
		err := tt.do()
		require.ErrorIs(t, err, full, tt.op)
		m.Fail(tt.op, nil)
		require.NoError(t, tt.do(), "%s: Fail(op, nil) clears it", tt.op)
	}

	m.Fail("Apply", full)
	items, err := m.Items(ctx, b.ID)
	require.NoError(t, err)
	require.Error(t, m.Apply(ctx, batch.Change{ItemID: items[0].ID, From: batch.Submitting, To: batch.Unknown, Cause: "x"}))
	items, err = m.Items(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, batch.Submitting, items[0].State, "a failed call changes nothing")
}
