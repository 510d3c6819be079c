package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Router chooses, for a row, the providers that may pay it, in order of preference.
// An error says why no configured provider can pay the row.
type Router interface {
	Route(r Row) ([]string, error)
}

// Plan turns validated rows into a batch and its items, each with its own UUID4
// reference, without fees. Rows no provider can pay come back as errors.
func Plan(reference, sheetName, currency string, rows []Row, router Router) (Batch, []Item, []RowError) {
	return PlanWithFees(reference, sheetName, currency, rows, router, Fees{})
}

// PlanWithFees plans like Plan and charges each item per fees. With the
// beneficiary bearing the charge, a row whose charge is not below its amount is
// refused.
func PlanWithFees(reference, sheetName, currency string, rows []Row, router Router, fees Fees) (Batch, []Item, []RowError) {
	p := newPlanner(Batch{Reference: reference, SheetName: sheetName, Currency: currency, Fees: fees}, router, "")
	b, items := p.plan(rows)
	return b, items, p.refused
}

// plan plans rows, in sheet order: the batch with its sheet and plan hashes,
// and the items of the rows not refused.
func (p *planner) plan(rows []Row) (Batch, []Item) {
	items := make([]Item, 0, len(rows))
	for _, r := range rows {
		if it, ok := p.item(r); ok {
			items = append(items, stored(it))
		}
	}
	b := p.b
	b.SheetHash = p.sheetHash()
	b.PlanHash = PlanHash(b, items)
	return b, items
}

// planner plans rows one at a time, in sheet order, holding none: the batch's
// totals, the hash of its rows, its refusals and what it pays per provider
// and carrier grow as rows go by.
type planner struct {
	b       Batch
	router  Router
	period  string // the fingerprints'
	sheet   hash.Hash
	refused []RowError
	lines   map[string]*PlanLine // by provider/carrier
	cost    int64

	refusedRows   int   // rows refused while planning
	refusedAmount int64 // and their amounts
	links         int   // items paid by link
}

func newPlanner(b Batch, router Router, period string) *planner {
	if rs, ok := router.(Routes); ok && rs.Currency == "" {
		rs.Currency = b.Currency // what each provider pays is checked in the batch currency
		router = rs
	}
	return &planner{b: b, router: router, period: period, sheet: sha256.New(), lines: map[string]*PlanLine{}}
}

// item plans one row: its route and charge, or its refusal. The item has
// no reference yet: stored gives it one.
func (p *planner) item(r Row) (Item, bool) {
	writeRow(p.sheet, r)
	fees := p.b.Fees
	route, err := p.router.Route(routed(r))
	var refusal *RowError
	var charge int64
	switch {
	case err != nil:
		e := RouteRowError(r, err)
		refusal = &e
	default:
		if charge, err = fees.Charge(r.Mode, r.Amount); err != nil {
			refusal = &RowError{Row: r.Row, Column: "amount", Value: strconv.FormatInt(r.Amount, 10), Message: err.Error()}
		} else if fees.Bearer == BearerBeneficiary && charge >= r.Amount {
			refusal = &RowError{Row: r.Row, Column: "amount", Value: strconv.FormatInt(r.Amount, 10),
				Message: RowText("charge_not_below_amount", "charge", strconv.FormatInt(charge, 10))}
		}
	}
	if refusal != nil {
		p.refused = append(p.refused, *refusal)
		p.refusedRows++
		p.refusedAmount += r.Amount
		return Item{}, false
	}
	it := Item{
		Row:       r.Row,
		Name:      r.Name,
		Phone:     r.Phone,
		Country:   r.Country,
		Operator:  r.Operator,
		Email:     r.Email,
		Mode:      r.Mode,
		Amount:    r.Amount,
		Charge:    charge,
		PayAmount: fees.Payout(r.Amount, charge),
		Provider:  route[0],
		Route:     route,
		State:     Planned,
	}
	it.Fingerprint = Fingerprint(r, p.period)
	if it.Mode == ModeLink {
		p.links++
	}
	p.b.TotalAmount += r.Amount
	p.b.Charge += charge
	p.b.Profit = p.b.Charge
	p.b.ItemCount++
	key := it.Provider + "/" + it.Operator
	l := p.lines[key]
	if l == nil {
		l = &PlanLine{Provider: it.Provider, Operator: it.Operator}
		p.lines[key] = l
	}
	l.Items++
	l.Amount += it.Amount
	l.Charge += it.Charge
	p.cost += fees.Cost(it.Amount, it.Charge)
	return it, true
}

// routed is the row as routing sees it: a row paid by link is routed, until
// it is claimed, as mobile money to the number on file.
func routed(r Row) Row {
	if r.Mode == ModeLink {
		r.Mode = ModeMobileMoney
	}
	return r
}

// stored is a planned item given its own reference (a UUID4), as it is kept.
func stored(it Item) Item {
	it.Reference = uuid.NewString()
	return it
}

// sheetHash is ContentHash of the rows planned so far.
func (p *planner) sheetHash() string { return hex.EncodeToString(p.sheet.Sum(nil)) }

// byCarrier lists what the plan pays per provider and carrier, by provider
// then carrier.
func (p *planner) byCarrier() []PlanLine {
	keys := slices.Sorted(maps.Keys(p.lines))
	out := make([]PlanLine, 0, len(keys))
	for _, k := range keys {
		out = append(out, *p.lines[k])
	}
	return out
}

// PlanLine is what a plan pays through one provider and carrier.
type PlanLine struct {
	Provider string
	Operator string
	Items    int
	Amount   int64
	Charge   int64
}

// planHasher is PlanHash worked out item by item.
type planHasher struct {
	h   hash.Hash
	buf []byte
}

func newPlanHasher(b Batch) *planHasher {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", b.SheetHash, b.Currency, b.Fees.Bearer)
	return &planHasher{h: h}
}

// add hashes the item's line: row, route, charge, amount sent, fingerprint.
func (p *planHasher) add(it Item) {
	b := strconv.AppendInt(p.buf[:0], int64(it.Row), 10)
	b = append(b, '\t')
	for i, r := range it.Route {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	b = append(b, '\t')
	b = strconv.AppendInt(b, it.Charge, 10)
	b = append(b, '\t')
	b = strconv.AppendInt(b, it.Send(), 10)
	b = append(b, '\t')
	b = append(b, it.Fingerprint...)
	b = append(b, '\n')
	p.h.Write(b)
	p.buf = b
}

func (p *planHasher) sum() string { return hex.EncodeToString(p.h.Sum(nil)) }

// PlanHash identifies what a run would do: the sheet's rows, each item's route
// and charge, and who bears the charges. Approval is given to it.
func PlanHash(b Batch, items []Item) string {
	h := newPlanHasher(b)
	for _, it := range items {
		h.add(it)
	}
	return h.sum()
}

// RouteError is a routing refusal that names the column it comes from.
type RouteError struct {
	Column string
	Value  string
	Reason string
}

func (e *RouteError) Error() string { return e.Reason }

// RouteRowError turns a routing refusal into the row's error, naming the column
// the refusal comes from.
func RouteRowError(r Row, err error) RowError {
	re := &RouteError{Column: "phone", Value: "+" + r.Phone, Reason: err.Error()}
	errors.As(err, &re)
	return RowError{Row: r.Row, Column: re.Column, Value: re.Value, Message: re.Reason}
}

// ContentHash identifies a sheet by its validated content, not its bytes: the
// same rows saved again (or as csv instead of xlsx) give the same hash.
func ContentHash(rows []Row) string {
	h := sha256.New()
	for _, r := range rows {
		writeRow(h, r)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeRow(w io.Writer, r Row) {
	fields := []string{strconv.Itoa(r.Row), r.Name, r.Phone, strconv.FormatInt(r.Amount, 10), r.Email, r.Mode, r.Provider, r.Reference}
	for i, f := range fields {
		if i > 0 {
			io.WriteString(w, "\t")
		}
		io.WriteString(w, strings.ReplaceAll(f, "\t", " "))
	}
	io.WriteString(w, "\n")
}

// Diff lists, for people, how rows differ from a batch's stored items.
func Diff(items []Item, rows []Row) []string {
	old := make(map[int]Item, len(items))
	for _, it := range items {
		old[it.Row] = it
	}
	var out []string
	seen := make(map[int]bool, len(rows))
	for _, r := range rows {
		seen[r.Row] = true
		it, ok := old[r.Row]
		if !ok {
			out = append(out, addedLine(r))
			continue
		}
		out = append(out, rowChanges(it, r)...)
	}
	for _, it := range items {
		if !seen[it.Row] {
			out = append(out, removedLine(it))
		}
	}
	if len(out) == 0 {
		out = append(out, "the rows read the same but other columns (provider, reference) differ")
	}
	return out
}

func addedLine(r Row) string {
	return fmt.Sprintf("row %d: added (%s, +%s, %d)", r.Row, r.Name, r.Phone, r.Amount)
}

func removedLine(it Item) string {
	return fmt.Sprintf("row %d: removed (%s, +%s, %d)", it.Row, it.Name, it.Phone, it.Amount)
}

// rowChanges lists how row r differs from the item stored for it.
func rowChanges(it Item, r Row) []string {
	var out []string
	if it.Name != r.Name {
		out = append(out, fmt.Sprintf("row %d: name %q → %q", r.Row, it.Name, r.Name))
	}
	if it.Phone != r.Phone {
		out = append(out, fmt.Sprintf("row %d: phone +%s → +%s", r.Row, it.Phone, r.Phone))
	}
	if it.Amount != r.Amount {
		out = append(out, fmt.Sprintf("row %d: amount %d → %d", r.Row, it.Amount, r.Amount))
	}
	if it.Email != r.Email {
		out = append(out, fmt.Sprintf("row %d: email %q → %q", r.Row, it.Email, r.Email))
	}
	if it.Mode != r.Mode {
		out = append(out, fmt.Sprintf("row %d: mode %q → %q", r.Row, it.Mode, r.Mode))
	}
	return out
}

// Prepare returns the batch stored under planned.Reference, creating it with items
// when there is none. An existing batch with another content hash is refused with
// a *ChangedError listing what changed. A batch another run creates between the
// lookup and the creation (ErrBatchExists) is taken as found.
func Prepare(ctx context.Context, st PlanStore, planned Batch, items []Item, rows []Row) (Batch, bool, error) {
	existing, err := st.Batch(ctx, planned.Reference)
	if errors.Is(err, ErrBatchNotFound) {
		err = st.CreateBatch(ctx, &planned, items)
		if err == nil {
			return planned, true, nil
		}
		if !errors.Is(err, ErrBatchExists) {
			return Batch{}, false, fmt.Errorf("create batch: %w", err)
		}
		// another run planned it since we looked: continue with its batch
		existing, err = st.Batch(ctx, planned.Reference)
	}
	if err != nil {
		return Batch{}, false, fmt.Errorf("find batch: %w", err)
	}
	if existing.SheetHash == planned.SheetHash {
		return existing, false, nil
	}
	old, err := st.Items(ctx, existing.ID)
	if err != nil {
		return Batch{}, false, fmt.Errorf("read batch items: %w", err)
	}
	changes := Diff(old, rows)
	ce := &ChangedError{Reference: existing.Reference}
	const show = 10
	if len(changes) > show {
		ce.More = len(changes) - show
		changes = changes[:show]
	}
	ce.Changes = changes
	return Batch{}, false, ce
}

// Fingerprint identifies a payment across batches: the payee, the amount, the pay
// period and the sheet's own reference for the row. The same payroll uploaded
// again under another batch reference has the same fingerprints.
func Fingerprint(r Row, period string) string {
	h := sha256.Sum256([]byte(strings.Join([]string{r.Phone, strconv.FormatInt(r.Amount, 10), period, r.Reference}, "\x1f")))
	return hex.EncodeToString(h[:16])
}

// WithPeriod sets the batch's pay period and its items' fingerprints.
func WithPeriod(b *Batch, items []Item, rows []Row, period string) {
	b.Period = period
	byRow := make(map[int]Row, len(rows))
	for _, r := range rows {
		byRow[r.Row] = r
	}
	for i := range items {
		items[i].Fingerprint = Fingerprint(byRow[items[i].Row], period)
	}
	b.PlanHash = PlanHash(*b, items)
}

// Repeat is a payment of a new batch already planned in another batch.
type Repeat struct {
	Row          int
	Phone        string
	Amount       int64
	OtherBatch   string
	OtherRow     int
	OtherState   State
	OtherCreated time.Time
}

func (r Repeat) String() string {
	return fmt.Sprintf("row %d: +%s %d is already in batch %s (row %d, %s, planned %s)", r.Row, r.Phone, r.Amount,
		r.OtherBatch, r.OtherRow, r.OtherState, r.OtherCreated.Format("2006-01-02"))
}

// Repeats lists the items that repeat a payment of another batch (the same
// fingerprint), in sheet order. A retry batch repeats its parent on purpose and
// is not checked.
func Repeats(ctx context.Context, st PlanStore, b Batch, items []Item) ([]Repeat, error) {
	if b.ParentID != 0 {
		return nil, nil
	}
	fps := make([]string, len(items))
	for i, it := range items {
		fps[i] = it.Fingerprint
	}
	found, err := st.Repeats(ctx, b.ID, fps)
	if err != nil {
		return nil, fmt.Errorf("look for repeated payments: %w", err)
	}
	var out []Repeat
	for _, it := range items {
		if r, ok := found[it.Fingerprint]; ok {
			r.Row, r.Phone, r.Amount = it.Row, it.Phone, it.Amount
			out = append(out, r)
		}
	}
	return out, nil
}
