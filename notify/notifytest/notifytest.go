// Package notifytest holds in-memory SMS and e-mail channels for tests of the
// code that sends through notify: they keep every message and fail when told.
package notifytest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"bulkpay/notify"
)

// SMS is a notify.SMS that keeps what it is given. Safe for concurrent use.
type SMS struct {
	// Fail, when set, is asked first about each message: its error is
	// returned and the message is kept only when the error says it may
	// have been sent (notify.MaybeSent).
	Fail func(notify.Message) error
	// Cost is the Receipt's cost of each message.
	Cost int64

	mu   sync.Mutex
	sent []notify.Message
}

var _ notify.SMS = (*SMS)(nil)

// SendSMS implements notify.SMS.
func (s *SMS) SendSMS(ctx context.Context, m notify.Message) (notify.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return notify.Receipt{}, &notify.Error{Class: notify.ErrNotSent, Channel: "sms", Provider: "test", Op: "send", Err: err}
	}
	if s.Fail != nil {
		if err := s.Fail(m); err != nil {
			if notify.MaybeSent(err) {
				s.keep(m)
			}
			return notify.Receipt{}, err
		}
	}
	n := s.keep(m)
	return notify.Receipt{ID: fmt.Sprintf("sms-%d", n), Status: "sent", Cost: s.Cost}, nil
}

func (s *SMS) keep(m notify.Message) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m)
	return len(s.sent)
}

// Sent is every message kept, oldest first; to, when given (with or without
// '+'), keeps those to one number.
func (s *SMS) Sent(to string) []notify.Message {
	to = strings.TrimPrefix(to, "+")
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []notify.Message
	for _, m := range s.sent {
		if to == "" || strings.TrimPrefix(m.To, "+") == to {
			out = append(out, m)
		}
	}
	return out
}

// Email is a notify.Email that keeps what it is given. Safe for concurrent use.
type Email struct {
	// Fail, as SMS.Fail.
	Fail func(notify.EmailMessage) error

	mu   sync.Mutex
	sent []notify.EmailMessage
}

var _ notify.Email = (*Email)(nil)

// SendEmail implements notify.Email.
func (e *Email) SendEmail(ctx context.Context, m notify.EmailMessage) error {
	if err := ctx.Err(); err != nil {
		return &notify.Error{Class: notify.ErrNotSent, Channel: "email", Provider: "test", Op: "send", Err: err}
	}
	if e.Fail != nil {
		if err := e.Fail(m); err != nil {
			if notify.MaybeSent(err) {
				e.keep(m)
			}
			return err
		}
	}
	e.keep(m)
	return nil
}

func (e *Email) keep(m notify.EmailMessage) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sent = append(e.sent, m)
}

// Sent is every e-mail kept, oldest first.
func (e *Email) Sent() []notify.EmailMessage {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]notify.EmailMessage(nil), e.sent...)
}
