package main

import (
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"bulkpay/internal/cli"
	"bulkpay/ledger"
)

func newLedgerCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ledger",
		Short: "Work on the ledger itself: move it to PostgreSQL",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newLedgerMigrateCmd(a))
	return cmd
}

func newLedgerMigrateCmd(a *app) *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
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
			src, err := ledger.Open(ctx, from)
			if err != nil {
				return err
			}
			defer src.Close()
			dst, err := ledger.Open(ctx, to)
			if err != nil {
				return err
			}
			defer dst.Close()
			rep, err := ledger.Copy(ctx, src, dst)
			if len(rep.Tables) > 0 {
				tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "table\tsource\tcopy\t")
				for _, t := range rep.Tables {
					fmt.Fprintf(tw, "%s\t%d\t%d\t\n", t.Table, t.Source, t.Copy)
				}
				tw.Flush()
				for _, d := range rep.Differences {
					fmt.Fprintln(a.stderr, "difference:", d)
				}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s copied to %s: %d item(s) checked, no difference\n", from, dst.Path(), rep.Items)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the SQLite ledger `FILE` to copy")
	cmd.Flags().StringVar(&to, "to", "", "the empty PostgreSQL ledger, a postgres://... `DSN`")
	return cmd
}
