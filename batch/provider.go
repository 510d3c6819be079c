package batch

import (
	"context"

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
