package door

import (
	"context"
	"log/slog"
	"time"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/ledger"
)

// Worker pays, beside other workers, the started batches of a shared ledger
// that are paid through where it pays.
type Worker struct {
	Config config.Config
	Target config.Target // where it pays (its --sandbox)
	Idle   time.Duration // between passes over the batches
	Actor  string
	// Continue writes the command that resumes b, for refusals.
	Continue func(b batch.Batch) string
	Say      func(format string, args ...any)
	Log      *slog.Logger
	Crash    func(string) // the crash points of a test build; nil in production
}

// Work pays the started batches of st paid through where w pays, until ctx
// ends. It connects to the providers once: their clients and paces serve
// every batch.
func (w Worker) Work(ctx context.Context, st *ledger.Store) error {
	t := w.Target
	t.Pacer = st // every request to a provider takes its turn with the other workers'
	here := w.Config.Endpoint(t)
	var conn *batch.Connection
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	connect := func(ctx context.Context) (*batch.Connection, error) {
		if conn == nil { // once: the clients and their paces serve every batch
			c, err := w.Config.Connect(ctx, t)
			if err != nil {
				return nil, err
			}
			closeAll := c.Close
			if closeAll == nil {
				closeAll = func() {}
			}
			c.Close = func() {}
			conn = c
			defer func() { conn.Close = closeAll }() // the worker's own Close, at the end
			return c, nil
		}
		return conn, nil
	}
	owner := ProcessOwner(time.Now())
	w.Say("worker %s paying the started batches of %s through %s", batch.WorkerName(owner), st.Path(), here)
	err := batch.Work(ctx, st, batch.WorkRequest{
		Mine: func(b batch.Batch) bool { return b.Endpoint.Same(here) },
		Idle: w.Idle,
		Log:  w.Log,
		Pay: func(ctx context.Context, b batch.Batch) error {
			if err := batch.AuthorizeRun(ctx, st, b, w.Config.Policy(), b.PlanHash); err != nil {
				return err
			}
			s, err := batch.OpenSession(ctx, st, b, batch.SessionRequest{
				Endpoint: here, Actor: w.Actor, Continue: w.Continue(b),
				Connect: connect, Owner: owner, Log: w.Log,
			})
			if err != nil {
				return err
			}
			defer s.Close()
			_, err = s.Pay(ctx, batch.PayRequest{Run: w.Config.RunOptions(s.Conn.Sandbox, w.Log, w.Crash)})
			if sum, serr := batch.SummaryOf(context.WithoutCancel(ctx), st, b); serr == nil {
				w.Log.Info("batch standing", "batch", b.Reference, "succeeded", sum.Counts[batch.Succeeded],
					"failed", sum.Counts[batch.Failed], "open", sum.Counts.Open())
			}
			return err
		},
	})
	if err != nil {
		return err
	}
	w.Say("worker %s stopped: every item it claimed is recorded or left to the other workers", batch.WorkerName(owner))
	return nil
}
