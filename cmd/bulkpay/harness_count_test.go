package main

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/providers/sandbox"
)

// harnessCount is what a crash harness found: the items by state, the
// items in review by provider (and how many the provider did pay), double
// payments, items lost, and the money of review items the provider paid.
type harnessCount struct {
	states, review map[string]int
	doubles, lost  int
	reviewPaid     int64
}

// countHarness checks a harness's report against the sandbox's payouts:
// nobody paid twice, a succeeded item paid once, a failed one never, none
// left neither settled nor with a person, and the totals agree.
func countHarness(t *testing.T, report []map[string]string, paid []sandbox.Payout) harnessCount {
	t.Helper()
	type got struct{ n, ok int }
	byRef := map[string]*got{}
	var paidTotal int64
	for _, p := range paid {
		g := byRef[p.ClientReference]
		if g == nil {
			g = &got{}
			byRef[p.ClientReference] = g
		}
		g.n++
		switch p.Status {
		case "SUCCESSFUL", "VAL", "SUCCESS", "CONFIRMED":
			g.ok++
			paidTotal += p.Amount
		}
	}
	c := harnessCount{states: map[string]int{}, review: map[string]int{}}
	var ledgerTotal int64
	for _, l := range report {
		c.states[l["state"]]++
		g := byRef[l["reference"]]
		if g == nil {
			g = &got{}
		}
		if g.n > 1 {
			c.doubles++
		}
		amount, _ := strconv.ParseInt(l["amount"], 10, 64)
		switch l["state"] {
		case "succeeded":
			ledgerTotal += amount
			assert.Equal(t, 1, g.ok, "row %s succeeded: one successful payout", l["row"])
		case "failed":
			assert.Zero(t, g.ok, "row %s failed: no successful payout", l["row"])
		case "review":
			c.reviewPaid += int64(g.ok) * amount
			c.review[l["provider"]]++
			if c.review[l["provider"]] <= 5 {
				t.Logf("review: row %s via %s, provider payouts %d ok %d: %s", l["row"], l["provider"], g.n, g.ok, l["message"])
			}
			if g.ok > 0 {
				c.review[l["provider"]+" paid at the provider"]++
			}
		default:
			c.lost++
			if c.lost <= 10 {
				t.Logf("left %s: row %s via %s (%s), provider payouts %d ok %d: %s", l["state"], l["row"], l["provider"],
					l["provider_reference"], g.n, g.ok, l["message"])
			}
		}
	}
	assert.Zero(t, c.doubles, "double payments")
	assert.Zero(t, c.lost, "items left neither settled nor with a person")
	assert.Equal(t, paidTotal, ledgerTotal+c.reviewPaid, "the ledger and the sandbox agree in total (review items counted as the sandbox has them)")
	return c
}
