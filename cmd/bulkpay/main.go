// Command bulkpay pays a spreadsheet of beneficiaries through mobile-money
// providers exactly once, records every step in a ledger and writes reports.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/sheet"
)

// version is set when building a release: go build -ldflags "-X main.version=v1.4.0".
var version string

// Exit codes, documented in the README.
const (
	exitOK          = 0 // every item paid
	exitError       = 1 // operational error
	exitInvalid     = 2 // invalid input, nothing sent
	exitFailed      = 3 // finished with failed items
	exitUnfinished  = 4 // items still pending, unknown or in review
	exitHeld        = 5 // the batch is held by another run; this one sent nothing
	exitRefused     = 6 // refused by policy (approval, balance, repeat payment); nothing sent
	exitInterrupted = 130
)

func main() {
	a := newApp()
	os.Exit(a.execute(newRoot(a), os.Args[1:]))
}

// execute runs the command line and gives the exit status. A panic anywhere in
// the command is caught here: it exits 1, never 2 (which says nothing was
// sent), and names the command that finishes the batch.
func (a *app) execute(root *cobra.Command, args []string) (code int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer func() {
		if v := recover(); v != nil {
			code = a.crashed(v, debug.Stack())
		}
	}()
	root.SetArgs(cli.JoinWaitBound(args)) // --wait 30m as well as --wait=30m
	err := root.ExecuteContext(ctx)
	code = exitCode(err, a.paying)
	if err != nil && !errors.Is(err, batch.ErrFailed) && !errors.Is(err, batch.ErrUnfinished) {
		fmt.Fprintln(a.stderr, "bulkpay:", err)
		var pe *batch.PanicError
		if errors.As(err, &pe) {
			fmt.Fprintf(a.stderr, "%s\nThis is a bug in bulkpay; please report it with the lines above.\n", pe.Stack)
		}
	}
	return code
}

// crashed reports a panic caught by execute and gives the exit status: 1.
func (a *app) crashed(v any, stack []byte) int {
	fmt.Fprintf(a.stderr, "bulkpay: internal error (a bug in bulkpay): %v\n%s\nThis is a bug in bulkpay; please report it with the lines above.\n", v, stack)
	if a.current != nil {
		fmt.Fprintf(a.stderr, "Every step taken is in the ledger: run `%s` to finish batch %s; nothing will be paid twice.\n",
			a.command("resume", a.current.Reference, *a.current, ""), a.current.Reference)
	} else {
		fmt.Fprintln(a.stderr, "No payment had started: nothing was sent.")
	}
	return exitError
}

// exitCode maps an error to the process's exit status, in one place. Once a
// payment session began (paying), requests may have left: no error says
// "invalid input, nothing was sent" (2) any more, it is an operational error (1).
func exitCode(err error, paying bool) int {
	var he *sheet.HeaderError
	invalid := errors.Is(err, batch.ErrInvalid) || errors.Is(err, cli.ErrUsage) || errors.As(err, &he) || errors.Is(err, sheet.ErrFormat)
	switch {
	case err == nil:
		return exitOK
	case paying && invalid:
		return exitError
	case invalid:
		return exitInvalid
	case errors.Is(err, batch.ErrHeld):
		return exitHeld
	case errors.Is(err, batch.ErrRefused):
		return exitRefused
	case errors.Is(err, batch.ErrFailed):
		return exitFailed
	case errors.Is(err, batch.ErrUnfinished), errors.Is(err, batch.ErrMismatch):
		return exitUnfinished
	case errors.Is(err, batch.ErrInterrupted):
		return exitInterrupted
	default:
		return exitError
	}
}
