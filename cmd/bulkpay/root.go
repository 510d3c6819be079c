package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/internal/cli"
	"bulkpay/internal/crashpoint"
	"bulkpay/config"
	"bulkpay/internal/render"
	"bulkpay/ledger"
)

// app is what every subcommand shares: the global flags, the config, output
// and logs, and what a crash must say.
type app struct {
	configPath string
	dbFlag     string
	logFormat  string
	logLevel   string
	quiet      bool

	root   *cobra.Command // to know which flags a hinted command takes
	cfg    config.Config
	log    *slog.Logger
	logs   *render.LogSink // where log lines go: stderr, or above the progress bars
	stdout io.Writer
	stderr io.Writer

	current *batch.Batch // the batch a payment session is opened for, for the hint after a crash
	paying  bool         // the batch's lock was taken: requests may have left
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
	pf := root.PersistentFlags()
	pf.StringVar(&a.configPath, "config", "", "the config `FILE` (bulkpay.yaml); without one, the built-in sandbox is used")
	pf.StringVar(&a.dbFlag, "db", "", "the ledger `FILE` (default ./bulkpay.db, or the config's ledger)")
	pf.StringVar(&a.logFormat, "log-format", "text", "log format on stderr: text or json")
	pf.StringVar(&a.logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print only the summary and errors")
	root.AddCommand(newRunCmd(a), newResumeCmd(a), newStatusCmd(a), newReportCmd(a), newValidateCmd(a),
		newSandboxCmd(a), newBalanceCmd(a), newVerifyCmd(a), newReviewCmd(a), newResolveCmd(a),
		newRetryCmd(a), newPlanCmd(a), newApproveCmd(a), newFeesCmd(a), newListCmd(a), newReconcileCmd(a))
	root.SetFlagErrorFunc(cli.FlagError)
	cli.ForPeople(root)
	return root
}

func (a *app) setup(cmd *cobra.Command) error {
	cfg, err := config.Load(a.configPath)
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
	a.logs = render.NewLogSink(a.stderr)
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

// target says where a command with --sandbox sandboxURL pays.
func (a *app) target(sandboxURL string) config.Target {
	return config.Target{SandboxURL: sandboxURL, ConfigPath: a.configPath, LedgerPath: a.dbPath(), WrapHTTP: crashpoint.Wrap()}
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

// load opens the ledger and reads the batch named by key (its id or its
// reference) with its items; close the store when done.
func (a *app) load(ctx context.Context, key string) (*ledger.Store, batch.Batch, []batch.Item, error) {
	st, err := a.openLedger(ctx)
	if err != nil {
		return nil, batch.Batch{}, nil, err
	}
	b, items, err := batch.Load(ctx, st, key)
	if err != nil {
		st.Close()
		return nil, batch.Batch{}, nil, err
	}
	return st, b, items, nil
}
