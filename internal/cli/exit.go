package cli

import (
	"errors"

	"bulkpay/batch"
	"bulkpay/sheet"
)

// Exit codes, documented in the README.
const (
	ExitOK          = 0 // every item paid
	ExitError       = 1 // operational error
	ExitInvalid     = 2 // invalid input, nothing sent
	ExitFailed      = 3 // finished with failed items
	ExitUnfinished  = 4 // items still pending, unknown or in review
	ExitHeld        = 5 // the batch is held by another run; this one sent nothing
	ExitRefused     = 6 // refused by policy (approval, balance, repeat payment); nothing sent
	ExitInterrupted = 130
)

// ExitCode maps an error to the process's exit status, in one place. Once a
// payment session began (paying), requests may have left: no error says
// "invalid input, nothing was sent" (2) any more, it is an operational error (1).
func ExitCode(err error, paying bool) int {
	var he *sheet.HeaderError
	invalid := errors.Is(err, batch.ErrInvalid) || errors.Is(err, ErrUsage) || errors.As(err, &he) || errors.Is(err, sheet.ErrFormat)
	switch {
	case err == nil:
		return ExitOK
	case paying && invalid:
		return ExitError
	case invalid:
		return ExitInvalid
	case errors.Is(err, batch.ErrHeld):
		return ExitHeld
	case errors.Is(err, batch.ErrRefused):
		return ExitRefused
	case errors.Is(err, batch.ErrFailed):
		return ExitFailed
	case errors.Is(err, batch.ErrUnfinished), errors.Is(err, batch.ErrMismatch):
		return ExitUnfinished
	case errors.Is(err, batch.ErrInterrupted):
		return ExitInterrupted
	default:
		return ExitError
	}
}
