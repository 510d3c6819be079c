package notify_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/notify"
)

func TestErrorClasses(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection reset")
	tests := []struct {
		name      string
		err       error
		class     error
		maybeSent bool
	}{
		{"not sent", &notify.Error{Class: notify.ErrNotSent, Channel: "sms", Provider: "camoo", Op: "send"}, notify.ErrNotSent, false},
		{"refused", &notify.Error{Class: notify.ErrRefused, Channel: "email", Provider: "smtp.example.cm", Op: "rcpt", Status: 550}, notify.ErrRefused, false},
		{"maybe sent", &notify.Error{Class: notify.ErrMaybeSent, Channel: "sms", Provider: "camoo", Op: "send", Err: cause}, notify.ErrMaybeSent, true},
		{"wrapped", fmt.Errorf("send code: %w", &notify.Error{Class: notify.ErrNotSent}), notify.ErrNotSent, false},
		{"unclassified", cause, notify.ErrMaybeSent, true},
		{"none", nil, notify.ErrMaybeSent, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.err != nil {
				assert.Equal(t, tt.class, notify.Class(tt.err))
			}
			assert.Equal(t, tt.maybeSent, notify.MaybeSent(tt.err))
		})
	}
	e := &notify.Error{Class: notify.ErrMaybeSent, Channel: "sms", Provider: "camoo", Op: "send", Status: 500, Message: "boom", Err: cause}
	assert.Equal(t, "sms camoo send: message may have been sent (status 500): boom: connection reset", e.Error())
	assert.ErrorIs(t, e, cause)
}
