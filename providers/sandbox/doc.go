// Package sandbox simulates the payout providers over HTTP, each below its own
// prefix with its real paths, with fault injection, and lists every payout it
// accepted at /_sandbox/payouts so tests can check from the provider's side.
package sandbox
