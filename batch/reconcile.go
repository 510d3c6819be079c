package batch

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"bulkpay/providers"
)

// Mismatch is a disagreement between the ledger and a provider's own records.
type Mismatch struct {
	Row       int    `json:"row"` // 0: a provider record that matches no item
	Provider  string `json:"provider"`
	Kind      string `json:"kind"` // status, amount, fee, unknown_payout, unreadable
	Ours      string `json:"ours"`
	Theirs    string `json:"theirs"`
	Reference string `json:"provider_reference"`
}

// Unchecked is an item (Row 0: a provider's history) whose provider record could
// not be read, even after retries: it is reported apart from the mismatches.
type Unchecked struct {
	Row       int    `json:"row"`
	Provider  string `json:"provider"`
	Reference string `json:"provider_reference"`
	Reason    string `json:"reason"`
}

func (m Mismatch) String() string {
	where := fmt.Sprintf("row %d", m.Row)
	if m.Row == 0 {
		where = "no row"
	}
	return fmt.Sprintf("%s, %s %s: %s — ledger %q, provider %q", where, m.Provider, m.Reference, m.Kind, m.Ours, m.Theirs)
}

// Reconcile compares each item the providers hold with their own records: the
// status, the amount and the provider's fee; and, where a provider can list its
// payouts (Historian), finds payouts over the batch's days that no batch in the
// ledger knows (known: every provider reference of the ledger, by provider).
func Reconcile(ctx context.Context, lanes map[string]Provider, b Batch, items []Item, known map[string]map[string]bool, now time.Time) ([]Mismatch, error) {
	var out []Mismatch
	for _, it := range items {
		p := lanes[it.Provider]
		if p == nil || it.ProviderReference == "" {
			continue
		}
		res, err := p.Check(ctx, it.ProviderReference)
		if err != nil {
			out = append(out, Mismatch{Row: it.Row, Provider: it.Provider, Kind: "unreadable", Ours: string(it.State),
				Theirs: err.Error(), Reference: it.ProviderReference})
			continue
		}
		if want := stateOf(res.Status); want != it.State && !(it.State == Review || it.State == Unknown) {
			out = append(out, Mismatch{Row: it.Row, Provider: it.Provider, Kind: "status", Ours: string(it.State),
				Theirs: string(res.Status), Reference: it.ProviderReference})
		}
		if res.Amount != 0 && res.Amount != it.Send() {
			out = append(out, Mismatch{Row: it.Row, Provider: it.Provider, Kind: "amount", Ours: strconv.FormatInt(it.Send(), 10),
				Theirs: strconv.FormatInt(res.Amount, 10), Reference: it.ProviderReference})
		}
		if res.Fee != 0 && it.ProviderFee != 0 && res.Fee != it.ProviderFee {
			out = append(out, Mismatch{Row: it.Row, Provider: it.Provider, Kind: "fee", Ours: strconv.FormatInt(it.ProviderFee, 10),
				Theirs: strconv.FormatInt(res.Fee, 10), Reference: it.ProviderReference})
		}
	}
	used := map[string]bool{}
	for _, it := range items {
		used[it.Provider] = true
	}
	for name := range used {
		h, ok := lanes[name].(Historian)
		if !ok {
			continue
		}
		recs, err := h.Records(ctx, b.CreatedAt.AddDate(0, 0, -1), now.AddDate(0, 0, 1))
		if err != nil {
			out = append(out, Mismatch{Provider: name, Kind: "unreadable", Theirs: "history: " + err.Error()})
			continue
		}
		for _, r := range recs {
			if !known[name][r.ProviderReference] && r.Status == providers.StatusSucceeded {
				out = append(out, Mismatch{Provider: name, Kind: "unknown_payout", Ours: "no item",
					Theirs: fmt.Sprintf("%d to %s at %s", r.Amount, r.Phone, r.At.Format(time.RFC3339)), Reference: r.ProviderReference})
			}
		}
	}
	return out, nil
}
