package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"bulkpay/batch"
	"bulkpay/providers"
)

func newReviewCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "review BATCH",
		Short: "List the items that need a person, with the evidence: attempts, times, requests and answers",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			l, err := a.loadBatch(ctx, args[0])
			if err != nil {
				return err
			}
			defer l.st.Close()
			n := 0
			for _, it := range l.items {
				if it.State != batch.Review {
					continue
				}
				n++
				fmt.Fprintf(a.stdout, "row %d  %s  %s  %s %s  via %s  reference %s\n", it.Row, it.Name, displayPhone(it.Phone),
					money(it.Amount), l.b.Currency, it.Provider, it.Reference)
				if it.ProviderReference != "" {
					fmt.Fprintf(a.stdout, "  provider reference %s\n", it.ProviderReference)
				}
				fmt.Fprintf(a.stdout, "  why: %s\n", it.Message)
				atts, err := l.st.Attempts(ctx, it.ID)
				if err != nil {
					return err
				}
				for _, at := range atts {
					fmt.Fprintf(a.stdout, "  attempt %d (%s, %s) %s → %s: %s\n", at.ID, at.Kind, at.Provider,
						at.StartedAt.Format(time.RFC3339), at.FinishedAt.Format(time.RFC3339), providers.Or(at.Outcome, "no answer recorded"))
					if at.Request != "" {
						fmt.Fprintf(a.stdout, "    request: %s\n", at.Request)
					}
					if at.Response != "" {
						fmt.Fprintf(a.stdout, "    answer:  %s\n", at.Response)
					}
				}
				fmt.Fprintf(a.stdout, "  decide: bulkpay resolve %s %d --as succeeded|failed --note \"what the provider's records show\"\n\n", l.b.Reference, it.Row)
			}
			if n == 0 {
				fmt.Fprintf(a.stdout, "batch %s: nothing to review\n", l.b.Reference)
			}
			return nil
		},
	}
}

func newResolveCmd(a *app) *cobra.Command {
	var as, note, by string
	cmd := &cobra.Command{
		Use:   "resolve BATCH ITEM --as succeeded|failed --note TEXT",
		Short: "Record a person's decision on an item in review (ITEM is its row or reference)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			to := batch.State(as)
			if to != batch.Succeeded && to != batch.Failed {
				return usagef("--as must be succeeded or failed: say what the provider's records show")
			}
			if strings.TrimSpace(note) == "" {
				return usagef("--note is required: say what the provider's records show (e.g. --note \"paid per the CamPay dashboard\")")
			}
			if by == "" {
				by = whoami()
			}
			l, err := a.loadBatch(ctx, args[0])
			if err != nil {
				return err
			}
			defer l.st.Close()
			it, err := findItem(l.items, args[1])
			if err != nil {
				return err
			}
			if it.State != batch.Review {
				return fmt.Errorf("row %d is %s, not in review: only items in review are resolved by hand", it.Row, it.State)
			}
			err = l.st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Review, To: to,
				Cause:   fmt.Sprintf("resolved by %s", by),
				Message: fmt.Sprintf("%s by %s: %s", to, by, note)})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "row %d of batch %s: %s (by %s at %s)\n", it.Row, l.b.Reference, to, by, time.Now().UTC().Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "succeeded or failed")
	cmd.Flags().StringVar(&note, "note", "", "why: what the provider's records show")
	cmd.Flags().StringVar(&by, "by", "", "who decides (default: the login name)")
	return cmd
}

func whoami() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return providers.Or(os.Getenv("USER"), "unknown")
}

// findItem finds an item by its row number or its reference.
func findItem(items []batch.Item, key string) (batch.Item, error) {
	row, err := strconv.Atoi(key)
	for _, it := range items {
		if (err == nil && it.Row == row) || it.Reference == key {
			return it, nil
		}
	}
	return batch.Item{}, errors.New("no item " + key + " in this batch: give its row number or its reference")
}
