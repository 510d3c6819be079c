package door

import (
	"os"
	"time"

	"bulkpay/batch"
	"bulkpay/ledger"
)

// ProcessOwner is this process as the holder of a batch's lock, taken at.
func ProcessOwner(at time.Time) batch.Owner {
	host, _ := os.Hostname()
	return batch.Owner{PID: os.Getpid(), Host: host, Start: ledger.ProcessStart(os.Getpid()), At: at}
}
