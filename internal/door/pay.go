package door

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/ledger"
	"bulkpay/reports"
)

// Payment is how a door pays or settles batches under the config in force:
// where it pays, who it is, what it tells people.
type Payment struct {
	Config         config.Config
	Target         config.Target // where this door pays (its --sandbox)
	ChangeEndpoint bool          // continue a started batch elsewhere than where it was paid (recorded)
	Wait           batch.Wait
	Actor          string
	// Continue writes the command that does verb on b, quoted by refusals
	// and hints.
	Continue func(verb string, b batch.Batch) string
	Say      func(format string, args ...any) // nil: nothing is said
	Log      *slog.Logger
	Crash    func(string) // the crash points of a test build; nil in production
}

// Session opens a payment session on b (batch.OpenSession; verb is the
// command that continues b should it be refused), runs do with it and closes
// it. A panic in it goes on up as a *Crash naming b; an error once b's lock
// was taken comes back marked Begun: requests may have left.
func (p Payment) Session(ctx context.Context, st batch.Store, b batch.Batch, verb string, do func(*batch.Session) error) (err error) {
	t := p.Target
	if ls, ok := st.(batch.LeaseStore); ok && ls.Shared() {
		t.Pacer = ls // every request to a provider takes its turn with the other workers'
	}
	here := p.Config.Endpoint(t)
	cur := b
	if cur.Endpoint.IsZero() {
		cur.Endpoint = here
	}
	defer crashed(cur)
	held := false
	defer func() {
		if held && err != nil {
			err = &BegunError{Err: err}
		}
	}()
	s, err := batch.OpenSession(ctx, st, b, batch.SessionRequest{
		Endpoint: here, ChangeEndpoint: p.ChangeEndpoint, Actor: p.Actor,
		Continue: p.Continue(verb, b),
		Connect:  func(ctx context.Context) (*batch.Connection, error) { return p.Config.Connect(ctx, t) },
		Owner:    ProcessOwner(time.Now()),
		Wait:     p.Wait,
		Say:      p.Say,
		Held:     func() { held = true },
		Log:      p.Log,
	})
	if err != nil {
		return err
	}
	defer s.Close()
	return do(s)
}

// PayRequest is how a batch is paid, beyond the Payment.
type PayRequest struct {
	AllowPartial bool // pay in row order while the balances last
	// Short hears the balances that cannot cover the batch.
	Short func(b batch.Batch, needs []batch.Need)
	// Watch shows the run's progress (batch.PayRequest's), over conn.
	Watch func(b batch.Batch, conn *batch.Connection, open batch.ItemSource) (batch.Observer, func(), error)
	// End shows how the run ended, the batch still held, and gives the
	// error for the exit code; runErr is the run's.
	End func(p Paid, runErr error) error
	// Stopping, when set, hears that ctx ended while the batch is paid (an
	// interrupt): no new payout leaves, the answers of those sent are
	// awaited. It runs in a goroutine of its own.
	Stopping   func()
	Ledger     string // the ledger as messages name it
	ReportsDir string
}

// Paid is what paying a batch came to, for the door to show.
type Paid struct {
	Batch    batch.Batch // with where it is paid
	Standing batch.Standing
	Reports  string // where the reports were written, or:
	// ReportsErr: the reports could not be written (a warning once paid).
	ReportsErr error
	// LinksWaiting is how many payouts wait for their link to be claimed.
	LinksWaiting int
}

// Pay runs a stored batch to the end it can reach now, then reads its
// standing and writes its reports, whatever the run came to, for req.End
// to show. A run that could not start gives its error alone.
func (p Payment) Pay(ctx context.Context, st batch.Store, b batch.Batch, req PayRequest) error {
	return p.Session(ctx, st, b, "resume", func(s *batch.Session) error {
		b := s.Batch
		stopping := func() bool { return false }
		if req.Stopping != nil {
			stopping = context.AfterFunc(ctx, req.Stopping)
		}
		res, runErr := s.Pay(ctx, batch.PayRequest{
			AllowPartial: req.AllowPartial,
			Run:          p.Config.RunOptions(s.Conn.Sandbox, p.Log, p.Crash),
			Short:        func(needs []batch.Need) { req.Short(b, needs) },
			Watch: func(open batch.ItemSource) (batch.Observer, func(), error) {
				return req.Watch(b, s.Conn, open)
			},
		})
		stopping()
		if !res.Ran {
			return runErr
		}
		if ledger.IsWriteFailure(runErr) {
			fix := "free disk space or fix the file's permissions"
			if errors.Is(runErr, ledger.ErrUnreachable) {
				fix = "bring the database server back (or check the DSN's host and port)"
			}
			runErr = fmt.Errorf("the ledger %s could not record a step (%w); nothing is sent without its intent recorded: %s, then run `%s`",
				req.Ledger, runErr, fix, p.Continue("resume", b))
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		out := Paid{Batch: b}
		var err error
		if out.Standing, err = batch.Glance(rctx, st, b); err != nil {
			return errors.Join(runErr, err)
		}
		out.Reports, out.ReportsErr = reports.FromLedger(rctx, st, b, req.ReportsDir)
		if ls, ok := st.(batch.LinkStore); ok {
			if waiting, err := ls.Links(rctx, b.ID, batch.LinkSent); err == nil {
				out.LinksWaiting = len(waiting)
			}
		}
		return req.End(out, runErr)
	})
}

// Reconciled is what reconciling a batch came to.
type Reconciled struct {
	Batch   batch.Batch // with where it is paid
	Result  batch.ReconcileResult
	Reports string // where the reports were written, or:
	// ReportsErr: they could not be written.
	ReportsErr error
	Outcome    error // batch.ReconcileOutcome's
}

// Reconcile settles what is pending or in doubt in b and compares every
// item with the providers' records (batch.Session.Reconcile), writes the
// reports into dir, and gives what it came to to show, the batch still
// held; show gives the error for the exit code.
func (p Payment) Reconcile(ctx context.Context, st batch.Store, b batch.Batch, dir string, show func(Reconciled) error) error {
	return p.Session(ctx, st, b, "reconcile", func(s *batch.Session) error {
		res, err := s.Reconcile(ctx, st, p.Config.SettleOptions(s.Conn.Sandbox, p.Log), time.Now)
		if err != nil {
			return err
		}
		out := Reconciled{Batch: s.Batch, Result: res, Outcome: batch.ReconcileOutcome(s.Batch, res)}
		out.Reports, out.ReportsErr = reports.FromLedger(ctx, st, s.Batch, dir)
		return show(out)
	})
}

// Retried rewrites the reports of b into dir once retry, the batch that pays
// b's failed items again, has run, so that they say where those items went;
// a report that cannot be rewritten is a warning. It gives runErr, the
// retry's run's.
func (p Payment) Retried(ctx context.Context, st batch.Store, b, retry batch.Batch, dir string, runErr error) error {
	return p.Guard(retry, func() error {
		if _, err := reports.FromLedger(context.WithoutCancel(ctx), st, b, dir); err != nil {
			p.Log.Warn("could not rewrite the original batch's report", "batch", b.Reference, "err", err)
		}
		return runErr
	})
}
