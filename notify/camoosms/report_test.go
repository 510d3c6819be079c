package camoosms_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/notify"
	"bulkpay/notify/camoosms"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

func TestParseReport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		want  camoosms.Report
		state string
	}{
		{"id=m1&status=delivered&recipient=237677123456&statusDatetime=2026-11-24+09:00:05",
			camoosms.Report{ID: "m1", Status: "delivered", Recipient: "+237677123456", At: time.Date(2026, 11, 24, 9, 0, 5, 0, time.UTC)}, camoosms.Delivered},
		{"id=m2&status=UNDELIVERED&recipient=%2B237677123456",
			camoosms.Report{ID: "m2", Status: "undelivered", Recipient: "+237677123456"}, camoosms.Failed},
		{"id=m3&status=sent&recipient=237677123456&statusDatetime=yesterday",
			camoosms.Report{ID: "m3", Status: "sent", Recipient: "+237677123456"}, camoosms.Pending},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		require.NoError(t, err)
		got, err := camoosms.ParseReport(q)
		require.NoError(t, err, tt.query)
		assert.Equal(t, tt.want, got, tt.query)
		assert.Equal(t, tt.state, got.State(), tt.query)
	}
	for _, bad := range []string{"", "id=m1&status=delivered", "recipient=237677123456&status=delivered"} {
		q, _ := url.ParseQuery(bad)
		_, err := camoosms.ParseReport(q)
		assert.Error(t, err, bad)
	}
}

func FuzzParseReport(f *testing.F) {
	f.Add("id=m1&status=delivered&recipient=237677123456&statusDatetime=2026-11-24+09:00:05")
	f.Add("id=&recipient=%2B")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		r, err := camoosms.ParseReport(q)
		if err == nil && (r.ID == "" || len(r.Recipient) < 2) {
			t.Fatalf("a report without id or recipient was accepted: %+v", r)
		}
	})
}

// TestDeliveryReportsFromTheSandbox: the sandbox reports each delivered SMS
// to the notify_url the client sends, when it reaches the phone; the report
// reads back with the id and number of what was sent, and a lost message is
// never reported.
func TestDeliveryReportsFromTheSandbox(t *testing.T) {
	t.Parallel()
	reports := make(chan url.Values, 8)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reports <- r.URL.Query()
	}))
	t.Cleanup(recv.Close)
	rig := sandboxtest.New(t, sandbox.Options{Callbacks: sandbox.CallbackOptions{Enabled: true}})
	c := camoosms.New(camoosms.WithBaseURL(rig.URL+"/camoo/v1"), camoosms.WithKeys(key, secret), camoosms.WithNotifyURL(recv.URL+"/sms?account=1"))

	rig.Server.AddFault(sandbox.Fault{Provider: "camoo", Op: "sms", Kind: sandbox.SMSLostFault})
	rig.Server.AddFault(sandbox.Fault{Provider: "camoo", Op: "sms", Kind: sandbox.SMSDelayedFault, Delay: time.Minute})
	_, err := c.SendSMS(context.Background(), notify.Message{To: phone, Text: "lost"})
	require.NoError(t, err)
	late, err := c.SendSMS(context.Background(), notify.Message{To: phone, Text: "late"})
	require.NoError(t, err)
	now, err := c.SendSMS(context.Background(), notify.Message{To: phone, Text: "now", Reference: "link-1"})
	require.NoError(t, err)

	first := <-rig.Delivered
	assert.Equal(t, "sms-report", first.Kind)
	assert.Equal(t, http.StatusOK, first.HTTPStatus)
	got, err := camoosms.ParseReport(<-reports)
	require.NoError(t, err)
	assert.Equal(t, camoosms.Report{ID: now.ID, Status: "delivered", Recipient: phone, At: sandboxtest.Start}, got)
	assert.Equal(t, camoosms.Delivered, got.State())

	assert.Equal(t, 1, rig.Advance(t, time.Minute), "the delayed one is reported when it arrives")
	<-rig.Delivered
	q := <-reports
	assert.Equal(t, "1", q.Get("account"), "the notify_url's own query is kept")
	got, err = camoosms.ParseReport(q)
	require.NoError(t, err)
	assert.Equal(t, late.ID, got.ID)
	assert.Equal(t, sandboxtest.Start.Add(time.Minute), got.At)

	assert.Zero(t, rig.Advance(t, time.Hour), "the lost one never is")
	assert.Len(t, reports, 0)
}
