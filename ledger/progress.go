package ledger

import (
	"context"

	"bulkpay/batch"
)

// ProviderTotals counts a batch's items by provider and state and sums their
// amounts, without reading the items: what a page showing a run's progress
// per provider reads.
func (s *Store) ProviderTotals(ctx context.Context, batchID int64) (map[string]map[batch.State]batch.Total, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT provider, state, COUNT(*), COALESCE(SUM(amount), 0) FROM items WHERE batch_id = ? GROUP BY provider, state`, batchID)
	if err != nil {
		return nil, s.fail("count items by provider", err)
	}
	defer rows.Close()
	out := map[string]map[batch.State]batch.Total{}
	for rows.Next() {
		var provider, state string
		var t batch.Total
		if err := rows.Scan(&provider, &state, &t.Items, &t.Amount); err != nil {
			return nil, s.fail("count items by provider", err)
		}
		if out[provider] == nil {
			out[provider] = map[batch.State]batch.Total{}
		}
		out[provider][batch.State(state)] = t
	}
	return out, s.fail("count items by provider", rows.Err())
}
