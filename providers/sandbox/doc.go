// Package sandbox simulates the payout providers (and Camoo's SMS API) over
// HTTP, each below its own prefix with its real paths, with fault injection,
// and lists every payout and SMS it accepted at /_sandbox/payouts and
// /_sandbox/messages so tests can check from the provider's side.
package sandbox
