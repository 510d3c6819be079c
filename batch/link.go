package batch

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"bulkpay/notify/linktext"
)

// ModeLink is a row paid by link: the beneficiary claims it and chooses the
// mode. Its item waits, planned, and no run claims it until the link is
// claimed (the item then takes the mode chosen).
const ModeLink = "link"

// PayByLink is the value of --pay-by (and the server's pay_by) that pays every
// row of a batch by link.
const PayByLink = "link"

// LinkStatus is where a link stands, as the platform's Link.status, with
// claimed between sent and processed.
type LinkStatus string

const (
	LinkSent      LinkStatus = "sent"      // issued, waiting for its beneficiary
	LinkClaimed   LinkStatus = "claimed"   // claimed: its item is paid by the runner
	LinkProcessed LinkStatus = "processed" // claimed and its payout succeeded (shown, never stored)
	LinkExpired   LinkStatus = "expired"   // not claimed in time: no money moved
)

// LinkStatuses lists the statuses in a stable order, for counts and reports.
var LinkStatuses = []LinkStatus{LinkSent, LinkClaimed, LinkProcessed, LinkExpired}

// Link rules.
const (
	DefaultLinkExpiry = 7 * 24 * time.Hour
	CodeDigits        = 6
	CodeValidity      = linktext.CodeValidity // what the code's SMS says
	CodeTries         = 5                     // wrong codes before the link is locked
	LinkLockTime      = time.Hour             // how long a lock lasts
	LocksToReview     = 3                     // the lock that sends the link to review
	CodeResendWait    = time.Minute
	CodeRequestsHour  = 5 // codes a link may be sent in an hour
)

// Link is one row paid by link (the platform's Link): the beneficiary's
// fields as planned, its expiry, its status, and the state of its code. The
// code itself is never kept, only its salted hash.
type Link struct {
	ID        string // unguessable (144 random bits), URL-safe
	BatchID   int64
	ItemID    int64
	Row       int
	Amount    int64
	Currency  string
	Name      string
	Phone     string // the number on file, E.164 digits
	Country   string
	Operator  string
	Email     string
	ExpiresAt time.Time
	Status    LinkStatus // as stored: sent, claimed or expired
	OtherOK   bool       // the beneficiary may give another number

	InvitedAt time.Time // the invitation went out; zero: not yet
	Reminders int       // how many of the reminder times have passed (each sent once)

	CodeHash     string // hex HMAC-SHA256 of the code under CodeSalt; empty: none asked
	CodeSalt     string
	CodeExpires  time.Time
	CodeSentAt   time.Time // the last code sent
	CodeRequests int       // codes sent in the hour from CodeWindow
	CodeWindow   time.Time
	Attempts     int       // wrong codes since the last lock
	LockedUntil  time.Time // refused until then after CodeTries wrong codes
	Locks        int
	Review       bool // locked LocksToReview times: a person must look

	ClaimedAt  time.Time
	ClaimMode  string
	ClaimPhone string // the number paid (the one on file, or another one allowed)

	Version   int64 // bumped by every stored change: updates are conditional on it
	CreatedAt time.Time
	UpdatedAt time.Time

	ItemState State // the item's state, filled when read
}

// Shown is the status people see: claimed becomes processed once its payout
// succeeded.
func (l Link) Shown() LinkStatus {
	if l.Status == LinkClaimed && l.ItemState == Succeeded {
		return LinkProcessed
	}
	return l.Status
}

// Open reports whether the link may still be claimed at now: sent, not
// expired, and its item not cancelled with its batch.
func (l Link) Open(now time.Time) bool {
	return l.Status == LinkSent && now.Before(l.ExpiresAt) && (l.ItemState == "" || l.ItemState == Planned)
}

// MaskedName shows a name as a claim page may: each word's first letter, the
// rest starred ("Awa Ndiaye" → "A** N*****").
func MaskedName(name string) string {
	out := []rune{}
	first := true
	for _, r := range name {
		switch {
		case r == ' ':
			out, first = append(out, r), true
		case first:
			out, first = append(out, r), false
		default:
			out = append(out, '*')
		}
	}
	return string(out)
}

// Message kinds and channels.
const (
	MessageInvitation = "invitation"
	MessageReminder   = "reminder"
	MessageCode       = "code"
	ChannelSMS        = "sms"
	ChannelEmail      = "email"
	FeeSMS            = "sms_fee"
	FeeWhatsApp       = "whatsapp_fee"
)

// Message is one message sent about a link: never its text (a code message
// carries the code).
type Message struct {
	ID        int64
	LinkID    string
	BatchID   int64
	Kind      string // invitation, reminder, code
	Channel   string // sms, email
	To        string
	At        time.Time
	Cost      int64  // what the SMS provider said it cost
	Charge    int64  // what the organisation is charged (sms_fee)
	Error     string // why it could not be sent; empty when sent
	Reference string // ours, given to the provider
}

// Errors of links.
var (
	// ErrLinkNotFound: no link with that id.
	ErrLinkNotFound = errors.New("link not found")
	// ErrLinkExpired: the link expired; no money moved.
	ErrLinkExpired = errors.New("this link has expired")
	// ErrLinkLocked: too many wrong codes; a *LockedLinkError says until when.
	ErrLinkLocked = errors.New("this link is locked after too many wrong codes")
	// ErrLinkReview: locked too often, a person must look at it.
	ErrLinkReview = errors.New("this link is locked for review; contact the payer")
	// ErrCodeWrong: the code is not the one sent; a *WrongCodeError says how
	// many tries are left.
	ErrCodeWrong = errors.New("the code is wrong")
	// ErrCodeExpired: no code was asked, or it is older than CodeValidity.
	ErrCodeExpired = errors.New("no valid code: ask for a new one")
	// ErrTooManyCodes: codes are asked too often; a *TooSoonError says when to ask again.
	ErrTooManyCodes = errors.New("a code was asked too recently")
	// ErrModeUnavailable: no provider pays the mode chosen.
	ErrModeUnavailable = errors.New("this mode of payment is not available")
	// ErrOtherNumber: the batch does not allow another number than the one on file.
	ErrOtherNumber = errors.New("only the number on file can be paid")
	// ErrLinkCancelled: the payer cancelled the payment before it was claimed.
	ErrLinkCancelled = errors.New("this payment was cancelled by the payer")
	// ErrLinkClosed: the link is claimed and its payout in flight or done.
	ErrLinkClosed = errors.New("this link is already claimed")
)

// LockedLinkError is ErrLinkLocked with the time it opens again.
type LockedLinkError struct{ Until time.Time }

func (e *LockedLinkError) Error() string {
	return fmt.Sprintf("%s; try again after %s", ErrLinkLocked, e.Until.UTC().Format("15:04 UTC"))
}
func (e *LockedLinkError) Unwrap() error { return ErrLinkLocked }

// WrongCodeError is ErrCodeWrong with the tries left before the lock.
type WrongCodeError struct{ Left int }

func (e *WrongCodeError) Error() string {
	return fmt.Sprintf("%s; %d tries left before the link is locked for an hour", ErrCodeWrong, e.Left)
}
func (e *WrongCodeError) Unwrap() error { return ErrCodeWrong }

// TooSoonError is ErrTooManyCodes with when a code may be asked again.
type TooSoonError struct{ After time.Time }

func (e *TooSoonError) Error() string {
	return fmt.Sprintf("%s; ask again after %s", ErrTooManyCodes, e.After.UTC().Format("15:04:05 UTC"))
}
func (e *TooSoonError) Unwrap() error { return ErrTooManyCodes }

// NewLinkID returns an unguessable, URL-safe link id: 18 random bytes (144
// bits) in base64url.
func NewLinkID(r io.Reader) (string, error) {
	b := make([]byte, 18)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("link id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewLink is the link of a planned item, expiring after expiry from now.
func NewLink(b Batch, it Item, now time.Time, expiry time.Duration, otherOK bool) (Link, error) {
	id, err := NewLinkID(rand.Reader)
	if err != nil {
		return Link{}, err
	}
	if expiry <= 0 {
		expiry = DefaultLinkExpiry
	}
	return Link{ID: id, BatchID: b.ID, ItemID: it.ID, Row: it.Row, Amount: it.Amount, Currency: b.Currency,
		Name: it.Name, Phone: it.Phone, Country: it.Country, Operator: it.Operator, Email: it.Email,
		ExpiresAt: now.Add(expiry).UTC(), Status: LinkSent, OtherOK: otherOK}, nil
}

// LinkStore keeps links and the messages sent about them. ledger.Store and
// batchtest.Memory implement it and pass the contract suite.
//
// Every change to a link is conditional on the Version read (ErrStale
// otherwise), bumps it, and appends an event to the link's item with its
// cause, detail and actor; no event, error or message record holds a code.
type LinkStore interface {
	// AddLinks stores links of planned items that have none yet (an item
	// that has one keeps it) and says how many were added, with an event each.
	AddLinks(ctx context.Context, links []Link, actor string) (int, error)
	// Link returns a link by id (ErrLinkNotFound).
	Link(ctx context.Context, id string) (Link, error)
	// Links lists a batch's links in sheet order (batchID 0: every batch's,
	// by batch then row), optionally only those stored in statuses.
	Links(ctx context.Context, batchID int64, statuses ...LinkStatus) ([]Link, error)
	// UpdateLink stores l (its status sent: codes, attempts, locks,
	// invitations and reminders) if it is still at l.Version, with the
	// messages sent, and an event.
	UpdateLink(ctx context.Context, l Link, cause, detail, actor string, msgs ...Message) error
	// ClaimLink marks l claimed (from sent, at l.Version) and its item, still
	// planned, paid as it says: mode, phone, country, operator, provider and
	// route from it, in one transaction, with events. From then on a run
	// claims the item like any other.
	ClaimLink(ctx context.Context, l Link, it Item, actor string) error
	// ExpireLink marks l expired (from sent, at l.Version) and cancels its
	// planned item, in one transaction, with an event the webhooks outbox
	// sends as link.expired. No money moves.
	ExpireLink(ctx context.Context, l Link, actor string) error
	// ReopenLink gives a claimed link whose payout failed definitely (its
	// item failed) a new item to pay it, it (planned, mode link, in a retry
	// batch): the link is sent again, unclaimed, its code and attempts
	// cleared, expiring as long after now as it did after its creation, and
	// is invited again. A link whose payout is in doubt, pending or paid is
	// never reopened (ErrStale), nor one read at another version.
	ReopenLink(ctx context.Context, l Link, it Item, actor string) error
	// RecordMessages keeps messages sent about links, with the links left as they are.
	RecordMessages(ctx context.Context, msgs ...Message) error
	// Messages lists the messages sent about a batch's links, oldest first.
	Messages(ctx context.Context, batchID int64) ([]Message, error)
}

// Link event causes.
const (
	CauseLinkIssued  = "link issued"
	CauseLinkSent    = "link sent"
	CauseLinkCode    = "link code sent"
	CauseLinkWrong   = "link code wrong"
	CauseLinkLocked  = "link locked"
	CauseLinkReview  = "link sent to review"
	CauseLinkClaimed = "link claimed"
	CauseLinkExpired = "link expired"
	CauseLinkReopen  = "link reopened"
)

// ClaimDetail is a claim's event detail: the mode, the number paid and the
// provider, never a code.
func ClaimDetail(l Link, it Item) string {
	return fmt.Sprintf("%s to +%s via %s", it.Mode, it.Phone, it.Provider)
}

// ExpiredItemEvent is the cancellation of an expired link's item.
func ExpiredItemEvent(l Link, actor string) Event {
	return Event{BatchID: l.BatchID, ItemID: l.ItemID, From: Planned, To: Cancelled, Cause: "cancelled: " + CauseLinkExpired,
		Detail: "no money moved", Actor: actor}
}
