// Package registry lists the payout providers bulkpay has clients for: each
// provider's declaration (providers.Declaration: its name as it writes it,
// where a sandbox serves it, the request that moves money, what it pays and its
// wallets) with what its client adds, its live address and how to read its
// answers in plain words.
package registry
