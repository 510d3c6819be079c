// Package server is bulkpay's web door: server-rendered pages over the same
// use cases and ledger as the command line. It is HTTP only: every rule that
// decides money is in package batch, called here exactly as cmd/bulkpay calls
// it, with the signed-in user as the actor.
//
// Every route, with the roles that may use it, is one line of the table in
// routes.go: the platform's JSON API and the pause and cancel actions are
// added there.
package server
