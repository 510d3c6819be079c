// Command bulkpay pays a spreadsheet of beneficiaries through mobile-money
// providers exactly once, records every step in a ledger and writes reports.
package main

import (
	"os"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
)

// version is set when building a release: go build -ldflags "-X main.version=v1.4.0".
var version string

func main() {
	a := newApp()
	os.Exit(a.execute(newRoot(a), os.Args[1:]))
}

// execute runs the command line and gives the exit status (cli.Execute): a
// panic in the work on a batch names the command that finishes it.
func (a *app) execute(root *cobra.Command, args []string) int {
	return cli.Execute(root, args, a.stderr, func(b batch.Batch) string { return a.command("resume", b.Reference, b, "") })
}
