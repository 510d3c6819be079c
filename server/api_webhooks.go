package server

import (
	"errors"
	"net/http"
	"time"

	"bulkpay/webhooks"
)

// webhookEventJSON is one event of the webhook outbox and how its delivery
// stands at each endpoint: what `bulkpay webhooks list` shows.
type webhookEventJSON struct {
	ID         string                `json:"id"`
	Type       string                `json:"type"`
	CreatedAt  time.Time             `json:"created_at"`
	Deliveries []webhookDeliveryJSON `json:"deliveries"`
}

type webhookDeliveryJSON struct {
	Endpoint    string     `json:"endpoint"` // its URL without query or credentials
	State       string     `json:"state"`    // pending, delivered, gave_up
	Attempts    int        `json:"attempts"`
	NextAt      *time.Time `json:"next_at"`
	LastStatus  int        `json:"last_status"`
	LastError   string     `json:"last_error"`
	DeliveredAt *time.Time `json:"delivered_at"`
}

// maxWebhookEvents bounds what the list reads: the newest events.
const maxWebhookEvents = 1000

// journal is the ledger's webhook outbox, when the store keeps one.
func (s *Server) journal(w http.ResponseWriter) (webhooks.Journal, bool) {
	j, ok := s.opt.Store.(webhooks.Journal)
	if !ok {
		apiFail(w, http.StatusNotFound, "this ledger keeps no webhook events")
	}
	return j, ok
}

// webhookEvents lists the newest webhook events with their deliveries.
func (s *Server) webhookEvents(w http.ResponseWriter, r *http.Request, rq *request) {
	j, ok := s.journal(w)
	if !ok {
		return
	}
	events, err := j.List(r.Context(), maxWebhookEvents)
	if err != nil {
		s.apiInternal(w, rq, err)
		return
	}
	typ := r.URL.Query().Get("type")
	var out []webhookEventJSON
	for _, e := range events {
		if typ != "" && e.Type != typ {
			continue
		}
		ev := webhookEventJSON{ID: e.ID, Type: e.Type, CreatedAt: e.CreatedAt.UTC(), Deliveries: []webhookDeliveryJSON{}}
		for _, d := range e.Deliveries {
			ev.Deliveries = append(ev.Deliveries, webhookDeliveryJSON{Endpoint: d.Endpoint, State: string(d.State), Attempts: d.Attempts,
				NextAt: stampOrNil(d.NextAt), LastStatus: d.LastStatus, LastError: d.LastError, DeliveredAt: stampOrNil(d.DeliveredAt)})
		}
		out = append(out, ev)
	}
	s.list(w, r, len(out), func(i int) any { return out[i] })
}

// resendWebhookEvent opens an event again for every endpoint, as `bulkpay
// webhooks resend` does: delivered by the next pass, retried for 24 h.
func (s *Server) resendWebhookEvent(w http.ResponseWriter, r *http.Request, rq *request) {
	j, ok := s.journal(w)
	if !ok || !decodeJSON(w, rq, &struct{}{}) {
		return
	}
	id := r.PathValue("id")
	switch err := j.Resend(r.Context(), id, s.opt.Now().UTC()); {
	case errors.Is(err, webhooks.ErrEventNotFound):
		apiFail(w, http.StatusNotFound, "no webhook event "+id)
		return
	case err != nil:
		s.apiInternal(w, rq, err)
		return
	}
	s.opt.Log.Info("webhook event resent", "event", id, "user", rq.User.Name)
	writeJSON(w, http.StatusAccepted, map[string]string{"id": id, "state": string(webhooks.Pending)})
}

func stampOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
