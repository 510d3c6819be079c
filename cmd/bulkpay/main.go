// Command bulkpay pays a spreadsheet of beneficiaries through mobile-money
// providers exactly once, records every step in a ledger and writes reports.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"bulkpay/internal/cli"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
)

// version is set when building a release: go build -ldflags "-X main.version=v1.4.0".
var version string

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
	render.Failure(a.stderr, err)
	return cli.ExitCode(err, door.Begun(err))
}

// crashed reports a panic caught by execute and gives the exit status: 1.
// A panic in the work on a batch (a *door.Crash) names the command that
// finishes it.
func (a *app) crashed(v any, stack []byte) int {
	c, ok := v.(*door.Crash)
	if !ok {
		render.Crash(a.stderr, v, stack, "", "")
	} else {
		render.Crash(a.stderr, c.Value, c.Stack, a.command("resume", c.Batch.Reference, c.Batch, ""), c.Batch.Reference)
	}
	return cli.ExitError
}
