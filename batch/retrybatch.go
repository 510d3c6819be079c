package batch

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// RetryStore is what paying a batch's failed items again needs of the ledger.
type RetryStore interface {
	BatchLister
	Notes
	CreateBatch(ctx context.Context, b *Batch, items []Item) error
}

// RetryPlan is a retry batch: one new item per failed item of the original
// not retried yet, each under a new reference linked to the item it pays again.
type RetryPlan struct {
	Batch   Batch // created in the ledger; zero when nothing is left to retry
	Items   []Item
	Detail  string         // for people and the events: how many, how much, by whom
	Already map[string]int // earlier retry batch → failed items of the original it pays again
}

// AlreadyIn says which earlier retry batches pay failed items again:
// "2 in paie-retry-1, 1 in paie-retry-2".
func (p RetryPlan) AlreadyIn() string {
	refs := slices.Sorted(maps.Keys(p.Already))
	parts := make([]string, len(refs))
	for i, ref := range refs {
		parts[i] = fmt.Sprintf("%d in %s", p.Already[ref], ref)
	}
	return strings.Join(parts, ", ")
}

// PlanRetry plans b's failed items again, on purpose: a new batch REF-retry-N
// whose items carry new references, each linked to the failed item it retries,
// recorded in both batches' events, planned by by with its plan hash (an
// approver approves it like any batch). Failed items stay failed; those an earlier
// retry batch already pays again are left out, so nobody is paid twice. With
// nothing left to retry, no batch is created. A failed payout of a claimed
// link is paid again through the link, reopened (LinkStore.ReopenLink): its
// retry item waits, planned, for the beneficiary to claim it again.
func PlanRetry(ctx context.Context, st RetryStore, b Batch, items []Item, by string) (RetryPlan, error) {
	all, err := st.Batches(ctx)
	if err != nil {
		return RetryPlan{}, fmt.Errorf("list batches: %w", err)
	}
	retried := map[int64]string{} // item → the retry batch that pays it again
	n := 1
	waiting := map[int64]Item{} // retry items paid by link, by the item they retry
	for _, other := range all {
		if other.ParentID != b.ID {
			continue
		}
		n++
		its, err := st.Items(ctx, other.ID)
		if err != nil {
			return RetryPlan{}, fmt.Errorf("read the items of batch %s: %w", other.Reference, err)
		}
		for _, it := range its {
			retried[it.RetryOf] = other.Reference
			if it.Mode == ModeLink && it.State == Planned {
				waiting[it.RetryOf] = it
			}
		}
	}
	// a failed payout of a claimed link is paid again through its link,
	// reopened: the beneficiary claims it again
	claimed := map[int64]Link{}
	ls, hasLinks := st.(LinkStore)
	if hasLinks {
		links, err := ls.Links(ctx, b.ID, LinkClaimed)
		if err != nil {
			return RetryPlan{}, fmt.Errorf("read the links of batch %s: %w", b.Reference, err)
		}
		for _, l := range links {
			claimed[l.ItemID] = l
		}
	}
	p := RetryPlan{Already: map[string]int{}}
	rb := Batch{Reference: fmt.Sprintf("%s-retry-%d", b.Reference, n), SheetName: b.SheetName, CreatedBy: by,
		Currency: b.Currency, Sandbox: b.Sandbox, Period: b.Period, ParentID: b.ID, SheetHash: "retry:" + b.SheetHash}
	for _, it := range items {
		if it.State != Failed {
			continue
		}
		if ref, ok := retried[it.ID]; ok {
			p.Already[ref]++
			// an earlier retry stopped between its batch and the reopening of
			// the link (a crash): the link is reopened now for its item
			if l, ok := claimed[it.ID]; ok {
				if next, ok := waiting[it.ID]; ok {
					if err := ls.ReopenLink(ctx, l, next, by); err != nil {
						return RetryPlan{}, fmt.Errorf("reopen the link of row %d: %w", l.Row, err)
					}
				}
			}
			continue
		}
		again := it
		again.ID, again.State, again.Attempts, again.Message = 0, Planned, 0, ""
		again.ProviderReference, again.ProviderFee, again.ProviderNet = "", 0, 0
		again.Reference, again.RetryOf = uuid.NewString(), it.ID
		if _, ok := claimed[it.ID]; ok {
			again.Mode = ModeLink
		}
		p.Items = append(p.Items, again)
		rb.TotalAmount += it.Amount
	}
	if len(p.Items) == 0 {
		return p, nil
	}
	rb.PlanHash = PlanHash(rb, p.Items) // what an approver of the retry batch approves
	if err := st.CreateBatch(ctx, &rb, p.Items); err != nil {
		return RetryPlan{}, fmt.Errorf("create retry batch: %w", err)
	}
	p.Batch = rb
	for _, it := range p.Items {
		if l, ok := claimed[it.RetryOf]; ok {
			if err := ls.ReopenLink(ctx, l, it, by); err != nil {
				return RetryPlan{}, fmt.Errorf("reopen the link of row %d: %w", l.Row, err)
			}
		}
	}
	p.Detail = fmt.Sprintf("%d failed item(s), %s %s, by %s", len(p.Items), Money(rb.TotalAmount), rb.Currency, by)
	if err := st.Note(ctx, b.ID, "failed items retried in batch "+rb.Reference, p.Detail); err != nil {
		return RetryPlan{}, fmt.Errorf("record the retry: %w", err)
	}
	if err := st.Note(ctx, rb.ID, "retry of batch "+b.Reference, p.Detail); err != nil {
		return RetryPlan{}, fmt.Errorf("record the retry: %w", err)
	}
	return p, nil
}

// RetryStep is one later attempt at a failed item, in a retry batch.
type RetryStep struct {
	Batch string // the retry batch's reference
	State State  // the retry item's state there
}

// Retries are, for each failed item of a batch, the retry batches that paid it
// again, in order (a retry that failed and was retried in its turn comes before
// its own retry).
type Retries map[int64][]RetryStep

// Note says what became of a retried item: "retried in REF-retry-1 (succeeded)".
func (r Retries) Note(itemID int64) string {
	steps := r[itemID]
	if len(steps) == 0 {
		return ""
	}
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = fmt.Sprintf("%s (%s)", s.Batch, s.State)
	}
	return "retried in " + strings.Join(parts, ", then in ")
}

// FailedIn lists the retry batches where a retried item failed again and was
// not retried since, in order of reference.
func (r Retries) FailedIn() []string {
	var out []string
	seen := map[string]bool{}
	for _, steps := range r {
		if last := steps[len(steps)-1]; last.State == Failed && !seen[last.Batch] {
			seen[last.Batch] = true
			out = append(out, last.Batch)
		}
	}
	sort.Strings(out)
	return out
}

// RetriesOf finds the retry batches descending from b and what became of each
// of b's failed items there.
func RetriesOf(ctx context.Context, st BatchLister, b Batch) (Retries, error) {
	all, err := st.Batches(ctx)
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	children := map[int64][]Batch{}
	for _, other := range all {
		if other.ParentID != 0 {
			children[other.ParentID] = append(children[other.ParentID], other)
		}
	}
	out := Retries{}
	var follow func(parent int64, origin map[int64]int64) error
	// origin maps an item of the parent batch to the item of b it pays again
	follow = func(parent int64, origin map[int64]int64) error {
		for _, child := range children[parent] {
			items, err := st.Items(ctx, child.ID)
			if err != nil {
				return fmt.Errorf("read the items of batch %s: %w", child.Reference, err)
			}
			next := map[int64]int64{}
			for _, it := range items {
				first, ok := origin[it.RetryOf]
				if !ok {
					continue
				}
				out[first] = append(out[first], RetryStep{Batch: child.Reference, State: it.State})
				next[it.ID] = first
			}
			if err := follow(child.ID, next); err != nil {
				return err
			}
		}
		return nil
	}
	if len(children[b.ID]) == 0 {
		return out, nil // never retried: its items need not be read
	}
	items, err := st.Items(ctx, b.ID)
	if err != nil {
		return nil, fmt.Errorf("read the items of batch %s: %w", b.Reference, err)
	}
	origin := map[int64]int64{}
	for _, it := range items {
		origin[it.ID] = it.ID
	}
	return out, follow(b.ID, origin)
}

// WithRetryNotes returns items with, on each failed item paid again since,
// where and how: "retried in REF-retry-1 (succeeded); <the provider's answer>".
func WithRetryNotes(items []Item, r Retries) []Item {
	out := make([]Item, len(items))
	for i, it := range items {
		out[i] = r.noted(it)
	}
	return out
}

// noted is it with, when it failed and was paid again since, where.
func (r Retries) noted(it Item) Item {
	if note := r.Note(it.ID); note != "" && it.State == Failed {
		it.Message = strings.TrimSuffix(note+"; "+it.Message, "; ")
	}
	return it
}
