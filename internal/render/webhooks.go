package render

import (
	"fmt"
	"time"

	"bulkpay/webhooks"
)

// Pass is what a webhook delivery pass did, in a line.
func Pass(p webhooks.Pass) string {
	line := fmt.Sprintf("webhooks: %d delivered, %d failed, %d given up", p.Delivered, p.Failed, p.GaveUp)
	if p.Waiting > 0 {
		line += fmt.Sprintf("; %d waiting, the next due at %s", p.Waiting, p.NextDue.UTC().Format(time.RFC3339))
	}
	return line
}
