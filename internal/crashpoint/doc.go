// Package crashpoint kills or panics the process at named points of a payment
// run, as a power cut or a bug would, for the crash tests. The points exist
// only in a binary built with -tags crashpoints (as the tests build it): the
// production binary has none, whatever its environment says.
package crashpoint
