package reports

import (
	"path/filepath"
	"time"

	"bulkpay/batch"
)

// Links is what summary.json says of a batch's links: how many stand in each
// status (sent, claimed, processed, expired) and the messages sent about
// them with what they cost. Absent when the batch pays nobody by link.
type Links struct {
	ByStatus []LinkTally `json:"by_status"`
	Messages int         `json:"messages_sent"`
	Failed   int         `json:"messages_failed"`
	Cost     int64       `json:"messages_cost"`   // what the SMS provider charged
	Charge   int64       `json:"messages_charge"` // what the organisation is charged (sms_fee)
	// BatchCharge is the batch's charge with its messages: the payouts'
	// fees approved with the plan, plus the messages' charge since.
	BatchCharge int64 `json:"batch_charge"`
}

// LinkTally counts the links of one status.
type LinkTally struct {
	Status string `json:"status"`
	Items  int    `json:"items"`
	Amount int64  `json:"amount"`
}

// linkSummary sums links and messages; nil when there are no links.
func linkSummary(charge int64, links []batch.Link, msgs []batch.Message) *Links {
	if len(links) == 0 {
		return nil
	}
	by := map[batch.LinkStatus]*LinkTally{}
	for _, l := range links {
		t := by[l.Shown()]
		if t == nil {
			t = &LinkTally{Status: string(l.Shown())}
			by[l.Shown()] = t
		}
		t.Items++
		t.Amount += l.Amount
	}
	out := &Links{ByStatus: []LinkTally{}}
	for _, s := range batch.LinkStatuses {
		if t := by[s]; t != nil {
			out.ByStatus = append(out.ByStatus, *t)
		}
	}
	m := batch.CountMessages(msgs)
	out.Messages, out.Failed, out.Cost, out.Charge = m.Messages, m.Failed, m.Cost, m.Charge
	out.BatchCharge = charge + out.Charge
	return out
}

var linksHeader = []string{"row", "name", "phone", "amount", "currency", "status", "expires_at", "invited_at", "reminders",
	"locks", "review", "claimed_at", "claim_mode", "claim_phone", "item_state"}

// writeLinks writes links.csv: one line per link, in sheet order, never its
// id nor anything of its code.
func writeLinks(dir string, b batch.Batch, links []batch.Link) error {
	return writeCSV(filepath.Join(dir, "links.csv"), linksHeader, func(row func([]any) error) error {
		for _, l := range links {
			if err := row([]any{l.Row, l.Name, l.Phone, l.Amount, b.Currency, string(l.Shown()), stampOf(l.ExpiresAt),
				stampOf(l.InvitedAt), l.Reminders, l.Locks, l.Review, stampOf(l.ClaimedAt), l.ClaimMode, l.ClaimPhone,
				string(l.ItemState)}); err != nil {
				return err
			}
		}
		return nil
	})
}

func stampOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
