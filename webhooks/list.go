package webhooks

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Subject is what an event is about, for people: the batch's reference, or
// the item's batch, row and reference.
func (e Event) Subject() string {
	var o struct {
		Batch     string `json:"batch"`
		Reference string `json:"reference"`
		Row       int    `json:"row"`
	}
	if json.Unmarshal(e.Object, &o) != nil {
		return "?"
	}
	if e.ItemID != 0 {
		return fmt.Sprintf("%s row %d (%s)", o.Batch, o.Row, o.Reference)
	}
	return o.Reference
}

// WriteList shows events for people, newest first as given: one line per
// endpoint tried (its state, attempts and last answer), and with log every
// attempt below it. Endpoints are shown by their Key: no query, no secret.
func WriteList(w io.Writer, events []Event, log bool) error {
	if len(events) == 0 {
		_, err := fmt.Fprintln(w, "no webhook events in the ledger")
		return err
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "event\ttype\tabout\tcreated\tendpoint\tstate\tattempts\tlast\t")
	for _, e := range events {
		head := fmt.Sprintf("%s\t%s\t%s\t%s\t", e.ID, e.Type, e.Subject(), e.CreatedAt.UTC().Format(time.RFC3339))
		if len(e.Deliveries) == 0 {
			fmt.Fprintf(tw, "%s-\tpending\t0\tnot tried yet\t\n", head)
		}
		for i, d := range e.Deliveries {
			if i > 0 {
				head = "\t\t\t\t"
			}
			fmt.Fprintf(tw, "%s%s\t%s\t%d\t%s\t\n", head, d.Endpoint, d.State, d.Attempts, last(d))
			if log {
				for _, a := range d.Log {
					fmt.Fprintf(tw, "\t\t\t\t  %s\t%s\t\t%s\t\n", a.At.UTC().Format(time.RFC3339), answer(a.Status), a.Error)
				}
			}
		}
	}
	return tw.Flush()
}

func last(d Delivery) string {
	switch {
	case d.State == Delivered:
		return fmt.Sprintf("%d at %s", d.LastStatus, d.DeliveredAt.UTC().Format(time.RFC3339))
	case d.State == Pending && !d.NextAt.IsZero():
		return fmt.Sprintf("%s; next at %s", d.LastError, d.NextAt.UTC().Format(time.RFC3339))
	}
	return d.LastError
}

func answer(status int) string {
	if status == 0 {
		return "no answer"
	}
	return fmt.Sprintf("HTTP %d", status)
}
