package batch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"bulkpay/providers"
)

// NameInfo is what a provider tells about the account behind a number.
// Given and Family are personal data: shown to those allowed to see them,
// never logged.
type NameInfo struct {
	Active bool // the account can receive money
	Known  bool // the provider knows an account behind the number
	Given  string
	Family string // empty when the provider tells one name only (in Given) or none
}

// NameChecker is a provider that can tell the name behind a number (MTN
// MoMo's basic user info; the sandbox's directory).
type NameChecker interface {
	// AccountName tells whether an account stands behind phone (E.164 digits)
	// and the name it is registered to ("" when the provider does not
	// disclose it). An error never holds the name.
	AccountName(ctx context.Context, phone string) (NameInfo, error)
}

// NameSource is one provider able to tell names, the rows it can check and
// the pace it is asked at.
type NameSource struct {
	Provider    string
	Checker     NameChecker
	Covers      func(country, operator string) bool
	Concurrency int     // requests at once; 0: 4
	Rate        float64 // requests per second; 0: unlimited
}

// NamePolicy is what a batch does with the names registered behind its
// numbers (the config's name_check).
type NamePolicy string

// The name check policies.
const (
	// NamesOff asks nothing.
	NamesOff NamePolicy = "off"
	// NamesWarn lists what it found; inactive and unknown accounts are
	// rejected (never sent money), the rest pays.
	NamesWarn NamePolicy = "warn"
	// NamesReview puts mismatched and inactive rows in ToConfirm for an
	// approver, rejects unknown accounts, and the rest pays.
	NamesReview NamePolicy = "review"
	// NamesBlock refuses the whole batch while a row is mismatched, inactive
	// or unknown: nothing is stored, nothing pays.
	NamesBlock NamePolicy = "block"
)

// ParseNamePolicy reads name_check; "" is "".
func ParseNamePolicy(s string) (NamePolicy, error) {
	p := NamePolicy(strings.ToLower(strings.TrimSpace(s)))
	switch p {
	case "", NamesOff, NamesWarn, NamesReview, NamesBlock:
		return p, nil
	}
	return "", fmt.Errorf("name_check: %q is not a policy bulkpay knows: write off, warn, review or block", s)
}

// NameCheck is what the name check found for one row of a batch.
type NameCheck struct {
	ItemID   int64 // 0 until the batch is stored
	Row      int
	Phone    string
	Name     string // the sheet's
	Result   NameResult
	Score    int    // 0 to 100 for match, partial and mismatch
	Provider string // who told the name; "" when none could
	Reason   string // why a row was not checkable
	// Given and Family are the registered name: personal data, kept only
	// while the batch needs them (ForgetNames erases them once it is
	// complete).
	Given, Family string
	CheckedAt     time.Time
	ConfirmedBy   string // the approver who confirmed the row, with Note
	Note          string
	ConfirmedAt   time.Time
}

// Registered is the registered name as one string.
func (c NameCheck) Registered() string { return strings.TrimSpace(c.Given + " " + c.Family) }

// NameRows are the rows a name check asks about.
type NameRows func(ctx context.Context, fn func(Row) error) error

// CheckNames asks, for every row a source covers, whether an account stands
// behind the number and which name it is registered to, and compares it with
// the sheet's. Each source is asked at its pace with at most its concurrency
// in flight; a phone is asked once for the batch. Rows no source covers are
// NameNotCheckable, saying why (an Orange number: no provider tells those
// names); a source that fails leaves its rows NameNotCheckable too. The
// result is in sheet order.
func CheckNames(ctx context.Context, rows []Row, sources []NameSource, now func() time.Time) []NameCheck {
	if now == nil {
		now = time.Now
	}
	out := make([]NameCheck, len(rows))
	type ask struct {
		src   int
		phone string
	}
	asks := map[ask][]int{} // which rows wait for each answer
	var order []ask
	for i, r := range rows {
		out[i] = NameCheck{Row: r.Row, Phone: r.Phone, Name: r.Name}
		if w, ok := providers.WalletCarrier(r.Operator); ok { // an e-mail or a user name: nothing to ask by phone
			out[i].Result = NameNotCheckable
			out[i].Reason = fmt.Sprintf("a %s wallet, not a phone number: no provider tells the name behind it; check the name yourself", w.Title)
			continue
		}
		src := slices.IndexFunc(sources, func(s NameSource) bool { return s.Covers(r.Country, r.Operator) })
		if src < 0 {
			out[i].Result, out[i].Reason = NameNotCheckable, notCheckable(r)
			continue
		}
		k := ask{src, r.Phone}
		if _, seen := asks[k]; !seen {
			order = append(order, k)
		}
		asks[k] = append(asks[k], i)
	}
	type answer struct {
		info NameInfo
		err  error
	}
	answers := make(map[ask]answer, len(order))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for si, s := range sources {
		conc := max(s.Concurrency, 1)
		if s.Concurrency == 0 {
			conc = 4
		}
		lim := rate.NewLimiter(rate.Inf, 1)
		if s.Rate > 0 {
			lim = rate.NewLimiter(rate.Limit(s.Rate), 1)
		}
		work := make(chan ask)
		for range conc {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range work {
					var a answer
					if a.err = lim.Wait(ctx); a.err == nil {
						a.info, a.err = s.Checker.AccountName(ctx, k.phone)
					}
					mu.Lock()
					answers[k] = a
					mu.Unlock()
				}
			}()
		}
		go func() {
			defer close(work)
			for _, k := range order {
				if k.src != si {
					continue
				}
				select {
				case work <- k:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	wg.Wait()
	at := now()
	for _, k := range order {
		a, ok := answers[k]
		if !ok {
			a.err = ctx.Err()
		}
		for _, i := range asks[k] {
			c := &out[i]
			c.Provider, c.CheckedAt = sources[k.src].Provider, at
			judgeName(c, a.info, a.err)
		}
	}
	return out
}

// judgeName sets a check's result from the provider's answer.
func judgeName(c *NameCheck, info NameInfo, err error) {
	switch {
	case err != nil:
		c.Result, c.Reason = NameNotCheckable, "the provider did not answer the name check; check the name yourself"
	case !info.Known:
		c.Result = NameUnknownAccount
	case !info.Active:
		c.Result = NameInactive
	case strings.TrimSpace(info.Given+info.Family) == "":
		c.Result, c.Reason = NameNotCheckable, "the provider does not disclose the name behind this number"
	default:
		c.Given, c.Family = strings.TrimSpace(info.Given), strings.TrimSpace(info.Family)
		c.Result, c.Score = MatchNames(c.Name, c.Given, c.Family)
	}
}

func notCheckable(r Row) string {
	op := r.Operator
	if op == "" {
		op = "this carrier"
	}
	return fmt.Sprintf("no configured provider can tell the name behind %s numbers (%s); check the name yourself", op, r.Country)
}

// NameRefusal refuses a batch under NamesBlock: the rows whose name does not
// match or whose account cannot receive. It is ErrRefused.
type NameRefusal struct {
	Checks []NameCheck // the doubtful ones, in sheet order
}

func (e *NameRefusal) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "name check (block): %d row(s) cannot be paid as the sheet stands; nothing was stored or sent:", len(e.Checks))
	for i, c := range e.Checks {
		if i == 20 {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Checks)-20)
			break
		}
		b.WriteString("\n  " + c.Problem())
	}
	b.WriteString("\nfix the phone numbers or names in the sheet and plan it again")
	return b.String()
}

// Is makes a NameRefusal count as ErrRefused.
func (e *NameRefusal) Is(target error) bool { return target == ErrRefused }

// Problem says, without the registered name, what is wrong with a row and
// what to do: row, column, value.
func (c NameCheck) Problem() string {
	switch c.Result {
	case NameMismatch:
		return RowError{Row: c.Row, Column: "name", Value: c.Name,
			Message: fmt.Sprintf("the name registered behind +%s is another person's (score %d): check the number and the name", c.Phone, c.Score)}.Error()
	case NameInactive:
		return RowError{Row: c.Row, Column: "phone", Value: "+" + c.Phone,
			Message: "the account behind this number is inactive and cannot receive money: ask the beneficiary for another number"}.Error()
	case NameUnknownAccount:
		return RowError{Row: c.Row, Column: "phone", Value: "+" + c.Phone,
			Message: "no mobile-money account stands behind this number: check the number"}.Error()
	}
	return RowError{Row: c.Row, Column: "name", Value: c.Name, Message: c.Result.Text()}.Error()
}

// Doubts are the checks a policy acts upon, in sheet order.
func Doubts(checks []NameCheck) []NameCheck {
	var out []NameCheck
	for _, c := range checks {
		if c.Result.Doubtful() {
			out = append(out, c)
		}
	}
	return out
}

// Blocked is the refusal of a batch under p: a *NameRefusal when p is
// NamesBlock and a row is doubtful, else nil.
func Blocked(p NamePolicy, checks []NameCheck) error {
	if p != NamesBlock {
		return nil
	}
	if d := Doubts(checks); len(d) > 0 {
		return &NameRefusal{Checks: d}
	}
	return nil
}

// Causes of the events a name check leaves.
const (
	CauseNameRejected  = "name check: never sent"
	CauseNameToConfirm = "name check: to confirm"
	CauseNameConfirmed = "name confirmed"
)

// NameMoves are the changes policy p makes to a stored batch's items after
// their checks (ItemID set): under warn, inactive and unknown accounts are
// rejected; under review, mismatched and inactive rows wait for an approver
// (ToConfirm) and unknown accounts are rejected. Only Planned items move.
func NameMoves(p NamePolicy, checks []NameCheck, actor string) []Change {
	var out []Change
	for _, c := range checks {
		if c.ItemID == 0 {
			continue
		}
		switch {
		case p == NamesReview && (c.Result == NameMismatch || c.Result == NameInactive):
			out = append(out, Change{ItemID: c.ItemID, From: Planned, To: ToConfirm, Cause: CauseNameToConfirm,
				Message: c.Problem() + "; an approver must confirm it: bulkpay confirm", Actor: actor})
		case (p == NamesWarn || p == NamesReview || p == NamesBlock) && c.Result.NeverPay():
			out = append(out, Change{ItemID: c.ItemID, From: Planned, To: Rejected, Cause: CauseNameRejected,
				Message: c.Problem(), Actor: actor})
		}
	}
	return out
}

// NameStore keeps a batch's name checks.
type NameStore interface {
	ItemReader
	// Item returns one item as it stands now (ErrItemNotFound).
	Item(ctx context.Context, itemID int64) (Item, error)
	// SaveNameChecks records a stored batch's checks (ItemID set) and applies
	// the moves, in one transaction with an event each. A batch that has its
	// checks already gives ErrNamesChecked and changes nothing.
	SaveNameChecks(ctx context.Context, batchID int64, checks []NameCheck, moves []Change) error
	// NameChecks lists a batch's checks in sheet order.
	NameChecks(ctx context.Context, batchID int64) ([]NameCheck, error)
	// ConfirmName records an approver's confirmation of one item's name and
	// moves it from ToConfirm to Planned, in one transaction with its event
	// (ErrStale when it no longer waits).
	ConfirmName(ctx context.Context, itemID int64, by, note string) error
	// ForgetNames erases the registered names of a batch's checks (the
	// results stay) and says how many it erased.
	ForgetNames(ctx context.Context, batchID int64) (int, error)
}

// ErrNamesChecked: the batch's names were checked already.
var ErrNamesChecked = errors.New("the batch's names were checked already")

// SaveNames records the checks of batch b, just stored, against its items
// (by row) and applies policy p's moves, by actor. A batch checked already
// keeps its first checks, which are returned.
func SaveNames(ctx context.Context, st NameStore, b Batch, p NamePolicy, checks []NameCheck, actor string) ([]NameCheck, error) {
	if p == NamesOff || p == "" || len(checks) == 0 {
		return checks, nil
	}
	byRow := make(map[int]int, len(checks))
	for i, c := range checks {
		byRow[c.Row] = i
	}
	if err := EachItem(ctx, st, b.ID, func(it Item) error {
		if i, ok := byRow[it.Row]; ok {
			checks[i].ItemID = it.ID
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read the items of batch %s: %w", b.Reference, err)
	}
	err := st.SaveNameChecks(ctx, b.ID, checks, NameMoves(p, checks, actor))
	if errors.Is(err, ErrNamesChecked) {
		return st.NameChecks(ctx, b.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("record the name checks of batch %s: %w", b.Reference, err)
	}
	return checks, nil
}

// ConfirmRequest is an approver's confirmation of one row's name.
type ConfirmRequest struct {
	Row    int
	By     string
	Note   string
	Policy Policy // the approval rules in force; with the batch's own, four eyes keeps its planner from confirming
}

// ConfirmName lets the row of b that waits for its name to be confirmed be
// paid: an approver's decision, with a note saying why. A row that does not
// wait (ErrInvalid) or whose account cannot receive money (inactive or
// unknown: never sent money; cancel it and fix the sheet) is refused.
func ConfirmName(ctx context.Context, st NameStore, b Batch, req ConfirmRequest) (NameCheck, error) {
	req.By, req.Note = strings.TrimSpace(req.By), strings.TrimSpace(req.Note)
	if req.By == "" {
		return NameCheck{}, fmt.Errorf("%w: a confirmation needs the approver who gives it", ErrInvalid)
	}
	if req.Note == "" {
		return NameCheck{}, fmt.Errorf("%w: a confirmation needs a note saying why the name is right (e.g. --note \"married name, ID seen\")", ErrInvalid)
	}
	checks, err := st.NameChecks(ctx, b.ID)
	if err != nil {
		return NameCheck{}, fmt.Errorf("read the name checks of batch %s: %w", b.Reference, err)
	}
	i := slices.IndexFunc(checks, func(c NameCheck) bool { return c.Row == req.Row })
	if i < 0 {
		return NameCheck{}, fmt.Errorf("%w: row %d of batch %s has no name check to confirm", ErrInvalid, req.Row, b.Reference)
	}
	c := checks[i]
	it, err := st.Item(ctx, c.ItemID)
	if err != nil {
		return NameCheck{}, fmt.Errorf("read row %d of batch %s: %w", req.Row, b.Reference, err)
	}
	if it.State != ToConfirm {
		return NameCheck{}, fmt.Errorf("%w: row %d of batch %s does not wait for a confirmation (it is %s)", ErrInvalid, req.Row, b.Reference, it.State)
	}
	if b.Policy.Or(req.Policy).FourEyes && person(req.By) == person(b.CreatedBy) {
		return NameCheck{}, &Refusal{Rule: "four_eyes", Reason: fmt.Sprintf("four eyes: %s planned batch %s and cannot confirm its names; another approver must", req.By, b.Reference)}
	}
	if c.Result.NeverPay() {
		return NameCheck{}, &Refusal{Rule: "names", Reason: fmt.Sprintf("row %d of batch %s: the account behind +%s is %s and is never sent money; cancel the batch's row and pay it in a new sheet with a working number",
			req.Row, b.Reference, c.Phone, c.Result.Text())}
	}
	if err := st.ConfirmName(ctx, c.ItemID, req.By, req.Note); err != nil {
		return NameCheck{}, fmt.Errorf("confirm row %d of batch %s: %w", req.Row, b.Reference, err)
	}
	c.ConfirmedBy, c.Note = req.By, req.Note
	return c, nil
}

// ForgetNamesWhenDone erases the registered names of b's checks once no item
// of b is open any more (every payout final): the results, scores and
// confirmations stay for the reports, the names do not. It says how many it
// erased.
func ForgetNamesWhenDone(ctx context.Context, st NameStore, b Batch) (int, error) {
	totals, err := st.Totals(ctx, b.ID)
	if err != nil {
		return 0, fmt.Errorf("count the items of batch %s: %w", b.Reference, err)
	}
	for s, t := range totals {
		if !s.Terminal() && t.Items > 0 {
			return 0, nil
		}
	}
	n, err := st.ForgetNames(ctx, b.ID)
	if err != nil {
		return 0, fmt.Errorf("erase the registered names of batch %s: %w", b.Reference, err)
	}
	return n, nil
}

// ConfirmDetail is the event's detail of a confirmation.
func ConfirmDetail(by, note string) string {
	return "confirmed by " + by + ": " + strconv.Quote(note)
}

// ReferenceOf is the reference req's batch is stored under.
func ReferenceOf(req PlanRequest) string { return req.reference() }

// forgetNames erases b's registered names when st keeps name checks and b
// is complete; a failure is logged (the names go at the next run), never the
// names themselves.
func forgetNames(ctx context.Context, st any, b Batch, log *slog.Logger) {
	ns, ok := st.(NameStore)
	if !ok {
		return
	}
	if _, err := ForgetNamesWhenDone(ctx, ns, b); err != nil && log != nil {
		log.Warn("could not erase the registered names of a complete batch", "batch", b.Reference, "err", err)
	}
}
