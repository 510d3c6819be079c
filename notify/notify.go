package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Message is one SMS to one beneficiary.
type Message struct {
	To        string // E.164, "+237677123456" (the '+' may be left out)
	Text      string
	Reference string // ours, at most 32 characters: ties a delivery report to what we sent
}

// Receipt is what the SMS provider said about an accepted message.
type Receipt struct {
	ID     string // the provider's message id
	Status string // the provider's word, for people
	Cost   int64  // what the message cost in the account's currency, 0 when the provider did not say
}

// EmailMessage is one e-mail to one beneficiary, in plain UTF-8 text.
type EmailMessage struct {
	To      string // an address, "awa@example.cm" or "Awa Ndiaye <awa@example.cm>"
	Subject string
	Text    string
}

// SMS sends text messages.
type SMS interface {
	SendSMS(ctx context.Context, m Message) (Receipt, error)
}

// Email sends e-mails.
type Email interface {
	SendEmail(ctx context.Context, m EmailMessage) error
}

// Error classes: every error SendSMS or SendEmail returns wraps exactly one,
// and says whether the beneficiary may have received the message. Like the
// payout classes of package providers, what decides is whether sending again
// could send twice.
var (
	// ErrNotSent: the message was not accepted (never sent, or refused before
	// processing such as 429, a server busy); it may be sent again.
	ErrNotSent = errors.New("message not sent, may be sent again")
	// ErrMaybeSent: the message may have gone out (a timeout, a reset, an
	// answer lost or unreadable); sending it again may deliver it twice.
	ErrMaybeSent = errors.New("message may have been sent")
	// ErrRefused: the provider or server refused this message for good (a bad
	// number, a bad address, credentials refused, an account without credit):
	// nothing was sent, and sending the same again changes nothing until a
	// person fixes it.
	ErrRefused = errors.New("message refused")
)

// Error is a classified error of one message.
type Error struct {
	Class      error  // ErrNotSent, ErrMaybeSent or ErrRefused
	Channel    string // sms, email
	Provider   string // camoo, the SMTP server's host
	Op         string // send, balance, auth, ...
	Status     int    // HTTP or SMTP status, 0 when none
	Message    string // the provider's own words, free of secrets
	RetryAfter time.Duration
	Err        error // the underlying error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s: %v", e.Channel, e.Provider, e.Op, e.Class)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (status %d)", e.Status)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap lets errors.Is match the class and the underlying error.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Class, e.Err}
	}
	return []error{e.Class}
}

// Class returns which class err belongs to: ErrNotSent, ErrRefused, or
// ErrMaybeSent for anything else (an unclassified error never proves that
// nothing went out).
func Class(err error) error {
	switch {
	case errors.Is(err, ErrNotSent):
		return ErrNotSent
	case errors.Is(err, ErrRefused):
		return ErrRefused
	default:
		return ErrMaybeSent
	}
}

// MaybeSent reports whether the message of a failed send may have reached the
// beneficiary all the same: it is then not sent again blindly (a code sent
// twice confuses, a link sent twice is charged twice).
func MaybeSent(err error) bool { return err != nil && Class(err) == ErrMaybeSent }
