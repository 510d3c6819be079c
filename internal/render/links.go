package render

import (
	"cmp"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"bulkpay/batch"
)

// LinkTotals shows a batch's links by status and the messages sent about
// them; nothing when the batch pays nobody by link.
func LinkTotals(w io.Writer, t batch.LinkTotals, b batch.Batch) {
	currency := b.Currency
	if len(t.Links) == 0 {
		return
	}
	fmt.Fprintln(w, "links:")
	for _, s := range batch.LinkStatuses {
		if x, ok := t.Links[s]; ok {
			fmt.Fprintf(w, "  %-10s %5d  %s %s\n", s, x.Items, batch.Money(x.Amount), currency)
		}
	}
	fmt.Fprintf(w, "messages: %d sent, cost %s %s, charged %s %s (sms_fee)", t.Messages, batch.Money(t.Cost), currency,
		batch.Money(t.Charge), currency)
	if t.Failed > 0 {
		fmt.Fprintf(w, "; %d could not be sent (the next `links --send` tries again)", t.Failed)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "batch charge: %s %s (payout fees %s + messages %s)\n", batch.Money(b.Charge+t.Charge), currency,
		batch.Money(b.Charge), batch.Money(t.Charge))
}

// LinkLine is one link as `links --json` writes it: never its id nor
// anything of its code.
type LinkLine struct {
	Row        int       `json:"row"`
	Name       string    `json:"name"`
	Phone      string    `json:"phone"`
	Amount     int64     `json:"amount"`
	Status     string    `json:"status"`
	ExpiresAt  time.Time `json:"expires_at"`
	Invited    bool      `json:"invited"`
	Reminders  int       `json:"reminders"`
	Locks      int       `json:"locks"`
	Review     bool      `json:"review"`
	ClaimMode  string    `json:"claim_mode,omitempty"`
	ClaimPhone string    `json:"claim_phone,omitempty"`
	ItemState  string    `json:"item_state"`
}

// NewLinkLines lists links as `links --json` writes them.
func NewLinkLines(links []batch.Link) []LinkLine {
	out := make([]LinkLine, 0, len(links))
	for _, l := range links {
		out = append(out, LinkLine{Row: l.Row, Name: l.Name, Phone: l.Phone, Amount: l.Amount, Status: string(l.Shown()),
			ExpiresAt: l.ExpiresAt.UTC(), Invited: !l.InvitedAt.IsZero(), Reminders: l.Reminders, Locks: l.Locks, Review: l.Review,
			ClaimMode: l.ClaimMode, ClaimPhone: l.ClaimPhone, ItemState: string(l.ItemState)})
	}
	return out
}

// Links shows links for people, one a line in sheet order.
func Links(w io.Writer, lines []LinkLine, currency string) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "row\tname\tphone\tamount\tstatus\texpires\tinvited\treminders\tnote\t")
	for _, l := range lines {
		note := ""
		switch {
		case l.Review:
			note = fmt.Sprintf("locked %d times: review", l.Locks)
		case l.Locks > 0:
			note = fmt.Sprintf("locked %d time(s)", l.Locks)
		case l.ClaimMode != "":
			note = fmt.Sprintf("%s to %s, payout %s", l.ClaimMode, Phone(l.ClaimPhone), l.ItemState)
		}
		invited := "no"
		if l.Invited {
			invited = "yes"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s %s\t%s\t%s\t%s\t%d\t%s\t\n", l.Row, l.Name, Phone(l.Phone), batch.Money(l.Amount), currency,
			l.Status, l.ExpiresAt.Format("2006-01-02 15:04"), invited, l.Reminders, note)
	}
	tw.Flush()
}

// LinksReport shows the links of b that were asked (shown) out of all: as
// JSON, else as a table with the totals of all, or that b pays nobody by
// link.
func LinksReport(w io.Writer, b batch.Batch, all, shown []batch.Link, totals batch.LinkTotals, asJSON bool) error {
	switch {
	case asJSON:
		return JSON(w, NewLinkLines(shown))
	case len(all) == 0:
		fmt.Fprintf(w, "batch %s pays nobody by link\n", b.Reference)
		return nil
	}
	Links(w, NewLinkLines(shown), b.Currency)
	LinkTotals(w, totals, b)
	return nil
}

// LinksSent shows the links as LinksReport does, once messages were sent,
// and gives the error for the exit code: batch.ErrUnfinished when failed
// of them could not be sent (the next `links --send` tries them again).
func LinksSent(w io.Writer, b batch.Batch, all, shown []batch.Link, totals batch.LinkTotals, failed int, asJSON bool) error {
	var outcome error
	if failed > 0 {
		outcome = fmt.Errorf("%w: %d message(s) could not be sent; the next `bulkpay links %s --send` tries again",
			batch.ErrUnfinished, failed, b.Reference)
	}
	return cmp.Or(LinksReport(w, b, all, shown, totals, asJSON), outcome)
}
