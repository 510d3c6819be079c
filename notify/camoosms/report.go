package camoosms

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Report is a delivery report Camoo sends to the notify_url of a message: an
// unsigned GET, so it is acted upon only when its ID and Recipient match a
// message we sent.
type Report struct {
	ID        string    // Camoo's message_id
	Status    string    // Camoo's word, in lower case
	Recipient string    // E.164 with its '+'
	At        time.Time // statusDatetime; zero when absent or unreadable
}

// Delivery states a report comes down to.
const (
	Delivered = "delivered"
	Failed    = "failed"
	Pending   = "pending"
)

// State is what the report says became of the message: Delivered, Failed
// (undelivered, rejected, expired) or Pending (anything else).
func (r Report) State() string {
	switch r.Status {
	case "delivered", "delivrd", "success":
		return Delivered
	case "failed", "undelivered", "undeliv", "rejected", "expired", "error":
		return Failed
	default:
		return Pending
	}
}

// ParseReport reads a delivery report from its query: id, status, recipient
// and statusDatetime. A report without an id or a recipient is refused.
func ParseReport(q url.Values) (Report, error) {
	r := Report{ID: strings.TrimSpace(q.Get("id")), Status: strings.ToLower(strings.TrimSpace(q.Get("status")))}
	digits := strings.TrimPrefix(strings.TrimSpace(q.Get("recipient")), "+")
	if r.ID == "" || len(digits) < 6 || len(digits) > 15 || strings.Trim(digits, "0123456789") != "" {
		return Report{}, fmt.Errorf("camoo delivery report without an id or a recipient's number")
	}
	r.Recipient = "+" + digits
	at := strings.TrimSpace(q.Get("statusDatetime"))
	for _, layout := range []string{"2006-01-02 15:04:05", time.RFC3339} {
		if t, err := time.Parse(layout, at); err == nil {
			r.At = t.UTC()
			break
		}
	}
	return r, nil
}
