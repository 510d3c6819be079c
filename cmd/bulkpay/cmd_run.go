package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/sheet"
)

func newRunCmd(a *app) *cobra.Command {
	var sf sheetFlags
	var reference, sandboxURL string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "run SHEET",
		Short: "Validate, plan and pay a sheet; the same sheet again resumes its batch",
		Long: `Validate, plan and pay every row of SHEET, poll pending payouts, print a summary and
write the report. Any invalid row stops the run before anything is sent (exit 2).
The same sheet again resumes its batch and pays nobody twice; the same reference
with a changed sheet is refused. Without --config or --sandbox, a sandbox is
started in this process and no real money moves.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			path := args[0]
			router := a.cfg.routes(a.configuredProviders(sandboxURL))
			sc, err := checkSheet(path, sf.options(a.cfg), router, true)
			var he *sheet.HeaderError
			if errors.As(err, &he) {
				printErrors(a.stderr, path, sc)
				return errInvalid
			}
			if err != nil {
				return err
			}
			if len(sc.Errors) > 0 {
				printErrors(a.stderr, path, sc)
				return fmt.Errorf("%w: fix the rows above and run again (`bulkpay validate %s` lists them)", errInvalid, path)
			}
			if len(sc.rows) == 0 {
				return fmt.Errorf("%w: %s has no beneficiary rows", errInvalid, path)
			}
			if reference == "" {
				reference = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
			}
			st, err := a.openLedger(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			planned, items, rerrs := batch.Plan(reference, filepath.Base(path), a.cfg.Currency, sc.rows, router)
			if len(rerrs) > 0 {
				return fmt.Errorf("%w: %v", errInvalid, rerrs[0])
			}
			planned.Sandbox = sandboxURL != "" || len(a.cfg.Providers) == 0
			b, created, err := batch.Prepare(ctx, st, planned, items, sc.rows)
			if err != nil {
				return err
			}
			if created {
				a.say("planned batch %s: %d items, %s %s (ledger %s)", b.Reference, b.ItemCount, money(b.TotalAmount), b.Currency, st.Path())
			} else {
				a.say("resuming batch %s (id %d)", b.Reference, b.ID)
			}
			return a.pay(ctx, st, b, sandboxURL, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVar(&reference, "reference", "", "batch reference (default: the sheet's file name without extension)")
	f.StringVar(&sandboxURL, "sandbox", "", "pay through the sandbox at this URL (a running `bulkpay sandbox`)")
	f.BoolVar(&asJSON, "json", false, "print the batch status as JSON at the end (as `status --json`)")
	f.StringVar(&sf.sheetName, "sheet", "", "xlsx sheet to read (default: the first)")
	f.StringVar(&sf.region, "region", "", "default country of national phone numbers (default CM, or the config's)")
	f.BoolVar(&sf.allowDuplicates, "allow-duplicates", false, "allow the same phone on several rows")
	return cmd
}

func newResumeCmd(a *app) *cobra.Command {
	var sandboxURL string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "resume BATCH",
		Short: "Finish a batch from the ledger: settle what is in doubt, send what is left, poll what is pending",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := a.loadBatch(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer l.st.Close()
			return a.pay(cmd.Context(), l.st, l.b, sandboxURL, asJSON)
		},
	}
	cmd.Flags().StringVar(&sandboxURL, "sandbox", "", "pay through the sandbox at this URL")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the batch status as JSON at the end")
	return cmd
}
