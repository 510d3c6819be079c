package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/ledger"
)

// app is what every subcommand shares: flags, config, output and logs.
type app struct {
	configPath   string
	dbFlag       string
	logFormat    string
	logLevel     string
	quiet        bool
	allowPartial bool // pay what the balances cover
	sandboxFees  bool // the providers are the sandbox's (whose Camoo takes 2% on top)

	root *cobra.Command // to know which flags a hinted command takes
	wait waitFlag       // --wait [DURATION]: wait for the batch's lock

	changeEndpoint bool         // continue a batch through other providers than those it was paid through
	cmdName        string       // the subcommand running, for hints
	sandboxURL     string       // the --sandbox URL of the payment session, for hints
	current        *batch.Batch // the batch a payment session was opened for, for hints after a crash
	paying         bool         // a payment session began: requests may have left

	cfg    Config
	crash  *crasher // test-only crash points, from the environment
	log    *slog.Logger
	logs   *logSink // where log lines go: stderr, or above the progress bars
	stdout io.Writer
	stderr io.Writer
}

func newApp() *app {
	return &app{stdout: os.Stdout, stderr: os.Stderr, crash: crashFromEnv()}
}

func newRoot(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "bulkpay",
		Short:         "Pay a spreadsheet of beneficiaries through mobile money, exactly once",
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.cmdName = cmd.Name()
			return a.setup(cmd)
		},
		// runnable, so that an unknown command is refused by forPeople's check
		// of the arguments; alone, bulkpay shows its help
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	a.root = root
	root.SetVersionTemplate("bulkpay {{.Version}}\n")
	root.SuggestionsMinimumDistance = 2
	pf := root.PersistentFlags()
	pf.StringVar(&a.configPath, "config", "", "the config `FILE` (bulkpay.yaml); without one, the built-in sandbox is used")
	pf.StringVar(&a.dbFlag, "db", "", "the ledger `FILE` (default ./bulkpay.db, or the config's ledger)")
	pf.StringVar(&a.logFormat, "log-format", "text", "log format on stderr: text or json")
	pf.StringVar(&a.logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print only the summary and errors")
	root.AddCommand(newRunCmd(a), newResumeCmd(a), newStatusCmd(a), newReportCmd(a), newValidateCmd(a),
		newSandboxCmd(a), newBalanceCmd(a), newVerifyCmd(a), newReviewCmd(a), newResolveCmd(a),
		newRetryCmd(a), newPlanCmd(a), newApproveCmd(a), newFeesCmd(a), newListCmd(a), newReconcileCmd(a))
	root.SetFlagErrorFunc(flagError)
	forPeople(root)
	return root
}

func (a *app) setup(cmd *cobra.Command) error {
	cfg, err := loadConfig(a.configPath)
	if err != nil {
		return err
	}
	a.cfg = cfg
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", a.logLevel)
	}
	if a.quiet && !cmd.Flags().Changed("log-level") {
		level = slog.LevelError // --quiet: the summary and errors, no warnings
	}
	opts := &slog.HandlerOptions{Level: level}
	a.logs = &logSink{w: a.stderr}
	switch a.logFormat {
	case "text":
		a.log = slog.New(slog.NewTextHandler(a.logs, opts))
	case "json":
		a.log = slog.New(slog.NewJSONHandler(a.logs, opts))
	default:
		return fmt.Errorf("--log-format %q: use text or json", a.logFormat)
	}
	return nil
}

func (a *app) dbPath() string {
	if a.dbFlag != "" {
		return a.dbFlag
	}
	return a.cfg.Ledger
}

func (a *app) openLedger(ctx context.Context) (*ledger.Store, error) {
	return ledger.Open(ctx, a.dbPath())
}

// say prints a line for people unless --quiet (above the progress bars while
// they are drawn).
func (a *app) say(format string, args ...any) {
	if a.quiet {
		return
	}
	var w io.Writer = a.stderr
	if a.logs != nil {
		w = a.logs
	}
	fmt.Fprintf(w, format+"\n", args...)
}
