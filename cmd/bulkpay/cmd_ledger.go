package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"bulkpay/internal/cli"
	"bulkpay/internal/door"
	"bulkpay/internal/render"
	"bulkpay/ledger"
)

func newLedgerCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ledger",
		Short: "Work on the ledger itself: move it to PostgreSQL",
		Args:  cobra.NoArgs,
	}
	var from, to string
	migrate := &cobra.Command{
		Use:   "migrate --from FILE --to postgres://...",
		Short: "Copy a SQLite ledger into an empty PostgreSQL one, then check it item by item",
		Long:  long("ledger_migrate"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			switch {
			case from == "" || to == "":
				return cli.Usagef("ledger migrate needs --from FILE (the SQLite ledger) and --to postgres://... (the empty PostgreSQL ledger)")
			case ledger.IsPostgres(from):
				return cli.Usagef("--from %s: the source must be a SQLite ledger file; to copy between PostgreSQL servers use pg_dump", ledger.Redact(from))
			case !ledger.IsPostgres(to):
				return cli.Usagef("--to %s: the target must be a postgres:// or postgresql:// DSN", to)
			}
			if _, err := os.Stat(from); err != nil {
				return cli.Usagef("--from %s: %v: name the SQLite ledger file to copy", from, errors.Unwrap(err))
			}
			m, err := door.Migrate(ctx, from, to)
			render.Copied(a.stdout, a.stderr, m.Tables, m.Differences)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s copied to %s: %d item(s) checked, no difference\n", from, m.To, m.Items)
			return nil
		},
	}
	migrate.Flags().StringVar(&from, "from", "", "the SQLite ledger `FILE` to copy")
	migrate.Flags().StringVar(&to, "to", "", "the empty PostgreSQL ledger, a postgres://... `DSN`")
	cmd.AddCommand(migrate)
	return cmd
}
