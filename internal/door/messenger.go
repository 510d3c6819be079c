package door

import (
	"context"
	"errors"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/notify"
)

// Channels puts the notify package's SMS and e-mail clients behind the
// links' batch.Messenger; either may be nil (not configured).
type Channels struct {
	SMS   notify.SMS
	Email notify.Email
}

var (
	errNoSMS   = errors.New("no SMS account is configured (the config's sms section)")
	errNoEmail = errors.New("no e-mail server is configured (the config's email section)")
)

// SendSMS implements batch.Messenger.
func (c Channels) SendSMS(ctx context.Context, to, text, ref string) (int64, error) {
	if c.SMS == nil {
		return 0, errNoSMS
	}
	rc, err := c.SMS.SendSMS(ctx, notify.Message{To: to, Text: text, Reference: ref})
	return rc.Cost, err
}

// SendEmail implements batch.Messenger.
func (c Channels) SendEmail(ctx context.Context, to, subject, text, ref string) error {
	if c.Email == nil {
		return errNoEmail
	}
	return c.Email.SendEmail(ctx, notify.EmailMessage{To: to, Subject: subject, Text: text})
}

// Messenger builds the channels links are sent through from cfg: SMS to the
// sandbox at root when root is set (payouts and messages go to the same
// place), else through the config's sms account; e-mail through its email
// section (only to a server on this machine in the sandbox). Nil when
// neither is configured.
func Messenger(cfg config.Config, t config.Target, root string) (batch.Messenger, error) {
	sms, err := cfg.NewSMS(root, t.WrapHTTP)
	if err != nil {
		return nil, err
	}
	email, err := cfg.NewEmail(root != "")
	if err != nil {
		return nil, err
	}
	if sms == nil && email == nil {
		return nil, nil
	}
	return Channels{SMS: sms, Email: email}, nil
}
