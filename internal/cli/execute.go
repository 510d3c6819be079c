package cli

import (
	"context"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
	"bulkpay/ledger"
)

// Execute runs the command line and gives the exit status; what fails is
// said on errw. A panic anywhere in the command is caught here: it exits 1,
// never 2 (which says nothing was sent), and a panic in the work on a batch
// (a *door.Crash) names the command that finishes it, as resume writes it.
func Execute(root *cobra.Command, args []string, errw io.Writer, resume func(batch.Batch) string) (code int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer func() {
		if v := recover(); v != nil {
			code = crashed(errw, v, debug.Stack(), resume)
		}
	}()
	root.SetArgs(JoinWaitBound(args)) // --wait 30m as well as --wait=30m
	err := root.ExecuteContext(ctx)
	render.Failure(errw, err)
	return ExitCode(err, door.Begun(err))
}

// crashed reports a panic caught by Execute and gives the exit status: 1.
func crashed(errw io.Writer, v any, stack []byte, resume func(batch.Batch) string) int {
	c, ok := v.(*door.Crash)
	if !ok {
		render.Crash(errw, v, stack, "", "")
	} else {
		render.Crash(errw, c.Value, c.Stack, resume(c.Batch), c.Batch.Reference)
	}
	return ExitError
}

// Commands writes the commands hints name, with this command line's flags
// (--config, --db) and the flags root's subcommands take.
func Commands(root *cobra.Command, configPath, db string) render.Commands {
	c := render.Commands{Config: configPath, DB: ledger.Redact(db)}
	if root != nil {
		c.Takes = func(verb, flag string) bool {
			cmd, _, err := root.Find([]string{verb})
			return err == nil && cmd != root && cmd.Flags().Lookup(flag) != nil
		}
	}
	return c
}
