// Package contract is the test suite every payout provider client passes against
// its simulator: the same behaviours, asked of each provider the same way.
package contract
