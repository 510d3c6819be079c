package batch

import (
	"errors"
	"fmt"
	"sort"

	"bulkpay/notify/linktext"
)

// Limits refuse rows and batches above them at validation (0: no limit):
// fat-finger guards set in the config.
type Limits struct {
	MaxPerRow   int64 `yaml:"max_per_row"`
	MaxPerBatch int64 `yaml:"max_per_batch"`
}

// Validate refuses a negative limit.
func (l Limits) Validate() error {
	if l.MaxPerRow < 0 || l.MaxPerBatch < 0 {
		return errors.New("limits must not be negative")
	}
	return nil
}

// Tally is a sheet's rows as validation counts them: every row, the valid
// ones and their total, and the first row errors (the rest only counted).
type Tally struct {
	Rows        int
	Valid       int
	Invalid     int
	TotalAmount int64
	Errors      []RowError
	MoreErrors  int
}

// Refuse counts as invalid the rows errs are about (refusals found after the
// sheet was read, such as a charge the beneficiary cannot bear) and keeps the
// errors in row order.
func (t *Tally) Refuse(rows []Row, errs []RowError) {
	if len(errs) == 0 {
		return
	}
	bad := map[int]bool{}
	for _, e := range errs {
		bad[e.Row] = true
		t.Errors = append(t.Errors, e)
	}
	for _, r := range rows {
		if bad[r.Row] {
			t.Valid--
			t.Invalid++
			t.TotalAmount -= r.Amount
		}
	}
	sort.SliceStable(t.Errors, func(i, j int) bool { return t.Errors[i].Row < t.Errors[j].Row })
}

// refuseCounted counts as invalid n rows amounting to amount, refused after
// the sheet was read, and keeps their errors in row order.
func (t *Tally) refuseCounted(n int, amount int64, errs []RowError) {
	if n == 0 {
		return
	}
	t.Valid -= n
	t.Invalid += n
	t.TotalAmount -= amount
	t.Errors = append(t.Errors, errs...)
	sort.SliceStable(t.Errors, func(i, j int) bool { return t.Errors[i].Row < t.Errors[j].Row })
}

// DefaultMaxErrors is how many row errors a Screen keeps when not told.
const DefaultMaxErrors = 1000

// Screen checks each row a sheet found valid for what the sheet cannot know
// by itself: a configured provider that pays it, and the per-row limit; then
// the batch total against the per-batch limit and the expected total (the
// control total an approver signed). Feed it every valid row with Row, then
// fold its refusals into the sheet's counts with Tally.
type Screen struct {
	Router      Router
	Limits      Limits
	ExpectTotal int64 // the total the valid rows must add up to; 0: none
	MaxErrors   int   // row errors kept, the rest counted; DefaultMaxErrors when 0

	refused []RowError
	count   int   // rows refused
	notKept int   // refusals beyond MaxErrors
	amount  int64 // their amounts
}

func (s *Screen) max() int {
	if s.MaxErrors <= 0 {
		return DefaultMaxErrors
	}
	return s.MaxErrors
}

// Row checks one valid row and reports whether it passes; a refused row's
// error is kept (the first MaxErrors of them, as the sheet keeps its own).
func (s *Screen) Row(r Row) bool {
	var e RowError
	if _, err := s.Router.Route(routed(r)); err != nil {
		e = RouteRowError(r, err)
	} else if s.Limits.MaxPerRow > 0 && r.Amount > s.Limits.MaxPerRow {
		e = RowError{Row: r.Row, Column: "amount", Value: fmt.Sprint(r.Amount),
			Message: RowText("limit_per_row", "amount", Money(r.Amount), "limit", Money(s.Limits.MaxPerRow))}
	} else {
		return true
	}
	s.count++
	s.amount += r.Amount
	if len(s.refused) < s.max() {
		s.refused = append(s.refused, e)
	} else {
		s.notKept++
	}
	return false
}

// Tally folds the refusals into t, the sheet's own counts, and adds the
// batch-level checks. column gives a field's name as the sheet spells it
// ("phone" → "Téléphone"), or "" to keep the field's.
func (s *Screen) Tally(t Tally, column func(field string) string) Tally {
	t.Valid -= s.count
	t.Invalid += s.count
	t.MoreErrors += s.notKept
	t.TotalAmount -= s.amount
	for _, e := range s.refused {
		if column != nil {
			if name := column(e.Column); name != "" {
				e.Column = name
			}
		}
		t.Errors = append(t.Errors, e)
	}
	if s.Limits.MaxPerBatch > 0 && t.TotalAmount > s.Limits.MaxPerBatch {
		t.Errors = append(t.Errors, RowError{Column: "amount", Value: fmt.Sprint(t.TotalAmount),
			Message: RowText("limit_per_batch", "total", Money(t.TotalAmount), "limit", Money(s.Limits.MaxPerBatch))})
	}
	if s.ExpectTotal > 0 && t.TotalAmount != s.ExpectTotal {
		t.Errors = append(t.Errors, RowError{Column: "amount", Value: fmt.Sprint(t.TotalAmount),
			Message: RowText("expect_total_mismatch", "total", Money(t.TotalAmount), "expected", Money(s.ExpectTotal),
				"difference", Money(t.TotalAmount-s.ExpectTotal))})
	}
	sort.SliceStable(t.Errors, func(i, j int) bool { return t.Errors[i].Row < t.Errors[j].Row })
	if len(t.Errors) > s.max() {
		t.MoreErrors += len(t.Errors) - s.max()
		t.Errors = t.Errors[:s.max()]
	}
	return t
}

// Money writes an amount for people, with a space between thousands: 3 450 000
// (as the link messages write amounts, without a currency).
func Money(n int64) string { return linktext.Money(n, "") }
