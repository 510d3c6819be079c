// Command bulkpay pays a spreadsheet of beneficiaries through mobile-money
// providers exactly once, records every step in a ledger and writes reports.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"bulkpay/batch"
	"bulkpay/sheet"
)

// Exit codes, documented in the README.
const (
	exitOK          = 0 // every item paid
	exitError       = 1 // operational error
	exitInvalid     = 2 // invalid input, nothing sent
	exitFailed      = 3 // finished with failed items
	exitUnfinished  = 4 // items still pending, unknown or in review
	exitInterrupted = 130
)

var (
	// errInvalid: the input was refused; nothing was sent.
	errInvalid = errors.New("invalid input, nothing was sent")
	// errFailed: the batch is finished but some payouts failed.
	errFailed = errors.New("some payouts failed")
	// errUnfinished: some payouts are pending, unknown or wait for review.
	errUnfinished = errors.New("some payouts are not final yet")
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	code := exitCode(err)
	if err != nil && !errors.Is(err, errFailed) && !errors.Is(err, errUnfinished) {
		fmt.Fprintln(os.Stderr, "bulkpay:", err)
	}
	os.Exit(code)
}

// exitCode maps an error to the process's exit status, in one place.
func exitCode(err error) int {
	var he *sheet.HeaderError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errInvalid), errors.As(err, &he), errors.Is(err, sheet.ErrFormat):
		return exitInvalid
	case errors.Is(err, errFailed):
		return exitFailed
	case errors.Is(err, errUnfinished), errors.Is(err, errMismatch):
		return exitUnfinished
	case errors.Is(err, batch.ErrInterrupted):
		return exitInterrupted
	default:
		return exitError
	}
}
