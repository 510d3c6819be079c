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

	wait waitFlag // --wait [DURATION]: wait for the batch's lock

	changeEndpoint bool         // continue a batch through other providers than those it was paid through
	command        string       // the subcommand running, for hints
	sandboxURL     string       // the --sandbox URL of the payment session, for hints
	current        *batch.Batch // the batch a payment session was opened for, for hints after a crash
	paying         bool         // a payment session began: requests may have left

	cfg    Config
	crash  *crasher // test-only crash points, from the environment
	log    *slog.Logger
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
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.command = cmd.Name()
			return a.setup()
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.configPath, "config", "", "config file (bulkpay.yaml); without one, the built-in sandbox is used")
	pf.StringVar(&a.dbFlag, "db", "", "ledger file (default ./bulkpay.db, or the config's ledger)")
	pf.StringVar(&a.logFormat, "log-format", "text", "log format on stderr: text or json")
	pf.StringVar(&a.logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print only the summary and errors")
	root.AddCommand(newRunCmd(a), newResumeCmd(a), newStatusCmd(a), newReportCmd(a), newValidateCmd(a),
		newSandboxCmd(a), newBalanceCmd(a), newVerifyCmd(a), newReviewCmd(a), newResolveCmd(a),
		newRetryCmd(a), newPlanCmd(a), newApproveCmd(a), newFeesCmd(a), newListCmd(a), newReconcileCmd(a))
	return root
}

func (a *app) setup() error {
	cfg, err := loadConfig(a.configPath)
	if err != nil {
		return err
	}
	a.cfg = cfg
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", a.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch a.logFormat {
	case "text":
		a.log = slog.New(slog.NewTextHandler(a.stderr, opts))
	case "json":
		a.log = slog.New(slog.NewJSONHandler(a.stderr, opts))
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

// say prints a line for people unless --quiet.
func (a *app) say(format string, args ...any) {
	if !a.quiet {
		fmt.Fprintf(a.stderr, format+"\n", args...)
	}
}
