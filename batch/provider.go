package batch

import (
	"context"
	"time"

	"bulkpay/providers"
)

// Provider pays one item and tells what became of it.
type Provider interface {
	// Name is the provider's key in config and the ledger: campay, cinetpay, ...
	Name() string
	// Send asks the provider to pay. The error wraps one of providers' classes.
	Send(ctx context.Context, p providers.Payout) (providers.Result, error)
	// Check asks for the status of a payout by the provider's own reference.
	Check(ctx context.Context, providerRef string) (providers.Result, error)
}

// Settler is a Provider that can tell what became of a payout knowing only our
// reference (CamPay by resending it, CinetPay by looking it up). A Provider that is
// not a Settler cannot settle an unknown outcome: such items go to review.
type Settler interface {
	Settle(ctx context.Context, p providers.Payout) (providers.Result, error)
}

// ChunkSender is a Provider that takes several payouts in one call (CinetPay). The
// runner claims up to ChunkSize items and sends them together; each comes back
// with its own result. A call-level error applies to every payout of the chunk.
type ChunkSender interface {
	ChunkSize() int
	SendChunk(ctx context.Context, ps []providers.Payout) ([]ChunkResult, error)
}

// ChunkResult is one payout's answer within a chunk.
type ChunkResult struct {
	Result providers.Result
	Err    error
}

// ContactAdder is a Provider that pays only registered contacts (CinetPay). The
// runner adds every payee once, before sending, and remembers them in the Store.
// The returned slice has one error per contact (nil: added, or already there).
type ContactAdder interface {
	AddContacts(ctx context.Context, cs []providers.Contact) ([]error, error)
	ContactChunkSize() int
}

// Balancer is a Provider that can tell what its account holds.
type Balancer interface {
	Balances(ctx context.Context) ([]providers.Balance, error)
}

// Historian is a Provider that can list its own payouts over a period, so that
// reconciliation finds payouts nobody planned (CamPay's history).
type Historian interface {
	// Records calls fn with each of the provider's records of the days from
	// from to to, as they are read: a history of any length is never held
	// whole. An error of fn stops the reading and is returned as it is.
	Records(ctx context.Context, from, to time.Time, fn func(providers.Record) error) error
}
