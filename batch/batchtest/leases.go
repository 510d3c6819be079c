package batchtest

import (
	"context"

	"bulkpay/batch"
)

var _ batch.LeaseStore = (*Memory)(nil)

// WithShared makes the store one several workers pay from at once (as the
// ledger on PostgreSQL): Shared says so, and runs on it claim under leases.
func WithShared() Option { return func(m *Memory) { m.shared = true } }

// Shared implements batch.LeaseStore.
func (m *Memory) Shared() bool { return m.shared }

// Take implements batch.Pacer with the in-process pacer, on the store's clock
// for nothing but its waits (SystemClock).
func (m *Memory) Take(ctx context.Context, provider string, rate float64, concurrency int) (func(), error) {
	return m.pacer.Take(ctx, provider, rate, concurrency)
}

// ClaimLeased implements batch.LeaseStore.
func (m *Memory) ClaimLeased(ctx context.Context, batchID int64, provider string, limit int, l batch.Lease, except ...int64) ([]batch.Claim, error) {
	return m.claimUnder(ctx, l.Held, &l, batchID, provider, limit, except...)
}

// Renew implements batch.LeaseStore.
func (m *Memory) Renew(ctx context.Context, lease batch.Lease) (n int, err error) {
	err = m.call("Renew", "renew leases", func() error {
		for id, l := range m.leases {
			if l.Worker == lease.Worker && m.items[id-1].State == batch.Submitting {
				m.leases[id] = batch.Lease{Worker: lease.Worker, Until: utc(lease.Until)}
				n++
			}
		}
		return nil
	})
	return n, err
}

// SubmittingLeases implements batch.LeaseStore.
func (m *Memory) SubmittingLeases(ctx context.Context, batchID int64) (out []batch.Leased, err error) {
	err = m.call("SubmittingLeases", "read submitting items", func() error {
		for _, it := range m.itemsOf(batchID, func(it batch.Item) bool { return it.State == batch.Submitting }) {
			out = append(out, batch.Leased{Item: it, Lease: m.leases[it.ID]})
		}
		return nil
	})
	return out, err
}
