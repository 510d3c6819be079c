package sandboxtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"bulkpay/providers/sandbox"
)

// Messages reads the SMS the sandbox at root has accepted, over HTTP as a
// browser test or another process would (GET /_sandbox/messages), oldest
// first; to (E.164, with or without '+'), when given, keeps those to one
// number.
func Messages(t testing.TB, root, to string) []sandbox.Message {
	t.Helper()
	u := root + "/_sandbox/messages"
	if to != "" {
		u += "?to=" + url.QueryEscape(to)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("sandbox messages: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sandbox messages: HTTP %d", resp.StatusCode)
	}
	var out []sandbox.Message
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("sandbox messages: %v", err)
	}
	return out
}

// Delivered is the text of the messages to one number that reached the
// phone (neither lost nor still queued), oldest first.
func Delivered(t testing.TB, root, to string) []string {
	t.Helper()
	var out []string
	for _, m := range Messages(t, root, to) {
		if m.Status == sandbox.SMSDelivered {
			out = append(out, m.Text)
		}
	}
	return out
}
