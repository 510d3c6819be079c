package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"text/tabwriter"
	"time"

	"bulkpay/batch"
	"bulkpay/providers"
)

// need is what one provider account must hold for the planned items routed to it.
type need struct {
	Provider  string `json:"provider"`
	Account   string `json:"account,omitempty"`
	Items     int    `json:"items"`
	Needed    int64  `json:"needed"`
	Available int64  `json:"available"`
	Shortfall int64  `json:"shortfall"`
	Error     string `json:"error,omitempty"`
}

// providerCost is what a payout takes from the provider's balance: the amount
// sent, plus the provider's own fee where it charges the sender (fee_percent).
func (a *app) providerCost(it batch.Item) int64 {
	cost := it.Send()
	if pct := a.cfg.Providers[it.Provider].FeePercent; pct != "" {
		if r, ok := new(big.Rat).SetString(pct); ok {
			fee := new(big.Rat).Mul(r, big.NewRat(cost, 100))
			n := new(big.Int).Quo(fee.Num(), fee.Denom())
			cost += n.Int64()
		}
	} else if it.Provider == "camoo" && a.sandboxFees {
		cost += cost * 2 / 100 // the sandbox's Camoo takes 2% on top
	}
	return cost
}

// checkBalances compares what each provider account must pay for the planned
// items with what it holds (CamPay per carrier). Items are taken in row order.
func (a *app) checkBalances(ctx context.Context, lanes map[string]batch.Lane, items []batch.Item) ([]need, error) {
	byKey := map[string]*need{}
	var keys []string
	accounts := map[string]map[string]int64{} // provider → account → available
	for _, it := range items {
		if it.State != batch.Planned {
			continue
		}
		acc, ok := accounts[it.Provider]
		if !ok {
			acc = map[string]int64{}
			if bl, isB := lanes[it.Provider].Provider.(batch.Balancer); isB {
				bs, err := balances(ctx, bl)
				if err != nil {
					return nil, fmt.Errorf("balance of %s (asked 3 times): %w", it.Provider, err)
				}
				for _, b := range bs {
					acc[b.Account] = b.Amount
				}
			}
			accounts[it.Provider] = acc
		}
		account := ""
		if _, perCarrier := acc[it.Operator]; perCarrier {
			account = it.Operator
		}
		key := it.Provider + "/" + account
		n := byKey[key]
		if n == nil {
			n = &need{Provider: it.Provider, Account: account, Available: acc[account]}
			byKey[key] = n
			keys = append(keys, key)
		}
		n.Items++
		n.Needed += a.providerCost(it)
	}
	sort.Strings(keys)
	out := make([]need, 0, len(keys))
	for _, k := range keys {
		n := byKey[k]
		n.Shortfall = max(0, n.Needed-n.Available)
		out = append(out, *n)
	}
	return out, nil
}

// holds picks, per short account, the items beyond what it holds, in row order.
func (a *app) holds(items []batch.Item, needs []need) map[int64]bool {
	left := map[string]int64{}
	short := map[string]bool{}
	for _, n := range needs {
		left[n.Provider+"/"+n.Account] = n.Available
		short[n.Provider+"/"+n.Account] = n.Shortfall > 0
	}
	hold := map[int64]bool{}
	for _, it := range items {
		if it.State != batch.Planned {
			continue
		}
		key := it.Provider + "/" + it.Operator
		if _, ok := left[key]; !ok {
			key = it.Provider + "/"
		}
		if !short[key] {
			continue
		}
		cost := a.providerCost(it)
		if cost > left[key] {
			hold[it.ID] = true
			left[key] = -1 // row order: once one does not fit, the rest wait
			continue
		}
		left[key] -= cost
	}
	return hold
}

func printNeeds(w io.Writer, needs []need, currency string) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  provider\taccount\titems\tneeded\tavailable\tshortfall\t\n")
	for _, n := range needs {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\t\n", n.Provider, n.Account, n.Items, money(n.Needed), money(n.Available), money(n.Shortfall))
	}
	tw.Flush()
	fmt.Fprintf(w, "  (amounts in %s)\n", currency)
}

func short(needs []need) bool {
	for _, n := range needs {
		if n.Shortfall > 0 {
			return true
		}
	}
	return false
}

// balances asks a provider for its balances, again after a short wait when the
// answer does not come (a 503 or a reset must not stop a payroll run).
func balances(ctx context.Context, bl batch.Balancer) ([]providers.Balance, error) {
	var err error
	for try := 0; try < 3; try++ {
		var bs []providers.Balance
		if bs, err = bl.Balances(ctx); err == nil {
			return bs, nil
		}
		if errors.Is(err, providers.ErrAuth) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(500*(try+1)) * time.Millisecond):
		}
	}
	return nil, err
}
