package batch

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sort"
	"time"

	"bulkpay/providers"
)

// Need is what one provider account must hold for the planned items routed to
// it, against what it holds.
type Need struct {
	Provider  string `json:"provider"`
	Account   string `json:"account,omitempty"` // CamPay's carrier; empty for a provider with one balance
	Items     int    `json:"items"`
	Needed    int64  `json:"needed"`
	Available int64  `json:"available"`
	Shortfall int64  `json:"shortfall"`
	Error     string `json:"error,omitempty"`
}

// Costs say what a payout takes from each provider's balance beyond the amount
// sent: provider → the fee it draws on top, in percent as an exact decimal
// ("2", "1.5"). A provider not named draws the amount alone. The door fills it
// from the config's fee_percent and from what a simulator declares it takes.
type Costs map[string]string

// Of is what item takes from its provider's balance: the amount sent plus the
// provider's fee on top, rounded down to the franc.
func (c Costs) Of(it Item) int64 {
	cost := it.Send()
	pct := c[it.Provider]
	if pct == "" {
		return cost
	}
	r, err := parsePercent(pct)
	if err != nil {
		return cost // the config refuses such a percentage when it is read
	}
	fee := new(big.Rat).Mul(r, big.NewRat(cost, 100))
	return cost + new(big.Int).Quo(fee.Num(), fee.Denom()).Int64()
}

// Validate refuses a fee that is not an exact decimal between 0 and 100.
func (c Costs) Validate() error {
	for name, pct := range c {
		if pct == "" {
			continue
		}
		r, err := parsePercent(pct)
		if err != nil {
			return fmt.Errorf("%s fee_percent: %w", name, err)
		}
		if r.Cmp(big.NewRat(100, 1)) > 0 {
			return fmt.Errorf("%s fee_percent: %s is not between 0 and 100", name, pct)
		}
	}
	return nil
}

// BalanceRetry is how a balance that does not come is asked again: up to three
// times in all, as the one retry decision says (credentials refused: at once).
var BalanceRetry = providers.Retry{Max: 2, Base: 500 * time.Millisecond}

// AskBalance asks a provider for its balances through c, the provider's call
// stack (its lane's Caller, shared with the run), as a read sent up to
// BalanceRetry.Max+1 times, so that a 503 or a reset does not stop a payroll
// run and the ask counts against the provider's rate limit like any other call.
func AskBalance(ctx context.Context, c providers.Caller, bl Balancer) ([]providers.Balance, error) {
	return providers.Call(ctx, c, providers.Op{Name: "balance", Idempotent: true, Retries: BalanceRetry.Max}, bl.Balances)
}

// ItemSource gives items to fn one at a time, in sheet order, and stops at
// fn's first error: a slice's, or a store's read a page at a time.
type ItemSource func(fn func(Item) error) error

// ItemsIn is the ItemSource of items held in memory.
func ItemsIn(items []Item) ItemSource {
	return func(fn func(Item) error) error {
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	}
}

// StoredItems is the ItemSource of a batch's items as st holds them,
// optionally only those in states, read a page at a time (EachItem): the
// batch is never held whole.
func StoredItems(ctx context.Context, st ItemReader, batchID int64, states ...State) ItemSource {
	return func(fn func(Item) error) error { return EachItem(ctx, st, batchID, fn, states...) }
}

// CheckBalances compares what each provider account must pay for the planned
// items with what it holds (CamPay per carrier), in row order. A provider that
// cannot tell its balance (not a Balancer) is taken to hold nothing; one whose
// answer does not come stops the check. Each provider is asked through its
// lane's Caller; a lane without one gets its own stack on clock.
func CheckBalances(ctx context.Context, lanes map[string]Lane, items []Item, costs Costs, clock providers.Clock) ([]Need, error) {
	return checkBalances(ctx, lanes, ItemsIn(items), costs, clock)
}

// StoredBalances is CheckBalances over b's planned items as the store holds
// them, read a page at a time, through the providers connect reaches.
func StoredBalances(ctx context.Context, st ItemReader, b Batch, connect func(context.Context) (*Connection, error), clock providers.Clock) ([]Need, error) {
	conn, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	if conn.Close != nil {
		defer conn.Close()
	}
	return storedBalances(ctx, st, b, conn.Lanes, conn.Costs, clock)
}

// storedBalances is CheckBalances over b's planned items read a page at a time.
func storedBalances(ctx context.Context, st ItemReader, b Batch, lanes map[string]Lane, costs Costs, clock providers.Clock) ([]Need, error) {
	return checkBalances(ctx, lanes, storedPlanned(ctx, st, b), costs, clock)
}

// storedPlanned is b's planned items read a page at a time; an error of the
// reading (not of fn) says which batch could not be read.
func storedPlanned(ctx context.Context, st ItemReader, b Batch) ItemSource {
	return func(fn func(Item) error) error {
		var fnErr error
		err := EachItem(ctx, st, b.ID, func(it Item) error {
			fnErr = fn(it)
			return fnErr
		}, Planned)
		if err != nil && fnErr == nil {
			return fmt.Errorf("read the items of batch %s: %w", b.Reference, err)
		}
		return err
	}
}

func checkBalances(ctx context.Context, lanes map[string]Lane, each ItemSource, costs Costs, clock providers.Clock) ([]Need, error) {
	byKey := map[string]*Need{}
	var keys []string
	accounts := map[string]map[string]int64{} // provider → account → available
	err := each(func(it Item) error {
		if it.State != Planned {
			return nil
		}
		acc, ok := accounts[it.Provider]
		if !ok {
			acc = map[string]int64{}
			if bl, isB := lanes[it.Provider].Provider.(Balancer); isB {
				bs, err := AskBalance(ctx, lanes[it.Provider].Stacked(BalanceRetry, clock, nil), bl)
				if err != nil {
					return fmt.Errorf("balance of %s (asked up to %d times): %w", it.Provider, BalanceRetry.Max+1, err)
				}
				for _, b := range bs {
					acc[b.Account] = b.Amount
				}
			}
			accounts[it.Provider] = acc
		}
		account := accountOf(lanes, it, func(a string) bool { _, ok := acc[a]; return ok })
		key := it.Provider + "/" + account
		n := byKey[key]
		if n == nil {
			n = &Need{Provider: it.Provider, Account: account, Available: acc[account]}
			byKey[key] = n
			keys = append(keys, key)
		}
		n.Items++
		n.Needed += costs.Of(it)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(keys)
	out := make([]Need, 0, len(keys))
	for _, k := range keys {
		n := byKey[k]
		n.Shortfall = max(0, n.Needed-n.Available)
		out = append(out, *n)
	}
	return out, nil
}

// Short reports whether any account cannot cover what it must pay.
func Short(needs []Need) bool {
	for _, n := range needs {
		if n.Shortfall > 0 {
			return true
		}
	}
	return false
}

// Holds picks, per short account, the planned items beyond what it holds, in
// row order: once one item does not fit, every later one of that account waits
// too, so that a partial run pays the sheet's first rows, not a scattering.
func Holds(items []Item, needs []Need, costs Costs) map[int64]bool {
	hold, _ := HoldsOf(ItemsIn(items), needs, costs)
	return hold
}

// Accounter is a Balancer with several accounts that tells which one pays a
// payout (MoMo: one per market, each its own target environment and
// balance). A provider that is not one has a single balance, or one per
// carrier (CamPay) named by the payout's operator.
type Accounter interface {
	Account(p providers.Payout) string
}

// accountOf is the account of its provider that pays it: the one the
// provider names (Accounter), else its operator's when the provider has one
// (has says which accounts it has), else its only one ("").
func accountOf(lanes map[string]Lane, it Item, has func(account string) bool) string {
	if a, ok := lanes[it.Provider].Provider.(Accounter); ok {
		return a.Account(providers.Payout{Reference: it.Reference, Phone: it.Phone, Country: it.Country, Operator: it.Operator, Amount: it.Send()})
	}
	if has(it.Operator) {
		return it.Operator
	}
	return ""
}

// HoldsOf is Holds over the items each gives in row order (a store's, read a
// page at a time): only the ids of the items held are kept.
func HoldsOf(each ItemSource, needs []Need, costs Costs) (map[int64]bool, error) {
	return holdsOf(each, needs, costs, nil)
}

// holdsOf is HoldsOf with the lanes that say which account pays an item.
func holdsOf(each ItemSource, needs []Need, costs Costs, lanes map[string]Lane) (map[int64]bool, error) {
	left := map[string]int64{}
	short := map[string]bool{}
	for _, n := range needs {
		left[n.Provider+"/"+n.Account] = n.Available
		short[n.Provider+"/"+n.Account] = n.Shortfall > 0
	}
	hold := map[int64]bool{}
	err := each(func(it Item) error {
		if it.State != Planned {
			return nil
		}
		key := it.Provider + "/" + accountOf(lanes, it, func(a string) bool { _, ok := left[it.Provider+"/"+a]; return ok })
		if !short[key] {
			return nil
		}
		cost := costs.Of(it)
		if cost > left[key] {
			hold[it.ID] = true
			left[key] = -1 // row order: once one does not fit, the rest wait
			return nil
		}
		left[key] -= cost
		return nil
	})
	return hold, err
}

// AccountBalance is one provider account's balance as asked, or why the
// provider's could not be read.
type AccountBalance struct {
	Provider string
	providers.Balance
	Err error
}

// Balances asks every lane's provider that can tell for its balances, in order
// of name, through the lane's Caller (a lane without one gets its own stack on
// clock); the error joins those of the providers that did not answer.
func Balances(ctx context.Context, lanes map[string]Lane, clock providers.Clock) ([]AccountBalance, error) {
	names := slices.Sorted(maps.Keys(lanes))
	var out []AccountBalance
	var failed error
	for _, n := range names {
		bl, ok := lanes[n].Provider.(Balancer)
		if !ok {
			continue
		}
		bs, err := AskBalance(ctx, lanes[n].Stacked(BalanceRetry, clock, nil), bl)
		if err != nil {
			out = append(out, AccountBalance{Provider: n, Err: err})
			failed = errors.Join(failed, err)
			continue
		}
		for _, b := range bs {
			out = append(out, AccountBalance{Provider: n, Balance: b})
		}
	}
	return out, failed
}
