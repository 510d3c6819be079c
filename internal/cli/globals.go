package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/pflag"

	"bulkpay/config"
	"bulkpay/internal/crashpoint"
	"bulkpay/internal/render"
	"bulkpay/ledger"
)

// Globals are the flags every command takes.
type Globals struct {
	ConfigPath string // --config
	DB         string // --db
	LogFormat  string
	LogLevel   string
	Quiet      bool
}

// Register adds the flags (a root command's persistent flags).
func (g *Globals) Register(pf *pflag.FlagSet) {
	pf.StringVar(&g.ConfigPath, "config", "", "the config `FILE` (bulkpay.yaml); without one, the built-in sandbox is used")
	pf.StringVar(&g.DB, "db", "", "the ledger `FILE` (default ./bulkpay.db, or the config's ledger), or postgres://... for a ledger on PostgreSQL")
	pf.StringVar(&g.LogFormat, "log-format", "text", "log format on stderr: text or json")
	pf.StringVar(&g.LogLevel, "log-level", "warn", "log level: debug, info, warn or error")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "print only the summary and errors")
}

// Setup loads the config and makes the logger: its lines go to errw through
// the sink it gives (above the progress bars while they are drawn).
// levelSet: --log-level was given.
func (g Globals) Setup(errw io.Writer, levelSet bool) (config.Config, *render.LogSink, *slog.Logger, error) {
	cfg, err := config.Load(g.ConfigPath)
	if err != nil {
		return cfg, nil, nil, err
	}
	logs := render.NewLogSink(errw)
	log, err := render.NewLogger(logs, g.LogFormat, g.LogLevel, g.Quiet, levelSet)
	return cfg, logs, log, err
}

// DBPath is the ledger: --db, else cfg's.
func (g Globals) DBPath(cfg config.Config) string {
	if g.DB != "" {
		return g.DB
	}
	return cfg.Ledger
}

// LedgerThere reports whether the ledger is there already under cfg: a file
// that exists, or a PostgreSQL database.
func (g Globals) LedgerThere(cfg config.Config) bool {
	_, err := os.Stat(g.DBPath(cfg))
	return err == nil || ledger.IsPostgres(g.DBPath(cfg))
}

// Target says where a command with --sandbox sandboxURL pays under cfg.
func (g Globals) Target(cfg config.Config, sandboxURL string) config.Target {
	return config.Target{SandboxURL: sandboxURL, ConfigPath: g.ConfigPath, LedgerPath: g.DBPath(cfg), WrapHTTP: crashpoint.Wrap()}
}

// Say prints a line for people on errw unless quiet: through logs, when set,
// above the progress bars while they are drawn.
func Say(errw io.Writer, logs *render.LogSink, quiet bool, format string, args ...any) {
	if quiet {
		return
	}
	if logs != nil {
		errw = logs
	}
	fmt.Fprintf(errw, format+"\n", args...)
}
