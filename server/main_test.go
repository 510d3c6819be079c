package server

import (
	"os"
	"testing"

	"bulkpay/internal/testsupport"
)

// Most tests wait on a run's pace, the sandbox's settle delay and the poll
// interval, not on the CPU.
func TestMain(m *testing.M) {
	testsupport.WaitingTests()
	os.Exit(m.Run())
}
