package main

import (
	"context"
	"embed"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/internal/cli"
	"bulkpay/internal/render"
	"bulkpay/ledger"
)

// app is what every subcommand shares: the global flags, the config, output
// and logs, and what a crash must say.
type app struct {
	cli.Globals

	root   *cobra.Command // to know which flags a hinted command takes
	cfg    config.Config
	log    *slog.Logger
	logs   *render.LogSink // where log lines go: stderr, or above the progress bars
	stdout io.Writer
	stderr io.Writer

	messenger batch.Messenger // sends the messages of links; nil: none configured
}

func newApp() *app {
	return &app{stdout: os.Stdout, stderr: os.Stderr}
}

func newRoot(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:               "bulkpay",
		Short:             "Pay a spreadsheet of beneficiaries through mobile money, exactly once",
		Version:           cli.Version(version),
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return a.setup(cmd) },
		// runnable, so that an unknown command is refused by forPeople's check
		// of the arguments; alone, bulkpay shows its help
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	a.root = root
	root.SetVersionTemplate("bulkpay {{.Version}}\n")
	root.SuggestionsMinimumDistance = 2
	a.Register(root.PersistentFlags())
	root.AddCommand(newRunCmd(a), newResumeCmd(a), newStatusCmd(a), newReportCmd(a), newValidateCmd(a),
		newSandboxCmd(a), newBalanceCmd(a), newVerifyCmd(a), newReviewCmd(a), newResolveCmd(a),
		newRetryCmd(a), newPlanCmd(a), newApproveCmd(a), newFeesCmd(a), newListCmd(a), newReconcileCmd(a), newCancelCmd(a), newConfirmCmd(a),
		newLinksCmd(a), newWorkerCmd(a))
	root.AddCommand(newUsersCmd(a), newServeCmd(a), newWebhooksCmd(a), newLedgerCmd(a))
	root.SetFlagErrorFunc(cli.FlagError)
	cli.ForPeople(root)
	return root
}

func (a *app) setup(cmd *cobra.Command) (err error) {
	a.cfg, a.logs, a.log, err = a.Setup(a.stderr, cmd.Flags().Changed("log-level"))
	return err
}

func (a *app) dbPath() string { return a.DBPath(a.cfg) }

func (a *app) openLedger(ctx context.Context) (*ledger.Store, error) {
	return ledger.Open(ctx, a.dbPath())
}

// target says where a command with --sandbox sandboxURL pays.
func (a *app) target(sandboxURL string) config.Target { return a.Target(a.cfg, sandboxURL) }

// say prints a line for people unless --quiet (cli.Say).
func (a *app) say(format string, args ...any) { cli.Say(a.stderr, a.logs, a.Quiet, format, args...) }

// ledger makes the RunE of a command on the ledger (cli.Ledger).
func (a *app) ledger() cli.Ledger { return a.openLedger }

// commands writes the commands hints name, with this command line's flags.
func (a *app) commands() render.Commands { return cli.Commands(a.root, a.ConfigPath, a.DB) }

// command writes the bulkpay command that does verb on ref, with the flags
// that reach batch b (sandboxURL: this command's --sandbox).
func (a *app) command(verb, ref string, b batch.Batch, sandboxURL string, extra ...string) string {
	return a.commands().For(verb, ref, b, sandboxURL, extra...)
}

// helpTexts are the commands' long help texts, one file each.
//
//go:embed help/*.txt
var helpTexts embed.FS

// long is the long help of a command, from help/NAME.txt.
func long(name string) string { return cli.Long(helpTexts, name) }
