// Package webhookstest holds an in-memory webhooks.Journal for fast tests of
// delivery, without a ledger.
package webhookstest
