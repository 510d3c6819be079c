// Package campaign sizes the tests that draw many random inputs or build
// inputs at the product's limits: small enough in a plain `go test ./...` for
// the suite to run in seconds, full size where BULKPAY_FULL_CAMPAIGNS=1 is set
// (.ci/run sets it). Only tests import it.
package campaign

import (
	"os"
	"testing"
)

// Env names the variable that runs every campaign at its full size.
const Env = "BULKPAY_FULL_CAMPAIGNS"

// Full reports whether the campaigns run at their full size.
func Full() bool { return os.Getenv(Env) == "1" }

// Size is quick in a plain run and full with BULKPAY_FULL_CAMPAIGNS=1.
func Size(quick, full int) int {
	if Full() {
		return full
	}
	return quick
}

// RequireFull skips t, saying how to run it, unless the campaigns run at
// their full size: for what cannot be made smaller without proving less.
func RequireFull(t testing.TB, what string) {
	t.Helper()
	if !Full() {
		t.Skipf("%s: runs with %s=1 (as .ci/run does)", what, Env)
	}
}
