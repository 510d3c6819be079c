// Package providers holds what every payout provider client shares: the request and
// result types of a payout, the error classes that say whether money may have moved,
// the one HTTP exchange every client sends through (Exchange), the one retry decision
// (Retry.Decide) and the call stack every caller goes through (Stack).
package providers
