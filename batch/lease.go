package batch

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Several workers on one ledger. On a ledger several processes pay from at
// once (PostgreSQL), a batch is not locked to one process: each item a worker
// claims is held under a lease, recorded with the claim, that the worker
// renews while it works. An item left Submitting whose lease ran out belongs
// to a worker that stopped (it died, or lost the ledger): any other worker
// recovers it as a crashed run's items are recovered, Submitting → Unknown,
// then settled by asking the provider, or handed to a person.

// DefaultLease is how long a claim holds without being renewed, when the
// config does not say; a worker renews its claims every third of it.
const DefaultLease = 30 * time.Second

// Lease is a worker's hold on the items it claimed.
type Lease struct {
	Worker string    // who holds them: host, process and start, unique among workers
	Until  time.Time // the hold ends then unless it is renewed
	// For is how long the hold lasts from its claim or renewal. A store
	// that keeps leases on its own clock (LeaseClock) ends the hold For
	// after its clock's now, whatever Until says. Not kept with the lease.
	For time.Duration
	// Held: the attempts are opened held, released just before each request
	// leaves (HoldingStore), for a provider that cannot be asked about our
	// reference. Not kept with the lease.
	Held bool
}

// Leased is an item in Submitting with the lease it was claimed under (zero
// when it was claimed by a run holding the batch's lock).
type Leased struct {
	Item  Item
	Lease Lease
}

// LeaseStore is a ledger several workers pay from at once: claims are held
// under leases, and the providers' pace is kept for all workers together.
type LeaseStore interface {
	Pacer
	// Shared reports whether several processes may pay from the store at
	// once: then a batch is not locked to one process, claims are leased and
	// the store keeps the providers' pace (Pacer). A store one process pays
	// from at a time (SQLite) says false and keeps the batch's lock.
	Shared() bool
	// ClaimLeased is RunStore.Claim under l: each item claimed records l's
	// worker and expiry with its intent. Items another worker is claiming at
	// that moment are skipped rather than waited for.
	ClaimLeased(ctx context.Context, batchID int64, provider string, limit int, l Lease, except ...int64) ([]Claim, error)
	// Renew moves to l.Until (a LeaseClock: to its now plus l.For) the
	// expiry of every item l.Worker holds in Submitting, and returns how
	// many it holds.
	Renew(ctx context.Context, l Lease) (int, error)
	// SubmittingLeases lists a batch's items in Submitting, in sheet order,
	// each with its lease.
	SubmittingLeases(ctx context.Context, batchID int64) ([]Leased, error)
}

// LeaseClock is a LeaseStore that keeps the time of leases itself, on the
// one clock every worker shares (PostgreSQL: the server's), rather than on
// each host's: it ends a hold Lease.For after its own now, and a lease is
// judged run out against LeaseNow. A worker whose host clock is off then
// neither takes a live worker's items for lost nor keeps a dead one's.
type LeaseClock interface {
	LeaseNow(ctx context.Context) (time.Time, error)
}

// leaseNow is the time leases are judged at: the store's clock when it keeps
// them on its own (LeaseClock), else host.
func leaseNow(ctx context.Context, st LeaseStore, host time.Time) (time.Time, error) {
	if lc, ok := st.(LeaseClock); ok {
		now, err := lc.LeaseNow(ctx)
		if err != nil {
			return time.Time{}, fmt.Errorf("read the ledger's clock: %w", err)
		}
		return now, nil
	}
	return host, nil
}

// Pacer keeps each provider's rate and concurrency for every worker paying
// from one ledger together: a request leaves only once Take has given it a
// turn. The lanes take a slot for each call (Lane.Shared), and the door's
// HTTP clients a turn of the rate for each request (providers.Gated), tokens
// and lookups included.
type Pacer interface {
	// Take waits until a call to key may leave under rate (requests per
	// second over all workers; no limit when 0) and concurrency (calls in
	// flight over all workers; no bound when 0), and returns what gives the
	// call's slot back. An error means no turn was given (ctx ended, the
	// store failed): the call must not leave.
	Take(ctx context.Context, key string, rate float64, concurrency int) (release func(), err error)
}

// Expired reports whether l, the lease of an item in Submitting, has run out
// at now: its worker stopped renewing it, so its request may or may not have
// left and only the provider can say. An item claimed without a lease (by a
// run holding the batch's lock, which a run on a shared ledger does not take)
// has no live holder either.
func (l Lease) Expired(now time.Time) bool {
	return l.Worker == "" || l.Until.IsZero() || !now.Before(l.Until)
}

// Recovery is the change that recovers an item of a worker whose lease ran
// out at now, and whether there is one: an item in Submitting under a lease
// that has run out moves to Unknown, its open attempts closed as interrupted,
// to be settled by the provider as DESIGN.md's crash recovery says. An item
// under a live lease, or in any other state, is left to its holder.
func Recovery(it Leased, now time.Time) (Change, bool) {
	if it.Item.State != Submitting || !it.Lease.Expired(now) {
		return Change{}, false
	}
	cause := "recovered: an earlier run ended before the provider's answer was recorded"
	if it.Lease.Worker != "" {
		cause = fmt.Sprintf("recovered: worker %s stopped renewing its claim (lease ran out %s) before the provider's answer was recorded",
			it.Lease.Worker, Stamp(it.Lease.Until))
	}
	l := it.Lease
	return Change{ItemID: it.Item.ID, From: Submitting, To: Unknown, CloseOpen: true, Cause: cause, Lease: &l,
		Message: "outcome in doubt after an interrupted run"}, true
}

// leasing is the run's leased claims, when it pays from a shared store.
type leasing struct {
	store  LeaseStore
	worker string
	lease  time.Duration
}

// claim is the lease the worker claims or renews under at now (the run's
// clock), held when held.
func (l *leasing) claim(now time.Time, held bool) Lease {
	return Lease{Worker: l.worker, Until: now.Add(l.lease), For: l.lease, Held: held}
}

// leased returns how the run claims on a shared store, or nil when its store
// is one process pays from (the batch's lock keeps the others out).
func (r *run) leased() *leasing {
	ls, ok := r.Store.(LeaseStore)
	if !ok || !ls.Shared() || r.Worker == "" {
		return nil
	}
	return &leasing{store: ls, worker: r.Worker, lease: r.Lease}
}

// renew renews the worker's leases every third of the lease, on the wall
// clock, until ctx ends; each renewal runs to the run's clock plus the lease.
// A renewal the store refuses is logged and tried again at the next tick: a
// lease that runs out meanwhile hands the items to recovery elsewhere, which
// settles them by asking the provider, so nothing is paid twice.
func (r *run) renew(ctx context.Context, l *leasing) {
	tick := time.NewTicker(max(l.lease/3, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if _, err := l.store.Renew(ctx, l.claim(r.clock.Now(), false)); err != nil && ctx.Err() == nil {
			r.log.Warn("could not renew this worker's claims; another worker recovers them once they run out",
				"worker", l.worker, "err", err)
		}
	}
}

// recoverExpired moves the batch's items a stopped worker left in
// Submitting (their lease ran out, on the store's clock when it keeps one)
// to Unknown; those under a live lease are left to their worker.
func (r *run) recoverExpired(ctx context.Context, b Batch, l *leasing) error {
	items, err := l.store.SubmittingLeases(ctx, b.ID)
	if err != nil {
		return fmt.Errorf("read submitting items: %w", err)
	}
	// read after the leases, so that none is judged at a time before it was
	// read; one renewed since is kept from recovery by Change.Lease
	now, err := leaseNow(ctx, l.store, r.clock.Now())
	if err != nil {
		return err
	}
	hs, _ := r.Store.(HoldingStore)
	for _, it := range items {
		c, ok := Recovery(it, now)
		if !ok {
			continue
		}
		if hs != nil {
			// a claim still held when its worker stopped sent nothing: it is
			// planned again, as recoverSubmitting does under the batch's lock
			unsent, err := r.neverSent(ctx, hs, it.Item)
			if err != nil {
				return err
			}
			if unsent != nil {
				unsent[0].Lease = c.Lease // only while still under the lease judged expired
				err := r.Store.Apply(context.WithoutCancel(ctx), unsent...)
				if err == nil {
					for _, u := range unsent {
						it.Item = r.notify(it.Item, u)
					}
					continue
				}
				if !errors.Is(err, ErrStale) {
					return fmt.Errorf("record row %d: %w", it.Item.Row, err)
				}
				// released or recovered meanwhile: it may be leaving
			}
		}
		done, err := r.record(ctx, []Change{c})
		if err != nil {
			return fmt.Errorf("record row %d: %w", it.Item.Row, err)
		}
		if len(done) == 0 {
			continue // another worker recovered it first
		}
		r.log.Info("item", "row", it.Item.Row, "provider", it.Item.Provider, "from", Submitting, "to", Unknown, "cause", c.Cause)
		if r.Observer != nil {
			it.Item.State = Unknown
			r.Observer.Moved(it.Item, Submitting, Unknown)
		}
	}
	return nil
}

// Held reports whether a batch's items stand where only their workers can
// move them now: some in Submitting under a live lease. A worker pays such a
// batch again once the leases are renewed away or run out.
func Held(items []Leased, now time.Time) bool {
	for _, it := range items {
		if !it.Lease.Expired(now) {
			return true
		}
	}
	return false
}

// WorkerName names the process o among the workers of a shared ledger: its
// host, pid and start, so that a later process given the same pid is
// another worker.
func WorkerName(o Owner) string {
	return fmt.Sprintf("%s/%d/%s", o.Host, o.PID, o.Start)
}
