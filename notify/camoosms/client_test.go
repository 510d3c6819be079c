package camoosms_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/notify"
	"bulkpay/notify/camoosms"
	"bulkpay/notify/linktext"
	"bulkpay/providers"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

const (
	key    = "ck_live_0123456789"
	secret = "cs_live_abcdefghijkl"
	phone  = "+237677123456"
)

// rig serves a sandbox behind a recorder and a client pointed at it on a
// clock that never sleeps.
func rig(t *testing.T, opts sandbox.Options, more ...camoosms.Option) (*sandbox.Server, *sandboxtest.Recorder, string, *camoosms.Client, *providerstest.Clock) {
	t.Helper()
	opts.Camoo.Key, opts.Camoo.Secret = key, secret
	srv, rec, root := sandboxtest.Recorded(t, opts)
	clock := providerstest.NewClock(sandboxtest.Start)
	c := camoosms.New(append([]camoosms.Option{camoosms.WithBaseURL(root + "/camoo/v1"), camoosms.WithKeys(key, secret),
		camoosms.WithClock(clock), camoosms.WithRetry(providers.Retry{Jitter: func(int64) int64 { return 0 }})}, more...)...)
	return srv, rec, root, c, clock
}

func TestSendSMS(t *testing.T) {
	t.Parallel()
	_, rec, root, c, _ := rig(t, sandbox.Options{}, camoosms.WithSender("ONG Espoir"), camoosms.WithRoute("classic"),
		camoosms.WithNotifyURL("https://pay.example.cm/callbacks/sms"))
	text := linktext.CodeMessage("fr", "482913")
	got, err := c.SendSMS(context.Background(), notify.Message{To: phone, Text: text, Reference: "link-01JDZK8Q4W"})
	require.NoError(t, err)
	assert.Equal(t, 1, rec.Count("POST /camoo/v1/sms.json"))
	assert.Equal(t, map[string]any{"from": "ONG Espoir", "to": phone, "message": text, "reference": "link-01JDZK8Q4W",
		"datacoding": "auto", "route": "classic", "notify_url": "https://pay.example.cm/callbacks/sms"}, rec.Last())

	msgs := sandboxtest.Messages(t, root, phone)
	require.Len(t, msgs, 1)
	assert.Equal(t, notify.Receipt{ID: msgs[0].ID, Status: "sent", Cost: sandbox.DefaultSMSPrice}, got)
	assert.Equal(t, text, msgs[0].Text)
	assert.Equal(t, "ONG Espoir", msgs[0].From)

	// a number without its '+' is sent with it
	_, err = c.SendSMS(context.Background(), notify.Message{To: "237677123456", Text: "x"})
	require.NoError(t, err)
	assert.Equal(t, phone, rec.Last()["to"])
}

func TestSendSMSRetriesOnlyWhatWasNotSent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		faults    []sandbox.Fault
		class     error // nil: sent
		requests  int
		kept      int
		slept     []time.Duration
		retryWait time.Duration
	}{
		{name: "429 twice, then sent", faults: []sandbox.Fault{{Kind: sandbox.Status, Status: 429, RetryAfter: 2, Times: 2}},
			requests: 3, kept: 1, slept: []time.Duration{2 * time.Second, 2 * time.Second}},
		{name: "429 past every retry", faults: []sandbox.Fault{{Kind: sandbox.Status, Status: 429, RetryAfter: 1, Times: 9}},
			class: notify.ErrNotSent, requests: 5, kept: 0, retryWait: time.Second},
		{name: "429 longer than allowed", faults: []sandbox.Fault{{Kind: sandbox.Status, Status: 429, RetryAfter: 3600}},
			class: notify.ErrNotSent, requests: 1, kept: 0, retryWait: time.Hour},
		{name: "500: may have gone out", faults: []sandbox.Fault{{Kind: sandbox.Status, Status: 500}},
			class: notify.ErrMaybeSent, requests: 1, kept: 0},
		{name: "answer broken after accepting", faults: []sandbox.Fault{{Kind: sandbox.Malformed}},
			class: notify.ErrMaybeSent, requests: 1, kept: 1},
		{name: "connection dropped", faults: []sandbox.Fault{{Kind: sandbox.Reset}},
			class: notify.ErrMaybeSent, requests: 1, kept: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, rec, root, c, clock := rig(t, sandbox.Options{})
			for _, f := range tt.faults {
				f.Provider, f.Op = "camoo", "sms"
				srv.AddFault(f)
			}
			_, err := c.SendSMS(context.Background(), notify.Message{To: phone, Text: "Votre code bulkpay: 123456"})
			if tt.class == nil {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Equal(t, tt.class, notify.Class(err), err.Error())
				var ne *notify.Error
				require.ErrorAs(t, err, &ne)
				assert.Equal(t, tt.retryWait, ne.RetryAfter)
			}
			assert.Equal(t, tt.requests, rec.Count("POST /camoo/v1/sms.json"))
			assert.Len(t, sandboxtest.Messages(t, root, phone), tt.kept)
			if tt.slept != nil {
				assert.Equal(t, tt.slept, clock.Slept())
			}
		})
	}
}

func TestSendSMSRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []camoosms.Option
		msg      notify.Message
		requests int
		says     string
	}{
		{"not a number", nil, notify.Message{To: "677-12", Text: "x"}, 0, "E.164"},
		{"no text", nil, notify.Message{To: phone, Text: " "}, 0, "no text"},
		{"reference too long", nil, notify.Message{To: phone, Text: "x", Reference: "0123456789012345678901234567890123"}, 0, "32"},
		{"sender too long", []camoosms.Option{camoosms.WithSender("bulkpay payments")}, notify.Message{To: phone, Text: "x"}, 0, "11 characters"},
		{"number Camoo refuses", nil, notify.Message{To: "+23700000000", Text: "x"}, 1, "invalid phone number"},
		{"wrong keys", []camoosms.Option{camoosms.WithKeys("wrong-key", "wrong-secret")}, notify.Message{To: phone, Text: "x"}, 1, "Authentication failed"},
		{"no credit", nil, notify.Message{To: phone, Text: "x"}, 1, "Insufficient balance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := sandbox.Options{}
			if tt.name == "no credit" {
				opts.SMS.Balance = 10
			}
			_, rec, root, c, clock := rig(t, opts, tt.opts...)
			_, err := c.SendSMS(context.Background(), tt.msg)
			require.Error(t, err)
			assert.ErrorIs(t, err, notify.ErrRefused)
			assert.False(t, notify.MaybeSent(err))
			assert.Contains(t, err.Error(), tt.says)
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, err.Error(), key)
			assert.Equal(t, tt.requests, rec.Total(), "refused once, never resent")
			assert.Empty(t, clock.Slept())
			assert.Empty(t, sandboxtest.Messages(t, root, ""))
		})
	}
}

func TestSendSMSNeverReached(t *testing.T) {
	t.Parallel()
	hs := httptest.NewServer(http.NotFoundHandler())
	root := hs.URL
	hs.Close() // nothing listens there any more
	clock := providerstest.NewClock(sandboxtest.Start)
	c := camoosms.New(camoosms.WithBaseURL(root+"/camoo/v1"), camoosms.WithKeys(key, secret), camoosms.WithClock(clock),
		camoosms.WithRetry(providers.Retry{Max: 2, Jitter: func(int64) int64 { return 0 }}))
	_, err := c.SendSMS(context.Background(), notify.Message{To: phone, Text: "x"})
	require.Error(t, err)
	assert.ErrorIs(t, err, notify.ErrNotSent)
	assert.Len(t, clock.Slept(), 2, "sent again as the policy allows, then given up")
}

func TestBalance(t *testing.T) {
	t.Parallel()
	_, _, _, c, _ := rig(t, sandbox.Options{SMS: sandbox.SMSOptions{Balance: 4200}})
	b, err := c.Balance(context.Background())
	require.NoError(t, err)
	assert.Equal(t, providers.Balance{Amount: 4200, Currency: "XAF"}, b)

	_, _, _, bad, _ := rig(t, sandbox.Options{}, camoosms.WithKeys("nope", "nope-secret"))
	_, err = bad.Balance(context.Background())
	assert.ErrorIs(t, err, notify.ErrRefused)
}

func TestCheckSender(t *testing.T) {
	t.Parallel()
	for s, ok := range map[string]bool{"bulkpay": true, "ONG Espoir": true, "12345678901": true, "+237677123456": true,
		"": false, "bulkpay payments": false} {
		assert.Equal(t, ok, camoosms.CheckSender(s) == nil, s)
	}
}
