package sandbox_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// postSMS sends an SMS request as Camoo documents it and returns the status
// and the decoded answer.
func postSMS(t *testing.T, root, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, root+"/camoo/v1/sms.json", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Api-Key", "key")
	req.Header.Set("X-Api-Secret", "secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func jsonSMS(to any, text string) string {
	b, _ := json.Marshal(map[string]any{"from": "bulkpay", "to": to, "message": text, "reference": "ref-1"})
	return string(b)
}

func TestSMSKeepsEveryMessage(t *testing.T) {
	t.Parallel()
	rig := sandboxtest.New(t, sandbox.Options{})
	code, body := postSMS(t, rig.URL, "application/json", jsonSMS("+237677123456", "Votre code bulkpay: 123456"))
	require.Equal(t, http.StatusOK, code, body)
	msgs := body["sms"].(map[string]any)["messages"].([]any)
	require.Len(t, msgs, 1)
	id := msgs[0].(map[string]any)["message_id"].(string)
	assert.NotEmpty(t, id)
	assert.EqualValues(t, sandbox.DefaultSMSPrice, msgs[0].(map[string]any)["message-price"])

	form := url.Values{"from": {"bulkpay"}, "to": {"+237699000001,237677123456"}, "message": {"two"}}
	code, body = postSMS(t, rig.URL, "application/x-www-form-urlencoded", form.Encode())
	require.Equal(t, http.StatusOK, code, body)
	code, _ = postSMS(t, rig.URL, "application/json", jsonSMS([]string{"+237699000001"}, "three"))
	require.Equal(t, http.StatusOK, code)

	all := sandboxtest.Messages(t, rig.URL, "")
	require.Len(t, all, 4)
	assert.Equal(t, sandbox.Message{ID: id, To: "+237677123456", Text: "Votre code bulkpay: 123456", Time: sandboxtest.Start,
		Status: sandbox.SMSDelivered, From: "bulkpay", Reference: "ref-1", Parts: 1, Cost: sandbox.DefaultSMSPrice}, all[0])
	assert.Equal(t, []string{"Votre code bulkpay: 123456", "two"}, sandboxtest.Delivered(t, rig.URL, "237677123456"))
	assert.Equal(t, []string{"two", "three"}, sandboxtest.Delivered(t, rig.URL, "+237699000001"))
	assert.Empty(t, sandboxtest.Messages(t, rig.URL, "+237600000000"))

	// the simulated credit went down by what the messages cost
	resp, err := http.Get(rig.URL + "/_sandbox/balances")
	require.NoError(t, err)
	defer resp.Body.Close()
	var bals map[string]int64
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&bals))
	assert.EqualValues(t, 1_000_000-4*sandbox.DefaultSMSPrice, bals["camoo/sms"])
}

func TestSMSRefusals(t *testing.T) {
	t.Parallel()
	rig := sandboxtest.New(t, sandbox.Options{SMS: sandbox.SMSOptions{Balance: 30}})
	tests := []struct {
		name, body string
		code       int
		field      string
	}{
		{"no sender", `{"to":"+237677123456","message":"x"}`, 400, "from"},
		{"sender too long", `{"from":"bulkpay-payments","to":"+237677123456","message":"x"}`, 400, "from"},
		{"no number", `{"from":"bulkpay","message":"x"}`, 400, "to"},
		{"bad number", `{"from":"bulkpay","to":"+2371","message":"x"}`, 400, "to"},
		{"no text", `{"from":"bulkpay","to":"+237677123456","message":" "}`, 400, "message"},
		{"reference too long", `{"from":"bulkpay","to":"+237677123456","message":"x","reference":"` + strings.Repeat("r", 33) + `"}`, 400, "reference"},
		{"not json", `{`, 400, "body"},
		{"two parts, credit for one", `{"from":"bulkpay","to":"+237677123456","message":"` + strings.Repeat("a", 161) + `"}`, 402, ""},
	}
	for _, tt := range tests {
		code, body := postSMS(t, rig.URL, "application/json", tt.body)
		assert.Equal(t, tt.code, code, tt.name)
		if tt.field != "" {
			assert.Contains(t, body["errors"], tt.field, tt.name)
		}
	}
	assert.Empty(t, sandboxtest.Messages(t, rig.URL, ""), "nothing refused is kept")

	req, _ := http.NewRequest(http.MethodPost, rig.URL+"/camoo/v1/sms.json", strings.NewReader(jsonSMS("+237677123456", "x")))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "no credentials")
}

func TestSMSFaults(t *testing.T) {
	t.Parallel()
	rig := sandboxtest.New(t, sandbox.Options{})
	rig.Server.AddFault(sandbox.Fault{Provider: "camoo", Op: "sms", Kind: sandbox.SMSLostFault})
	rig.Server.AddFault(sandbox.Fault{Provider: "camoo", Op: "sms", Kind: sandbox.SMSDelayedFault, Delay: time.Minute})
	rig.Server.AddFault(sandbox.Fault{Provider: "camoo", Op: "sms", Kind: sandbox.Status, Status: 503})
	const to = "+237677123456"
	for _, text := range []string{"lost", "late", "refused", "on time"} {
		postSMS(t, rig.URL, "application/json", jsonSMS(to, text))
	}
	var statuses []string
	for _, m := range sandboxtest.Messages(t, rig.URL, to) {
		statuses = append(statuses, m.Text+" "+m.Status)
	}
	assert.Equal(t, []string{"lost lost", "late queued", "on time delivered"}, statuses, "a 503 keeps nothing")
	assert.Equal(t, []string{"on time"}, sandboxtest.Delivered(t, rig.URL, to))

	rig.Advance(t, time.Minute)
	assert.Equal(t, []string{"late", "on time"}, sandboxtest.Delivered(t, rig.URL, to), "the delayed message arrives, the lost one never")
}

func TestSMSFaultRules(t *testing.T) {
	t.Parallel()
	rules, err := sandbox.ParseRules("camoo.sms:sms-lost@50%; camoo.sms:sms-delayed=30s@100%")
	require.NoError(t, err)
	rig := sandboxtest.New(t, sandbox.Options{Seed: 7, Rules: rules})
	const to = "+237677123456"
	for i := 0; i < 20; i++ {
		code, _ := postSMS(t, rig.URL, "application/json", jsonSMS(to, "m"))
		require.Equal(t, http.StatusOK, code)
	}
	count := map[string]int{}
	for _, m := range sandboxtest.Messages(t, rig.URL, to) {
		count[m.Status]++
	}
	assert.Equal(t, 20, count[sandbox.SMSLost]+count[sandbox.SMSQueued])
	assert.Positive(t, count[sandbox.SMSLost])
	assert.Positive(t, count[sandbox.SMSQueued])
	rig.Advance(t, 30*time.Second)
	assert.Len(t, sandboxtest.Delivered(t, rig.URL, to), count[sandbox.SMSQueued])

	_, err = sandbox.ParseRules("sms-delayed=soon")
	assert.Error(t, err)
}

func TestSMSBalance(t *testing.T) {
	t.Parallel()
	rig := sandboxtest.New(t, sandbox.Options{SMS: sandbox.SMSOptions{Balance: 5000}})
	req, _ := http.NewRequest(http.MethodGet, rig.URL+"/camoo/v1/sms/balance.json", nil)
	req.Header.Set("X-Api-Key", "k")
	req.Header.Set("X-Api-Secret", "s")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	assert.JSONEq(t, `{"code":200,"message":"OK","balance":{"balance":5000,"currency":"XAF"}}`, buf.String())
}

// TestMessagesEndpointFields: /_sandbox/messages answers a JSON list whose
// objects carry to, text, time, id and status, as other processes read them.
func TestMessagesEndpointFields(t *testing.T) {
	t.Parallel()
	rig := sandboxtest.New(t, sandbox.Options{})
	code, _ := postSMS(t, rig.URL, "application/json", jsonSMS("+237677123456", "bonjour"))
	require.Equal(t, http.StatusOK, code)
	resp, err := http.Get(rig.URL + "/_sandbox/messages?to=%2B237677123456")
	require.NoError(t, err)
	defer resp.Body.Close()
	var raw []map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&raw))
	require.Len(t, raw, 1)
	for _, k := range []string{"to", "text", "time", "id", "status"} {
		assert.Contains(t, raw[0], k)
	}
	assert.Equal(t, "2026-11-24T09:00:00Z", raw[0]["time"])
	assert.NotContains(t, raw[0], "deliver_at", "only a queued message says when it arrives")

	resp2, err := http.Get(rig.URL + "/_sandbox/messages?to=237600000000")
	require.NoError(t, err)
	defer resp2.Body.Close()
	var none []map[string]any
	require.NoError(t, json.NewDecoder(resp2.Body).Decode(&none))
	assert.NotNil(t, none, "an empty list, not null")
	assert.Empty(t, none)
}
