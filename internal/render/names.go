package render

import (
	"fmt"
	"io"
	"strings"

	"bulkpay/batch"
)

// NamesJSON is what a name check found, for plan --json: how many rows
// came to each result and every row that is not a plain match.
type NamesJSON struct {
	Policy string         `json:"policy"`
	Counts map[string]int `json:"counts"`
	Rows   []NameJSON     `json:"rows"`
}

// NameJSON is one row's check. RegisteredName is personal data: only for
// those allowed to see it.
type NameJSON struct {
	Row            int    `json:"row"`
	Phone          string `json:"phone"`
	Name           string `json:"name"`
	Result         string `json:"result"`
	Score          int    `json:"score"`
	RegisteredName string `json:"registered_name,omitempty"`
	Provider       string `json:"provider,omitempty"`
	Reason         string `json:"reason,omitempty"`
	Action         string `json:"action,omitempty"`
	ConfirmedBy    string `json:"confirmed_by,omitempty"`
	Note           string `json:"note,omitempty"`
}

// NewNamesJSON sums checks under policy; registered says whether the
// registered names are shown.
func NewNamesJSON(policy batch.NamePolicy, checks []batch.NameCheck, registered bool) *NamesJSON {
	if policy == batch.NamesOff || policy == "" {
		return nil
	}
	out := &NamesJSON{Policy: string(policy), Counts: map[string]int{}, Rows: []NameJSON{}}
	for _, c := range checks {
		out.Counts[string(c.Result)]++
		if c.Result == batch.NameMatch && c.ConfirmedBy == "" {
			continue
		}
		j := NameJSON{Row: c.Row, Phone: "+" + c.Phone, Name: c.Name, Result: string(c.Result), Score: c.Score, Provider: c.Provider,
			Reason: c.Reason, Action: NameAction(policy, c.Result), ConfirmedBy: c.ConfirmedBy, Note: c.Note}
		if registered {
			j.RegisteredName = c.Registered()
		}
		out.Rows = append(out.Rows, j)
	}
	return out
}

// NameAction says what policy does with a row of result r.
func NameAction(policy batch.NamePolicy, r batch.NameResult) string {
	switch {
	case r.NeverPay() && policy == batch.NamesReview && r == batch.NameInactive:
		return "to confirm: never paid while the account is inactive"
	case r.NeverPay():
		return "rejected: never sent money"
	case policy == batch.NamesReview && r == batch.NameMismatch:
		return "to confirm by an approver before it is paid"
	case policy == batch.NamesBlock && r.Doubtful():
		return "blocks the batch"
	case r == batch.NameMismatch || r == batch.NamePartial:
		return "paid: check it"
	}
	return ""
}

// Names shows a name check for people.
func Names(w io.Writer, n *NamesJSON) {
	if n == nil {
		return
	}
	var parts []string
	for _, r := range []batch.NameResult{batch.NameMatch, batch.NamePartial, batch.NameMismatch, batch.NameInactive, batch.NameUnknownAccount, batch.NameNotCheckable} {
		if c := n.Counts[string(r)]; c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, r.Text()))
		}
	}
	if len(parts) == 0 {
		parts = []string{"no row"}
	}
	fmt.Fprintf(w, "Name check (%s): %s\n", n.Policy, strings.Join(parts, ", "))
	for _, r := range n.Rows {
		line := fmt.Sprintf("  row %d, %s %q: %s", r.Row, r.Phone, r.Name, batch.NameResult(r.Result).Text())
		if r.Score > 0 {
			line += fmt.Sprintf(" (score %d)", r.Score)
		}
		if r.RegisteredName != "" {
			line += fmt.Sprintf(", registered to %q", r.RegisteredName)
		}
		if r.Reason != "" {
			line += "; " + r.Reason
		}
		if r.Action != "" {
			line += " — " + r.Action
		}
		if r.ConfirmedBy != "" {
			line += fmt.Sprintf(" — confirmed by %s: %q", r.ConfirmedBy, r.Note)
		}
		fmt.Fprintln(w, line)
	}
}
