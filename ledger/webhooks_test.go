package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers/providerstest"
	"bulkpay/webhooks"
)

var hookT0 = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

func outboxTypes(t *testing.T, st *Store) []string {
	t.Helper()
	list, err := st.List(context.Background(), 1000)
	require.NoError(t, err)
	var out []string
	for i := len(list) - 1; i >= 0; i-- {
		out = append(out, list[i].Type)
	}
	return out
}

// pay claims every item of b and moves them to the states given, in order.
func pay(t *testing.T, st *Store, b batch.Batch, to ...batch.State) {
	t.Helper()
	ctx := context.Background()
	claims, err := st.Claim(ctx, b.ID, "campay", len(to))
	require.NoError(t, err)
	require.Len(t, claims, len(to))
	for i, c := range claims {
		require.NoError(t, st.Apply(ctx, batch.Change{ItemID: c.Item.ID, From: batch.Submitting, To: to[i], Cause: "answer",
			ProviderReference: "cp-" + c.Item.Reference,
			Attempt:           &batch.AttemptEnd{ID: c.AttemptID, Outcome: batch.OutcomeAccepted}}))
	}
}

func TestOutboxIsFilledWithTheChangesThatCauseIt(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		st := openAt(t, loc)
		ctx := context.Background()
		b, items := seed(t, st, 3)
		assert.Equal(t, []string{"batch.planned"}, outboxTypes(t, st))

		require.NoError(t, st.Approve(ctx, b.ID, batch.Approval{Hash: "h", By: "ama", At: hookT0}, ""))
		require.NoError(t, st.Note(ctx, b.ID, "approval refused", "bob: planned it"))
		pay(t, st, b, batch.Succeeded, batch.Unknown, batch.Failed)
		assert.Equal(t, []string{"batch.planned", "batch.approved", "batch.started", "item.succeeded", "item.failed"}, outboxTypes(t, st),
			"one batch.started for the first claim; unknown is no event; not complete while an item is open")

		require.NoError(t, st.Apply(ctx, batch.Change{ItemID: items[1].ID, From: batch.Unknown, To: batch.Review, Cause: "settle budget spent"}))
		require.NoError(t, st.Apply(ctx, batch.Change{ItemID: items[1].ID, From: batch.Review, To: batch.Succeeded, Cause: "resolved by ama", Actor: "ama"}))
		assert.Equal(t, []string{"batch.planned", "batch.approved", "batch.started", "item.succeeded", "item.failed",
			"item.review", "item.succeeded", "batch.completed"}, outboxTypes(t, st))

		list, err := st.List(ctx, 100)
		require.NoError(t, err)
		ids := map[string]bool{}
		for _, e := range list {
			assert.Regexp(t, `^evt_[0-9a-f]{32}$`, e.ID)
			ids[e.ID] = true
		}
		assert.Len(t, ids, len(list), "ids are unique")
		assert.JSONEq(t, `{"batch":"b-1","reference":"ref-b","row":3,"amount":1000,"currency":"XAF","provider":"campay",
		"state":"review","provider_reference":"cp-ref-b"}`, string(list[2].Object), "the item as it stood: no name, no phone")
		assert.Equal(t, items[1].ID, list[2].ItemID)
		assert.JSONEq(t, `{"reference":"b-1","sheet_name":"s.xlsx","period":"","currency":"XAF","total_amount":3000,"items":3,
		"sandbox":false,"approved_by":"ama","succeeded":2,"failed":1,"rejected":0,"cancelled":0,"succeeded_amount":2000}`, string(list[0].Object))
		body, err := webhooks.Body(list[0])
		require.NoError(t, err)
		assert.NotContains(t, string(body), "23767712345")
	})
}

func TestABatchWhoseLastItemsAreCancelledCompletes(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		st := openAt(t, loc)
		ctx := context.Background()
		b, items := seed(t, st, 3)
		pay(t, st, b, batch.Succeeded)
		require.NoError(t, st.Apply(ctx,
			batch.Change{ItemID: items[1].ID, From: batch.Planned, To: batch.Cancelled, Cause: batch.CauseCancelled, Actor: "ama"},
			batch.Change{ItemID: items[2].ID, From: batch.Planned, To: batch.Cancelled, Cause: batch.CauseCancelled, Actor: "ama"}))
		assert.Equal(t, []string{"batch.planned", "batch.started", "item.succeeded", "batch.completed"}, outboxTypes(t, st),
			"a cancelled item is no item event; the batch completes once with the last one")
		list, err := st.List(ctx, 1)
		require.NoError(t, err)
		assert.JSONEq(t, `{"reference":"b-1","sheet_name":"s.xlsx","period":"","currency":"XAF","total_amount":3000,"items":3,
		"sandbox":false,"approved_by":"","succeeded":1,"failed":0,"rejected":0,"cancelled":2,"succeeded_amount":1000}`, string(list[0].Object))
	})
}

func TestOutboxRowsRollBackWithTheirChange(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		st := openAt(t, loc)
		ctx := context.Background()
		b, _ := seed(t, st, 2)
		claims, err := st.Claim(ctx, b.ID, "campay", 2)
		require.NoError(t, err)
		err = st.Apply(ctx,
			batch.Change{ItemID: claims[0].Item.ID, From: batch.Submitting, To: batch.Succeeded, Cause: "answer"},
			batch.Change{ItemID: claims[1].Item.ID, From: batch.Pending, To: batch.Succeeded, Cause: "stale"})
		require.ErrorIs(t, err, batch.ErrStale)
		assert.Equal(t, []string{"batch.planned", "batch.started"}, outboxTypes(t, st), "no item.succeeded: its change was not recorded")
	})
}

func TestAStartedBatchFromBeforeTheOutboxDoesNotStartAgain(t *testing.T) {
	t.Parallel()
	st := openTemp(t)
	ctx := context.Background()
	b, _ := seed(t, st, 2)
	_, err := st.Claim(ctx, b.ID, "campay", 1)
	require.NoError(t, err)
	_, err = st.db.ExecContext(ctx, `DELETE FROM webhook_outbox WHERE type = 'batch.started'`) // as in a ledger migrated mid-batch
	require.NoError(t, err)
	_, err = st.Claim(ctx, b.ID, "campay", 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"batch.planned"}, outboxTypes(t, st))
}

// TestCrashBeforeDeliveryStillDelivers: a state change recorded by one
// process that ends before delivering anything is delivered from the ledger
// opened afresh, with the delivery log kept in it.
func TestCrashBeforeDeliveryStillDelivers(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		ctx := context.Background()
		file := loc
		clock := providerstest.NewClock(hookT0)
		st, err := Open(ctx, file, WithClock(clock.Now))
		require.NoError(t, err)
		b, _ := seed(t, st, 1)
		pay(t, st, b, batch.Failed)
		require.NoError(t, st.Close()) // the process ends here: nothing was delivered

		var mu sync.Mutex
		got := map[string][]string{}
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var e struct{ ID, Type string }
			_ = json.Unmarshal(body, &e)
			mu.Lock()
			got[e.Type] = append(got[e.Type], e.ID)
			n := len(got[e.Type])
			mu.Unlock()
			if e.Type == webhooks.ItemFailed && n == 1 {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			assert.True(t, webhooks.VerifySignature([]byte("k"), r.Header.Get(webhooks.SignatureHeader), body, clock.Now().Unix(), 300))
		}))
		t.Cleanup(rcv.Close)

		fresh, err := Open(ctx, file, WithClock(clock.Now))
		require.NoError(t, err)
		t.Cleanup(func() { fresh.Close() })
		d := &webhooks.Deliverer{Store: fresh, Clock: clock, Jitter: func() float64 { return 0 },
			Endpoints: []webhooks.Endpoint{webhooks.NewEndpoint(rcv.URL, nil, []byte("k"))}}
		p, err := d.Deliver(ctx)
		require.NoError(t, err)
		assert.Equal(t, webhooks.Pass{Attempted: 4, Delivered: 3, Failed: 1, Waiting: 1, NextDue: hookT0.Add(10 * time.Second)}, p)

		// and again after another crash: the failed attempt's backoff was kept
		require.NoError(t, fresh.Close())
		again, err := Open(ctx, file, WithClock(clock.Now))
		require.NoError(t, err)
		t.Cleanup(func() { again.Close() })
		d.Store = again
		p, err = d.Deliver(ctx)
		require.NoError(t, err)
		assert.Equal(t, webhooks.Pass{Waiting: 1, NextDue: hookT0.Add(10 * time.Second)}, p, "not due yet")
		require.NoError(t, clock.Sleep(ctx, 10*time.Second))
		p, err = d.Deliver(ctx)
		require.NoError(t, err)
		assert.Equal(t, webhooks.Pass{Attempted: 1, Delivered: 1}, p)

		mu.Lock()
		assert.Len(t, got[webhooks.ItemFailed], 2)
		assert.Equal(t, got[webhooks.ItemFailed][0], got[webhooks.ItemFailed][1], "the same event id at each attempt")
		for _, typ := range []string{webhooks.BatchPlanned, webhooks.BatchStarted, webhooks.BatchCompleted} {
			assert.Len(t, got[typ], 1, typ)
		}
		mu.Unlock()
		open, err := again.Open(ctx, 0, 10)
		require.NoError(t, err)
		assert.Empty(t, open)
		list, err := again.List(ctx, 10)
		require.NoError(t, err)
		for _, e := range list {
			require.Len(t, e.Deliveries, 1, e.Type)
			dl := e.Deliveries[0]
			assert.Equal(t, webhooks.Delivered, dl.State, e.Type)
			assert.Equal(t, rcv.URL, dl.Endpoint)
			if e.Type == webhooks.ItemFailed {
				require.Len(t, dl.Log, 2)
				assert.Equal(t, webhooks.Attempt{EventID: e.ID, Endpoint: rcv.URL, At: hookT0, Status: 502, Error: "HTTP 502 Bad Gateway"}, dl.Log[0])
				assert.Equal(t, webhooks.Attempt{EventID: e.ID, Endpoint: rcv.URL, At: hookT0.Add(10 * time.Second), Status: 200}, dl.Log[1])
				assert.Equal(t, hookT0.Add(10*time.Second), dl.DeliveredAt)
			}
		}
	})
}

func TestResendOpensAnEventAgain(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, loc string) {
		st := openAt(t, loc)
		ctx := context.Background()
		seed(t, st, 1)
		list, err := st.List(ctx, 1)
		require.NoError(t, err)
		e := list[0]
		require.NoError(t, st.Record(ctx, webhooks.Delivery{EventID: e.ID, Endpoint: "https://hooks.example", State: webhooks.Delivered,
			Attempts: 1, LastStatus: 200, DeliveredAt: hookT0}, &webhooks.Attempt{EventID: e.ID, Endpoint: "https://hooks.example", At: hookT0, Status: 200}))
		require.NoError(t, st.Done(ctx, e.ID))
		open, err := st.Open(ctx, 0, 10)
		require.NoError(t, err)
		assert.Empty(t, open)

		later := hookT0.Add(48 * time.Hour)
		require.NoError(t, st.Resend(ctx, e.ID, later))
		open, err = st.Open(ctx, 0, 10)
		require.NoError(t, err)
		require.Len(t, open, 1)
		assert.Equal(t, later, open[0].WindowFrom)
		require.Len(t, open[0].Deliveries, 1)
		assert.Equal(t, webhooks.Pending, open[0].Deliveries[0].State)
		assert.Zero(t, open[0].Deliveries[0].Attempts)
		list, err = st.List(ctx, 1)
		require.NoError(t, err)
		assert.Len(t, list[0].Deliveries[0].Log, 1, "the log keeps the earlier attempt")

		assert.ErrorIs(t, st.Resend(ctx, "evt_none", later), webhooks.ErrEventNotFound)
		assert.ErrorIs(t, st.Done(ctx, "evt_none"), webhooks.ErrEventNotFound)
	})
}

// BenchmarkOutboxTriggers pays a planned 2,000-item batch (each item claimed
// and answered succeeded, one transaction each, as the runner records them)
// with the webhook outbox's triggers and without them (dropped in the same
// run): the cost the outbox adds to the write path.
func BenchmarkOutboxTriggers(b *testing.B) {
	const n = 2000
	ctx := context.Background()
	for _, outbox := range []bool{false, true} {
		b.Run(fmt.Sprintf("outbox=%v", outbox), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				st, bt := benchLedger(b, n)
				for _, tr := range []string{"webhook_item_event", "webhook_batch_event"} {
					if outbox {
						break
					}
					if _, err := st.db.ExecContext(ctx, "DROP TRIGGER "+tr); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				for range n {
					claims, err := st.Claim(ctx, bt.ID, "campay", 1)
					if err != nil {
						b.Fatal(err)
					}
					c := claims[0]
					if err := st.Apply(ctx, batch.Change{ItemID: c.Item.ID, From: batch.Submitting, To: batch.Succeeded, Cause: "answer",
						Attempt: &batch.AttemptEnd{ID: c.AttemptID, Outcome: batch.OutcomeAccepted}}); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/item")
		})
	}
}
