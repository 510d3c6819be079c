package batch

import (
	"strconv"
	"time"
)

// Modes of payment, as the platform's Transaction.mode.
const (
	ModeMobileMoney  = "mobile_money"
	ModeBankTransfer = "bank_transfer"
	ModeCashout      = "cashout"
)

// Row is one validated beneficiary row of a sheet.
type Row struct {
	Row       int    // as the spreadsheet numbers it, header included
	Name      string // beneficiary name
	Phone     string // E.164 digits without '+'
	Country   string // region of the number, e.g. CM
	Operator  string // carrier, e.g. MTN, Orange
	Email     string
	Mode      string // mobile_money unless the sheet says otherwise
	Provider  string // provider asked for by the sheet, empty for routing
	Reference string // the sheet's own reference column, kept for reports
	Amount    int64
}

// RowError is one problem with one cell (or a whole row when Column is empty).
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Value   string `json:"value"`
	Message string `json:"message"`
}

func (e RowError) Error() string {
	if e.Row == 0 { // about the sheet as a whole (a header, a total, a limit), not one row
		s := "the sheet"
		if e.Column != "" {
			s = "column " + e.Column + " (all rows)"
		}
		return s + ": " + e.Message
	}
	s := "row " + strconv.Itoa(e.Row)
	if e.Column != "" {
		s += ", column " + e.Column
	}
	if e.Value != "" {
		s += ", value " + strconv.Quote(e.Value)
	}
	return s + ": " + e.Message
}

// Batch is one sheet paid as a unit (the platform's BulkPayment).
type Batch struct {
	ID          int64
	Reference   string
	SheetHash   string // hash of the validated rows: same content, same batch
	SheetName   string
	Currency    string
	TotalAmount int64
	ItemCount   int
	Sandbox     bool
	Period      string // the pay period (YYYY-MM) its fingerprints carry
	Charge      int64  // Σ of the items' charges (BulkPayment.charge)
	Profit      int64  // our profit on the batch (Profit of type bulk_payment)
	Fees        Fees   // the fee configuration in force when it was planned
	CreatedBy   string
	PlanHash    string // over the rows, their routes and their charges
	Approval    Approval
	ParentID    int64 // a retry batch: the batch whose failed items it pays again
	CreatedAt   time.Time
	Policy      Policy   // the approval rules stored when it was planned (only ever made stricter)
	Endpoint    Endpoint // where it is paid; zero until recorded
}

// Item is one beneficiary's payout (the platform's Link + Transaction).
type Item struct {
	ID                int64
	BatchID           int64
	Row               int
	Name              string
	Phone             string
	Country           string
	Operator          string
	Email             string
	Mode              string
	Amount            int64
	Charge            int64    // our fee on it (Transaction.charge)
	PayAmount         int64    // sent to the provider: Amount, or Amount − Charge when the beneficiary bears it
	Reference         string   // our UUID4, fixed at planning, sent as the idempotency key
	Provider          string   // the provider paying it now
	Route             []string // every provider that may pay it, in order (failover)
	ProviderReference string
	ProviderFee       int64 // fee the provider reported, apart from ours
	ProviderNet       int64 // net amount the provider reported, 0 when it did not say
	State             State
	Message           string
	Attempts          int
	UpdatedAt         time.Time
	Fingerprint       string // the same payment in another batch has the same one
	RetryOf           int64  // the failed item this one pays again, 0 when none

	// NotifyDigest is the SHA-256 (hex) of the token the provider gave to
	// authenticate its callback about this payout (TokenDigest), "" when none.
	NotifyDigest string
}

// Counts is how many items stand in each state.
type Counts map[State]int

// Add counts one more item in s.
func (c Counts) Add(s State) { c[s]++ }

// Open is how many items are neither terminal nor settled.
func (c Counts) Open() int {
	return c[Planned] + c[Submitting] + c[Pending] + c[Unknown] + c[Review] + c[ToConfirm]
}

// Summary is a batch's standing.
type Summary struct {
	Batch           Batch
	Counts          Counts
	Amounts         map[State]int64 // sum of amounts by state
	Items           int
	TotalAmount     int64
	SucceededAmount int64
}

// Summarize counts items by state and sums amounts.
func Summarize(b Batch, items []Item) Summary {
	s := Summary{Batch: b, Counts: Counts{}, Amounts: map[State]int64{}, Items: len(items)}
	for _, it := range items {
		s.Counts.Add(it.State)
		s.Amounts[it.State] += it.Amount
		s.TotalAmount += it.Amount
		if it.State == Succeeded {
			s.SucceededAmount += it.Amount
		}
	}
	return s
}

// Complete reports whether every item is terminal.
func (s Summary) Complete() bool { return s.Counts.Open() == 0 }

// Approval is a person's approval of a batch's exact plan.
type Approval struct {
	Hash string
	By   string
	At   time.Time
}

// Send is the amount to send to the provider for an item.
func (it Item) Send() int64 {
	if it.PayAmount > 0 {
		return it.PayAmount
	}
	return it.Amount
}
