package batch_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers"
)

// ledgerOf answers each lookup from a table of references: the amount it
// holds, or not found; it counts the lookups of each reference.
type ledgerOf struct {
	name    string
	amounts map[string]int64
	mu      sync.Mutex
	asked   map[string]int
}

func (p *ledgerOf) Name() string { return p.name }

func (p *ledgerOf) Send(context.Context, providers.Payout) (providers.Result, error) {
	panic("reconciliation sent a payout")
}

func (p *ledgerOf) Check(_ context.Context, ref string) (providers.Result, error) {
	p.mu.Lock()
	p.asked[ref]++
	p.mu.Unlock()
	amount, ok := p.amounts[ref]
	if !ok {
		return providers.Result{}, providers.ErrNotFound
	}
	return providers.Result{ProviderReference: ref, Status: providers.StatusSucceeded, Amount: amount}, nil
}

// Items beyond one page, on two providers side by side, are all looked up
// once, and what disagrees is found in sheet order, as over one page.
func TestReconcileFindsInSheetOrderAcrossPages(t *testing.T) {
	t.Parallel()
	const n = 2*batch.ItemPage + 500
	provs := map[string]*ledgerOf{
		"campay":    {name: "campay", amounts: map[string]int64{}, asked: map[string]int{}},
		"mycoolpay": {name: "mycoolpay", amounts: map[string]int64{}, asked: map[string]int{}},
	}
	var items []batch.Item
	var want []batch.Mismatch
	for i := range n {
		p := "campay"
		if i%3 == 0 {
			p = "mycoolpay"
		}
		ref := "ref-" + strconv.Itoa(i)
		it := batch.Item{Row: i + 2, Provider: p, ProviderReference: ref, State: batch.Succeeded, Amount: 1000}
		items = append(items, it)
		switch {
		case i%997 == 5: // the provider holds another amount
			provs[p].amounts[ref] = 900
			want = append(want, batch.Mismatch{Row: it.Row, Provider: p, Kind: "amount", Ours: "1000", Theirs: "900", Reference: ref})
		case i%1201 == 7: // the provider never heard of it
			want = append(want, batch.Mismatch{Row: it.Row, Provider: p, Kind: "status", Ours: "succeeded", Theirs: "not found", Reference: ref})
		default:
			provs[p].amounts[ref] = 1000
		}
	}
	lanes := map[string]batch.Provider{}
	lookups := batch.Lookups{Lanes: map[string]batch.Lane{}}
	for name, p := range provs {
		lanes[name] = p
		lookups.Lanes[name] = batch.Lane{Provider: p, Concurrency: 4}
	}
	mism, unchecked, err := batch.Reconcile(context.Background(), lanes,
		batch.Batch{CreatedAt: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}, items, nil,
		time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), lookups)
	require.NoError(t, err)
	assert.Empty(t, unchecked)
	require.Greater(t, len(want), 4, "findings on several pages")
	assert.Equal(t, want, mism)
	for name, p := range provs {
		for _, it := range items {
			if it.Provider == name {
				assert.Equal(t, 1, p.asked[it.ProviderReference], "row %d looked up once", it.Row)
			}
		}
	}
}
