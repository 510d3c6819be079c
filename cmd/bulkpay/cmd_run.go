package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/sheet"
)

func newRunCmd(a *app) *cobra.Command {
	var sf sheetFlags
	var reference, sandboxURL, period string
	var asJSON, allowRepeat bool
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
			if period == "" {
				period = periodOf(reference, path)
			}
			batch.WithPeriod(&planned, items, sc.rows, period)
			if _, err := st.Batch(ctx, reference); errors.Is(err, batch.ErrBatchNotFound) && !allowRepeat {
				repeats, err := batch.Repeats(ctx, st, planned, items)
				if err != nil {
					return err
				}
				if len(repeats) > 0 {
					fmt.Fprintf(a.stderr, "%d row(s) of %s were already paid or planned for period %s in another batch:\n", len(repeats), filepath.Base(path), period)
					for i, r := range repeats {
						if i == 10 {
							fmt.Fprintf(a.stderr, "  ... and %d more\n", len(repeats)-10)
							break
						}
						fmt.Fprintln(a.stderr, "  "+r.String())
					}
					return fmt.Errorf("%w: refusing to pay them again; if this is really a new payment, pass --allow-repeat (or --period for another pay period)", errInvalid)
				}
			}
			b, created, err := batch.Prepare(ctx, st, planned, items, sc.rows)
			if err != nil {
				return err
			}
			if created {
				a.say("planned batch %s: %d items, %s %s, period %s (ledger %s)", b.Reference, b.ItemCount, money(b.TotalAmount), b.Currency, b.Period, st.Path())
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
	f.StringVar(&period, "period", "", "pay period YYYY-MM (default: the year-month in the reference or file name, else this month)")
	f.BoolVar(&allowRepeat, "allow-repeat", false, "pay rows that another batch already pays for the same period")
	f.BoolVar(&a.wait, "wait", false, "wait for another run of the same batch to finish instead of exiting 1")
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
	cmd.Flags().BoolVar(&a.wait, "wait", false, "wait for another run of the same batch to finish instead of exiting 1")
	return cmd
}

var periodRE = regexp.MustCompile(`(20\d\d)[-_ .]?(0[1-9]|1[0-2])`)

// periodOf finds the pay period in the reference or the file name, else this month.
func periodOf(reference, path string) string {
	for _, s := range []string{reference, filepath.Base(path)} {
		if m := periodRE.FindStringSubmatch(s); m != nil {
			return m[1] + "-" + m[2]
		}
	}
	return time.Now().UTC().Format("2006-01")
}
