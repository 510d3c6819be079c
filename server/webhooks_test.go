package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/webhooks"
)

func TestServeDeliversTheWebhookOutboxWhileItRuns(t *testing.T) {
	t.Parallel()
	secret := []byte("a-secret-of-sixteen-bytes-or-more")
	got := make(chan string, 256)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if assert.NoError(t, err) && assert.True(t, webhooks.VerifySignature(secret, r.Header.Get("Bulkpay-Signature"), body, time.Now().Unix(), 300), "signed") {
			var e struct {
				Type string `json:"type"`
			}
			assert.NoError(t, json.Unmarshal(body, &e))
			got <- e.Type
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(receiver.Close)
	delivered := make(chan string, 256) // the events whose delivery the ledger holds
	h := newHarness(t, func(o *Options) {
		o.Webhooks = &webhooks.Deliverer{Store: recording{Store: o.Store.(webhooks.Store), delivered: delivered},
			Endpoints: []webhooks.Endpoint{webhooks.NewEndpoint(receiver.URL, []string{"batch.approved", "batch.completed"}, secret)},
			// the server stamps its events on the harness's clock, which stands
			// at 2026-11-24 09:00, and the deliverer signs on the wall clock
			// (the receiver checks the signature's time against it): its
			// window, counted from the former, must outlast the gap
			Window: 10 * 365 * 24 * time.Hour}
		o.WebhooksIdle = 20 * time.Millisecond
	})
	awa, _ := approvedBatch(t, h)
	require.Equal(t, http.StatusSeeOther, awa.post("/batches/payroll-2026-11/start", nil).code)
	events := awa.stream("payroll-2026-11")
	require.True(t, events[len(events)-1].data.Complete)

	seen := map[string]int{}
	deadline := time.After(time.Minute) // a bound, never reached when delivery works
	for seen["batch.completed"] == 0 {
		select {
		case typ := <-got:
			seen[typ]++
		case <-deadline:
			t.Fatalf("the server delivered %v, not batch.completed", seen)
		}
	}
	assert.Equal(t, 1, seen["batch.approved"], "the endpoint's events only, each once")
	assert.Len(t, seen, 2)
	// the receiver has the event before the server has its answer: the
	// delivery is listed once the server has recorded it
	for n := 0; n < 2; n++ {
		select {
		case <-delivered:
		case <-deadline:
			t.Fatal("the deliveries were never recorded")
		}
	}

	// the API lists the events with their deliveries, and an admin sends one again
	carl, dana := h.api("carl", "password-carl"), h.api("dana", "password-dana")
	var page struct {
		Count   int `json:"count"`
		Results []struct {
			ID         string `json:"id"`
			Type       string `json:"type"`
			Deliveries []struct {
				Endpoint string `json:"endpoint"`
				State    string `json:"state"`
			} `json:"deliveries"`
		} `json:"results"`
	}
	listed := carl.call(http.MethodGet, "/payments/webhook_event/?type=batch.completed", nil)
	require.Equal(t, http.StatusOK, listed.code, listed.body)
	require.NoError(t, json.Unmarshal([]byte(listed.body), &page))
	require.Equal(t, 1, page.Count, listed.body)
	require.Len(t, page.Results[0].Deliveries, 1)
	assert.Equal(t, "delivered", page.Results[0].Deliveries[0].State)
	assert.Equal(t, receiver.URL, page.Results[0].Deliveries[0].Endpoint)

	assert.Equal(t, http.StatusForbidden, carl.call(http.MethodPost, "/payments/webhook_event/"+page.Results[0].ID+"/resend/", nil).code)
	assert.Equal(t, http.StatusNotFound, dana.call(http.MethodPost, "/payments/webhook_event/no-such-event/resend/", nil).code)
	resent := dana.call(http.MethodPost, "/payments/webhook_event/"+page.Results[0].ID+"/resend/", nil)
	require.Equal(t, http.StatusAccepted, resent.code, resent.body)
	select {
	case typ := <-got:
		assert.Equal(t, "batch.completed", typ, "the event resent, under its id")
	case <-time.After(time.Minute): // a bound, never reached when delivery works
		t.Fatal("the resent event was not delivered")
	}
}

// recording is the webhooks' store that tells delivered of each delivery it
// records as delivered, once it is in the ledger.
type recording struct {
	webhooks.Store
	delivered chan<- string
}

func (r recording) Record(ctx context.Context, d webhooks.Delivery, a *webhooks.Attempt) error {
	err := r.Store.Record(ctx, d, a)
	if err == nil && d.State == webhooks.Delivered {
		r.delivered <- d.EventID
	}
	return err
}
