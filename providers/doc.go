// Package providers holds what every payout provider client shares: the request and
// result types of a payout and the error classes that say whether money may have moved.
package providers
