package ledger

import (
	"context"

	"bulkpay/batch"
)

var _ batch.ReferenceLister = (*Store)(nil)

// EachProviderReference implements batch.ReferenceLister: the references of
// provider's attempts and items, a row at a time (a reference both keep comes
// twice).
func (s *Store) EachProviderReference(ctx context.Context, provider string, fn func(ref string) error) error {
	return s.fail("read provider references", s.eachProviderReference(ctx, provider, fn))
}

func (s *Store) eachProviderReference(ctx context.Context, provider string, fn func(string) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT provider_reference FROM attempts WHERE provider = ? AND provider_reference <> ''
		UNION ALL SELECT provider_reference FROM items WHERE provider = ? AND provider_reference <> ''`, provider, provider)
	if err != nil {
		return err
	}
	defer rows.Close()
	var ref string
	for rows.Next() {
		if err := rows.Scan(&ref); err != nil {
			return err
		}
		if err := fn(ref); err != nil {
			return err
		}
	}
	return rows.Err()
}
