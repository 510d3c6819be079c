package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"bulkpay/batch"
)

// Input is what a batch's reports are made of: the ledger's state, nothing else,
// so the same state gives the same files. The items are gone through, never
// held: a report of any size costs the memory of a page of items.
type Input struct {
	Batch      batch.Batch
	Items      Items                                       // the batch's items
	Attempts   func(itemID int64) ([]batch.Attempt, error) // evidence for an item in review; nil: none
	Mismatches []Mismatch                                  // the latest findings of reconcile
	Unchecked  []Unchecked                                 // what reconcile could not read, apart from mismatches
	Names      []batch.NameCheck                           // the name check's results (the registered names are not shown)
	Links      []batch.Link                                // the batch's links, in sheet order; none when it pays nobody by link
	Messages   []batch.Message                             // the messages sent about them
}

// Items goes through a batch's items in sheet order, only those in states
// when any are given, calling fn with each; an error from fn stops it and is
// returned.
type Items func(fn func(batch.Item) error, states ...batch.State) error

// Held is Items over items already in memory (in sheet order), with their
// attempts by item id: reports of a plan or of a test's fixture.
func Held(items []batch.Item, attempts map[int64][]batch.Attempt) (Items, func(int64) ([]batch.Attempt, error)) {
	each := func(fn func(batch.Item) error, states ...batch.State) error {
		for _, it := range items {
			if len(states) > 0 && !slices.Contains(states, it.State) {
				continue
			}
			if err := fn(it); err != nil {
				return err
			}
		}
		return nil
	}
	return each, func(id int64) ([]batch.Attempt, error) { return attempts[id], nil }
}

// Mismatch is a disagreement between the ledger and a provider's own records.
type Mismatch = batch.Mismatch

// Unchecked is an item (or, at row 0, a provider's list of payouts) whose
// provider record could not be read.
type Unchecked = batch.Unchecked

// findings splits what reconcile found into real mismatches and what could not
// be checked: a record that could not be read (kind "unreadable") is not a
// disagreement, whichever list it came in.
func findings(in Input) ([]Mismatch, []Unchecked) {
	mism, unchecked := []Mismatch{}, append([]Unchecked{}, in.Unchecked...)
	for _, m := range in.Mismatches {
		if m.Kind == "unreadable" {
			unchecked = append(unchecked, Unchecked{Row: m.Row, Provider: m.Provider, Reference: m.Reference, Reason: m.Theirs})
			continue
		}
		mism = append(mism, m)
	}
	return mism, unchecked
}

// Summary is summary.json; its fields are documented in the README.
type Summary struct {
	BatchID         int64       `json:"batch_id"`
	Reference       string      `json:"reference"`
	SheetName       string      `json:"sheet_name"`
	SheetHash       string      `json:"sheet_hash"`
	Period          string      `json:"period"`
	Currency        string      `json:"currency"`
	Environment     string      `json:"environment"`
	CreatedAt       time.Time   `json:"created_at"`
	CreatedBy       string      `json:"created_by"`
	PlanHash        string      `json:"plan_hash"`
	Approval        *Approval   `json:"approval"`
	Items           int         `json:"items"`
	TotalAmount     int64       `json:"total_amount"`
	Charge          int64       `json:"charge"`
	Profit          int64       `json:"profit"`
	SucceededAmount int64       `json:"succeeded_amount"`
	ProviderFees    int64       `json:"provider_fees"`
	ByState         []Tally     `json:"by_state"`
	ByProvider      []Tally     `json:"by_provider"`
	ByOperator      []Tally     `json:"by_operator"`
	ByProviderState []Tally     `json:"by_provider_state"`
	NeedsPerson     int         `json:"needs_person"`
	Mismatches      []Mismatch  `json:"mismatches"`
	CouldNotCheck   []Unchecked `json:"could_not_check"`
	Links           *Links      `json:"links,omitempty"`
}

// Approval is who approved which plan, and when.
type Approval struct {
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	PlanHash string    `json:"plan_hash"`
}

// Tally counts items and sums money for one state, provider or operator.
type Tally struct {
	State     string `json:"state,omitempty"`
	Provider  string `json:"provider,omitempty"`
	Operator  string `json:"operator,omitempty"`
	Items     int    `json:"items"`
	Amount    int64  `json:"amount"`
	Charge    int64  `json:"charge"`
	Succeeded int64  `json:"succeeded_amount"`
}

func env(b batch.Batch) string {
	if b.Sandbox {
		return "SANDBOX"
	}
	return "live"
}

// Summarize computes the summary of a batch, going through its items once.
func Summarize(in Input) (Summary, error) {
	t := newTallies(in)
	if in.Items != nil {
		if err := in.Items(func(it batch.Item) error { t.add(it); return nil }); err != nil {
			return Summary{}, err
		}
	}
	return t.summary(), nil
}

// tallies sums a batch's items into its Summary as they go by.
type tallies struct {
	s                      Summary
	states, provs, ops, ps map[string]*Tally
}

func newTallies(in Input) *tallies {
	b := in.Batch
	s := Summary{BatchID: b.ID, Reference: b.Reference, SheetName: b.SheetName, SheetHash: b.SheetHash, Period: b.Period,
		Currency: b.Currency, Environment: env(b), CreatedAt: b.CreatedAt.UTC(), CreatedBy: b.CreatedBy, PlanHash: b.PlanHash,
		Charge: b.Charge, Profit: b.Profit}
	s.Mismatches, s.CouldNotCheck = findings(in)
	s.Links = linkSummary(b.Charge, in.Links, in.Messages)
	if b.Approval.Hash != "" {
		s.Approval = &Approval{By: b.Approval.By, At: b.Approval.At.UTC(), PlanHash: b.Approval.Hash}
	}
	return &tallies{s: s, states: map[string]*Tally{}, provs: map[string]*Tally{}, ops: map[string]*Tally{}, ps: map[string]*Tally{}}
}

func (t *tallies) add(it batch.Item) {
	s := &t.s
	s.Items++
	s.TotalAmount += it.Amount
	s.ProviderFees += it.ProviderFee
	if it.State == batch.Succeeded {
		s.SucceededAmount += it.Amount
	}
	if it.State == batch.Review || it.State == batch.Unknown {
		s.NeedsPerson++
	}
	add(t.states, string(it.State), Tally{State: string(it.State)}, it)
	add(t.provs, it.Provider, Tally{Provider: it.Provider}, it)
	add(t.ops, it.Provider+"/"+it.Operator, Tally{Provider: it.Provider, Operator: it.Operator}, it)
	add(t.ps, it.Provider+"/"+stateOrder(it.State), Tally{Provider: it.Provider, State: string(it.State)}, it)
}

func (t *tallies) summary() Summary {
	s := t.s
	for _, st := range batch.States {
		if t := t.states[string(st)]; t != nil {
			s.ByState = append(s.ByState, *t)
		}
	}
	s.ByProvider, s.ByOperator, s.ByProviderState = ordered(t.provs), ordered(t.ops), ordered(t.ps)
	if s.ByState == nil {
		s.ByState = []Tally{}
	}
	return s
}

// stateOrder sorts states as batch.States lists them.
func stateOrder(st batch.State) string {
	for i, s := range batch.States {
		if s == st {
			return string(rune('a'+i)) + string(st)
		}
	}
	return string(st)
}

func add(m map[string]*Tally, key string, zero Tally, it batch.Item) {
	t := m[key]
	if t == nil {
		t = &zero
		m[key] = t
	}
	t.Items++
	t.Amount += it.Amount
	t.Charge += it.Charge
	if it.State == batch.Succeeded {
		t.Succeeded += it.Amount
	}
}

func ordered(m map[string]*Tally) []Tally {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Tally, 0, len(keys))
	for _, k := range keys {
		out = append(out, *m[k])
	}
	return out
}

// WriteAll writes DIR/<reference>/ reconciliation.csv, mismatches.csv,
// could-not-check.csv, summary.json and reconciliation.xlsx, each atomically,
// and returns the directory. The items are gone through once for
// reconciliation.csv, the workbook's Items sheet and the sums, then once more
// for those in review and those rejected; none is held.
func WriteAll(root string, in Input) (string, error) {
	dir := Dir(root, in.Batch)
	w, err := newBook(in.Batch)
	if err != nil {
		return dir, err
	}
	defer w.f.Close()
	t := newTallies(in)
	items, err := w.table(sheetItems, itemColumns)
	if err != nil {
		return dir, err
	}
	if err := writeCSV(filepath.Join(dir, "reconciliation.csv"), itemsHeader, func(row func([]any) error) error {
		return in.Items(func(it batch.Item) error {
			t.add(it)
			if err := items.row(itemRow(it)); err != nil {
				return err
			}
			return row(itemLine(in.Batch, it))
		})
	}); err != nil {
		return dir, err
	}
	if err := items.close(); err != nil {
		return dir, err
	}
	sum := t.summary()
	if len(in.Links) > 0 {
		if err := writeLinks(dir, in.Batch, in.Links); err != nil {
			return dir, err
		}
	}
	for _, f := range []struct {
		name string
		t    table
	}{{"mismatches.csv", mismatchesCSV(sum)}, {"could-not-check.csv", uncheckedCSV(sum)}} {
		if err := writeCSV(filepath.Join(dir, f.name), f.t.header, f.t.each); err != nil {
			return dir, err
		}
	}
	if err := writeAtomic(filepath.Join(dir, "summary.json"), func(f *os.File) error {
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(sum)
	}); err != nil {
		return dir, err
	}
	return dir, w.finish(filepath.Join(dir, "reconciliation.xlsx"), in, sum)
}
