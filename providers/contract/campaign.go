package contract

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// Campaign starts a fault campaign's test: skipped under -short, run in
// parallel with the others.
func Campaign(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("fault campaign: runs without -short")
	}
	t.Parallel()
}

// Payees is n rows of a fault campaign: row i (sheet row i+2, "Payee i")
// pays amount(i) on a mobile-money account phone(i) of operator in country.
func Payees(n int, country, operator string, phone func(i int) string, amount func(i int) int64) []batch.Row {
	rows := make([]batch.Row, n)
	for i := range rows {
		rows[i] = batch.Row{Row: i + 2, Name: fmt.Sprintf("Payee %d", i), Phone: phone(i), Country: country,
			Operator: operator, Mode: batch.ModeMobileMoney, Amount: amount(i)}
	}
	return rows
}

// Prepare prepares the batch "campaign" of rows in currency, routed by rule
// alone (its providers configured), in a store in memory (it keeps the
// ledger's contract: batchtest's suite): a campaign is about what a provider
// answers, and its test binary need not link SQLite.
func Prepare(t *testing.T, currency string, rule batch.Rule, rows []batch.Row) (*batchtest.Memory, batch.Batch) {
	t.Helper()
	ctx := context.Background()
	st := batchtest.NewMemory()
	router := batch.Routes{Rules: []batch.Rule{rule}, Configured: map[string]bool{}}
	for _, p := range rule.Providers {
		router.Configured[p] = true
	}
	b, items, errs := batch.Plan("campaign", "campaign.csv", currency, rows, router)
	require.Empty(t, errs)
	b, _, err := batch.Prepare(ctx, st, b, items, rows)
	require.NoError(t, err)
	return st, b
}

// RunUntil runs b through lanes until each of its n items stands in one of
// the states ended, at most 8 runs a minute apart on clock: a run ends with
// what is still in doubt or pending, the next settles it. It returns the last
// run's summary and how many runs were made.
func RunUntil(t *testing.T, st batch.RunStore, b batch.Batch, n int, lanes map[string]batch.Lane, clock *providerstest.Clock,
	ended ...batch.State) (batch.Summary, int) {
	t.Helper()
	ctx := context.Background()
	r := &batch.Runner{Store: st, Lanes: lanes, PollInterval: time.Second, PendingWait: 2 * time.Minute,
		RetryBase: 10 * time.Millisecond, Clock: clock}
	var sum batch.Summary
	runs := 0
	for runs < 8 {
		var err error
		sum, err = r.Run(ctx, b)
		require.NoError(t, err)
		runs++
		done := 0
		for _, s := range ended {
			done += sum.Counts[s]
		}
		if done == n {
			break
		}
		require.NoError(t, clock.Sleep(ctx, time.Minute))
	}
	return sum, runs
}

// Faults serves a fault campaign's sandbox: it follows rules (as
// sandbox.ParseRules reads them) with seed 4, on a clock that never sleeps,
// its payouts settling 30s after they are made; opts gives the rest. It
// returns the clock, the sandbox, the recorder in front of it and the URL the
// clients are given.
func Faults(t *testing.T, rules string, opts sandbox.Options) (*providerstest.Clock, *sandbox.Server, *sandboxtest.Recorder, string) {
	t.Helper()
	var err error
	opts.Rules, err = sandbox.ParseRules(rules)
	require.NoError(t, err)
	clock := providerstest.NewClock(sandboxtest.Start)
	opts.Seed, opts.SettleDelay, opts.Now = 4, 30*time.Second, clock.Now
	srv, rec, root := sandboxtest.Recorded(t, opts)
	return clock, srv, rec, root
}
