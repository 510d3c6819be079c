package batch

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"bulkpay/providers"
)

// Mismatch is a disagreement between the ledger and a provider's own records.
type Mismatch struct {
	Row       int    `json:"row"` // 0: a provider record that matches no item
	Provider  string `json:"provider"`
	Kind      string `json:"kind"` // status, amount, fee, unknown_payout
	Ours      string `json:"ours"`
	Theirs    string `json:"theirs"`
	Reference string `json:"provider_reference"`
}

func (m Mismatch) String() string {
	where := fmt.Sprintf("row %d", m.Row)
	if m.Row == 0 {
		where = "no row"
	}
	return fmt.Sprintf("%s, %s %s: %s — ledger %q, provider %q", where, m.Provider, m.Reference, m.Kind, m.Ours, m.Theirs)
}

// Unchecked is a provider record reconciliation could not read, even after
// retries (the provider kept answering 429, 5xx or nothing at all). It is not a
// mismatch: nobody knows yet whether the records agree. Row 0 is a provider's
// history rather than one item.
type Unchecked struct {
	Row       int    `json:"row"`
	Provider  string `json:"provider"`
	Reference string `json:"provider_reference"`
	Reason    string `json:"reason"`
}

func (u Unchecked) String() string {
	if u.Row == 0 {
		return fmt.Sprintf("%s history: %s", u.Provider, u.Reason)
	}
	return fmt.Sprintf("row %d, %s %s: %s", u.Row, u.Provider, u.Reference, u.Reason)
}

// Lookups is how reconciliation reads the providers' records. A lookup sends no
// money, so every failure that may pass (429, 5xx, a timeout, a reset, a broken
// answer) is asked again after a backoff that honours Retry-After; a definite
// answer (not found, refused, credentials refused) is not. The decision is
// providers.Retry's, for an idempotent call.
type Lookups struct {
	Tries int           // lookups per record before it is reported unchecked; default 4
	Base  time.Duration // first backoff, doubled each time with jitter; default 500ms
	// Sleep waits between lookups; default the system clock's, which stops when
	// ctx is done. Tests replace it so that nothing really waits.
	Sleep func(ctx context.Context, d time.Duration) error
	// Lanes, when they hold a provider, say how its records are read: every
	// lookup goes through the lane's Caller (Lane.Stacked), so its rate and its
	// bound on calls in flight hold, and up to its Concurrency lookups run side
	// by side. A provider without a lane is asked one lookup at a time.
	Lanes map[string]Lane
}

func (lk Lookups) defaults() Lookups {
	if lk.Tries <= 0 {
		lk.Tries = 4
	}
	if lk.Base <= 0 {
		lk.Base = 500 * time.Millisecond
	}
	if lk.Sleep == nil {
		lk.Sleep = providers.SystemClock.Sleep
	}
	return lk
}

// caller is how the records of provider are read, and how many lookups run
// side by side: its lane's Caller and Concurrency, or one direct call at a time.
func (lk Lookups) caller(provider string) (providers.Caller, int) {
	l, ok := lk.Lanes[provider]
	if !ok || l.Provider == nil {
		return providers.Stack(providers.Options{Provider: provider, Concurrency: 1}), 1
	}
	return l.Stacked(providers.Retry{Max: -1}, providers.SystemClock, nil), max(l.Concurrency, 1)
}

// do runs one lookup, again while it fails in a way that may pass. The error
// is the last one; ctx's error when ctx ends.
func (lk Lookups) do(ctx context.Context, lookup func() error) error {
	policy := providers.Retry{Max: lk.Tries - 1, Base: lk.Base}
	if policy.Max == 0 {
		policy.Max = -1 // one lookup only
	}
	for attempt := 1; ; attempt++ {
		err := lookup()
		if err == nil {
			return nil
		}
		d := policy.Decide(attempt, err, true)
		if !d.Retry {
			return err
		}
		if serr := lk.Sleep(ctx, d.Wait); serr != nil {
			return serr
		}
	}
}

// Reconcile compares each item the providers hold with their own records: the
// status, the amount and the provider's fee; and, where a provider can list its
// payouts (Historian), finds payouts over the batch's days that no batch in the
// ledger knows (known: every provider reference of the ledger, by provider).
// Only what a provider answered differently is a mismatch; a record that could
// not be read after lk.Tries lookups is returned apart, as unchecked. The error
// is for a cancelled ctx only.
func Reconcile(ctx context.Context, lanes map[string]Provider, b Batch, items []Item, known map[string]map[string]bool,
	now time.Time, lk Lookups) ([]Mismatch, []Unchecked, error) {
	f, err := reconcileFrom(ctx, lanes, b, ItemsIn(items), func(provider string) (func(string) bool, error) {
		refs := known[provider]
		return func(ref string) bool { return refs[ref] }, nil
	}, now, lk)
	return f.mism, f.unchecked, err
}

// ReferenceLister is a store that lists the provider references it knows of
// one provider (of items and of attempts, perhaps some more than once) a row
// at a time: reconciliation keeps them in a refSet, far smaller than the
// strings of every reference of a large ledger (ReconcileStore's
// ProviderReferences).
type ReferenceLister interface {
	EachProviderReference(ctx context.Context, provider string, fn func(ref string) error) error
}

// refSet is a set of provider references: each one written as a UUID is
// (lower case, with its dashes, as providers give them) kept as its 16
// bytes, any other as its text.
type refSet struct {
	uuids map[[16]byte]struct{}
	other map[string]struct{}
}

func (s *refSet) add(ref string) {
	if u, ok := uuidBytes(ref); ok {
		if s.uuids == nil {
			s.uuids = map[[16]byte]struct{}{}
		}
		s.uuids[u] = struct{}{}
		return
	}
	if s.other == nil {
		s.other = map[string]struct{}{}
	}
	s.other[strings.Clone(ref)] = struct{}{}
}

func (s *refSet) has(ref string) bool {
	if u, ok := uuidBytes(ref); ok {
		_, found := s.uuids[u]
		return found
	}
	_, found := s.other[ref]
	return found
}

// uuidBytes reads a UUID written as 36 characters, lower-case hex digits
// with dashes after the 8th, 12th, 16th and 20th: one text for one UUID, so
// that two references are the same bytes exactly when they are the same text.
func uuidBytes(s string) (u [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	j := 0
	for i := 0; i < 36; i += 2 {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i--
			continue
		}
		hi, ok1 := lowerHex(s[i])
		lo, ok2 := lowerHex(s[i+1])
		if !ok1 || !ok2 {
			return u, false
		}
		u[j] = hi<<4 | lo
		j++
	}
	return u, true
}

func lowerHex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// findings are what a reconciliation found, in the order it found them.
type findings struct {
	mism      []Mismatch
	unchecked []Unchecked
}

// reconcileFrom is Reconcile over the items each gives in sheet order (a
// store's, read a page at a time): it looks up a page of them at a time, side
// by side per provider, and compares each with its answer before the next page
// is read, so that neither the items nor their answers are ever held whole.
// known tells, once the items are compared, which references the ledger
// knows of a provider whose history is read. An error of each or of known is
// returned as it is.
func reconcileFrom(ctx context.Context, lanes map[string]Provider, b Batch, each ItemSource,
	known func(provider string) (func(ref string) bool, error), now time.Time, lk Lookups) (findings, error) {
	lk = lk.defaults()
	var f findings
	used := map[string]bool{}
	page := make([]Item, 0, ItemPage)
	flush := func() error {
		err := f.compare(ctx, lanes, page, lk)
		page = page[:0]
		return err
	}
	err := each(func(it Item) error {
		used[it.Provider] = true
		page = append(page, it)
		if len(page) < ItemPage {
			return nil
		}
		return flush()
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return f, err
	}
	for name := range used {
		h, ok := lanes[name].(Historian)
		if !ok {
			continue
		}
		knows, err := known(name)
		if err != nil {
			return f, err
		}
		caller, _ := lk.caller(name)
		// the history is compared as it is read; what a lookup that failed
		// found is dropped with it, and the next one starts over
		var strays []Mismatch
		err = lk.do(ctx, func() error {
			strays = strays[:0]
			return caller.Call(ctx, providers.Op{Name: "history", Idempotent: true, Retries: -1}, func(ctx context.Context) error {
				return h.Records(ctx, b.CreatedAt.AddDate(0, 0, -1), now.AddDate(0, 0, 1), func(r providers.Record) error {
					if r.Status == providers.StatusSucceeded && !knows(r.ProviderReference) {
						strays = append(strays, Mismatch{Provider: name, Kind: "unknown_payout", Ours: "no item",
							Theirs: fmt.Sprintf("%d to %s at %s", r.Amount, r.Phone, r.At.Format(time.RFC3339)), Reference: r.ProviderReference})
					}
					return nil
				})
			})
		})
		if ctx.Err() != nil {
			return f, ctx.Err()
		}
		if err != nil {
			f.unchecked = append(f.unchecked, Unchecked{Provider: name, Reason: lookupReason(err, lk.Tries)})
			continue
		}
		f.mism = append(f.mism, strays...)
	}
	return f, nil
}

// compare looks up the provider's record of each item of page, up to each
// provider's concurrency side by side, and adds what disagrees to f in the
// items' order. The error is ctx's, once it ends.
func (f *findings) compare(ctx context.Context, lanes map[string]Provider, items []Item, lk Lookups) error {
	type answer struct {
		res providers.Result
		err error
	}
	answers := make([]answer, len(items))
	byProvider := map[string][]int{}
	for i, it := range items {
		if lanes[it.Provider] == nil || it.ProviderReference == "" {
			continue
		}
		byProvider[it.Provider] = append(byProvider[it.Provider], i)
	}
	var wg sync.WaitGroup
	for name, idx := range byProvider {
		p := lanes[name]
		caller, workers := lk.caller(name)
		var next atomic.Int64
		for range min(workers, len(idx)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n := int(next.Add(1)) - 1
					if n >= len(idx) || ctx.Err() != nil {
						return
					}
					i := idx[n]
					var res providers.Result
					err := lk.do(ctx, func() (err error) {
						res, err = providers.Call(ctx, caller, providers.Op{Name: "status", Idempotent: true, Retries: -1},
							func(ctx context.Context) (providers.Result, error) { return p.Check(ctx, items[i].ProviderReference) })
						return err
					})
					answers[i] = answer{res, err}
				}
			}()
		}
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for i, it := range items {
		if lanes[it.Provider] == nil || it.ProviderReference == "" {
			continue
		}
		res, err := answers[i].res, answers[i].err
		inDoubt := it.State == Review || it.State == Unknown
		switch {
		case errors.Is(err, providers.ErrNotFound):
			if !inDoubt {
				f.mism = append(f.mism, Mismatch{Row: it.Row, Provider: it.Provider, Kind: "status", Ours: string(it.State),
					Theirs: "not found", Reference: it.ProviderReference})
			}
			continue
		case err != nil:
			f.unchecked = append(f.unchecked, Unchecked{Row: it.Row, Provider: it.Provider, Reference: it.ProviderReference,
				Reason: lookupReason(err, lk.Tries)})
			continue
		}
		if want := stateOf(res.Status); want != it.State && !inDoubt {
			f.mism = append(f.mism, Mismatch{Row: it.Row, Provider: it.Provider, Kind: "status", Ours: string(it.State),
				Theirs: string(res.Status), Reference: it.ProviderReference})
		}
		if res.Amount != 0 && res.Amount != it.Send() {
			f.mism = append(f.mism, Mismatch{Row: it.Row, Provider: it.Provider, Kind: "amount", Ours: strconv.FormatInt(it.Send(), 10),
				Theirs: strconv.FormatInt(res.Amount, 10), Reference: it.ProviderReference})
		}
		if res.Fee != 0 && it.ProviderFee != 0 && res.Fee != it.ProviderFee {
			f.mism = append(f.mism, Mismatch{Row: it.Row, Provider: it.Provider, Kind: "fee", Ours: strconv.FormatInt(it.ProviderFee, 10),
				Theirs: strconv.FormatInt(res.Fee, 10), Reference: it.ProviderReference})
		}
	}
	return nil
}

// lookupReason says why a record could not be read, for people.
func lookupReason(err error, tries int) string {
	if (providers.Retry{}).Decide(1, err, true).Retry { // it might have passed: the lookups ran out
		return fmt.Sprintf("no readable answer after %d lookups (%v)", tries, err)
	}
	return err.Error()
}
