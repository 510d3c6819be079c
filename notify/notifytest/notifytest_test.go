package notifytest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/notify"
	"bulkpay/notify/notifytest"
)

func TestSMSKeepsWhatMayHaveGoneOut(t *testing.T) {
	t.Parallel()
	s := &notifytest.SMS{Cost: 25}
	rec, err := s.SendSMS(context.Background(), notify.Message{To: "+237677123456", Text: "a"})
	require.NoError(t, err)
	assert.Equal(t, notify.Receipt{ID: "sms-1", Status: "sent", Cost: 25}, rec)

	s.Fail = func(m notify.Message) error {
		if m.Text == "lost answer" {
			return &notify.Error{Class: notify.ErrMaybeSent}
		}
		return &notify.Error{Class: notify.ErrRefused}
	}
	_, err = s.SendSMS(context.Background(), notify.Message{To: "237677123456", Text: "lost answer"})
	assert.ErrorIs(t, err, notify.ErrMaybeSent)
	_, err = s.SendSMS(context.Background(), notify.Message{To: "237677123456", Text: "refused"})
	assert.ErrorIs(t, err, notify.ErrRefused)
	assert.Equal(t, []notify.Message{{To: "+237677123456", Text: "a"}, {To: "237677123456", Text: "lost answer"}}, s.Sent("237677123456"))
	assert.Empty(t, s.Sent("+237600000000"))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.SendSMS(ctx, notify.Message{To: "+237677123456", Text: "late"})
	assert.ErrorIs(t, err, notify.ErrNotSent)
}

func TestEmailKeepsWhatMayHaveGoneOut(t *testing.T) {
	t.Parallel()
	e := &notifytest.Email{}
	require.NoError(t, e.SendEmail(context.Background(), notify.EmailMessage{To: "awa@example.cm", Subject: "s", Text: "t"}))
	e.Fail = func(notify.EmailMessage) error { return &notify.Error{Class: notify.ErrNotSent} }
	assert.ErrorIs(t, e.SendEmail(context.Background(), notify.EmailMessage{To: "b@example.cm"}), notify.ErrNotSent)
	assert.Equal(t, []notify.EmailMessage{{To: "awa@example.cm", Subject: "s", Text: "t"}}, e.Sent())
}
