package batch

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"bulkpay/providers"
)

// LocalPacer is the Pacer of a store one process pays from (the memory
// store; SQLite keeps the pace in each lane's own Caller): each key's rate
// and concurrency kept in this process, on Clock (SystemClock when nil). A
// key keeps the rate of its first Take that gives one, and the concurrency
// of its first Take that gives one.
type LocalPacer struct {
	Clock providers.Clock

	mu    sync.Mutex
	paces map[string]*localPace
}

type localPace struct {
	lim   *rate.Limiter
	slots chan struct{}
}

// Take implements Pacer.
func (p *LocalPacer) Take(ctx context.Context, provider string, perSecond float64, concurrency int) (func(), error) {
	clock := p.Clock
	if clock == nil {
		clock = providers.SystemClock
	}
	p.mu.Lock()
	if p.paces == nil {
		p.paces = map[string]*localPace{}
	}
	lp := p.paces[provider]
	if lp == nil {
		lp = &localPace{}
		p.paces[provider] = lp
	}
	if lp.lim == nil && perSecond > 0 {
		lp.lim = rate.NewLimiter(rate.Limit(perSecond), 1)
	}
	if lp.slots == nil && concurrency > 0 {
		lp.slots = make(chan struct{}, concurrency)
	}
	slots, lim := lp.slots, lp.lim
	if concurrency <= 0 {
		slots = nil
	}
	if perSecond <= 0 {
		lim = nil
	}
	p.mu.Unlock()
	if slots != nil {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	free := func() {
		if slots != nil {
			<-slots
		}
	}
	if lim != nil {
		now := clock.Now()
		res := lim.ReserveN(now, 1)
		if d := res.DelayFrom(now); d > 0 {
			if err := clock.Sleep(ctx, d); err != nil {
				res.CancelAt(clock.Now())
				free()
				return nil, err
			}
		}
	}
	var once sync.Once
	return func() { once.Do(free) }, nil
}

// PaceMargin is how much longer than a second a shared pacer's window is:
// requests let through at the ledger reach the provider a little earlier or
// later each (a process or the network stalls), and the provider counts
// them as they arrive. Half a second holds on a loaded machine.
const PaceMargin = 500 * time.Millisecond

// Admit is the rule a Pacer shared by several workers keeps for one
// provider: at most n calls in any window of span, n the rate's whole calls
// per second (at least 1) and span the time n calls take at rate, plus
// margin. grants are the times calls were let through (any order); it
// returns those still within the window from now, now among them when the
// call may leave (wait 0), or how long to wait before asking again.
func Admit(grants []time.Time, now time.Time, perSecond float64, margin time.Duration) (kept []time.Time, wait time.Duration) {
	if perSecond <= 0 {
		return nil, 0
	}
	n := max(1, int(math.Floor(perSecond)))
	span := time.Duration(float64(n)/perSecond*float64(time.Second)) + margin
	for _, g := range grants {
		if now.Sub(g) < span {
			kept = append(kept, g)
		}
	}
	slices.SortFunc(kept, func(a, b time.Time) int { return a.Compare(b) })
	if len(kept) < n {
		return append(kept, now), 0
	}
	// the call waits for the oldest of the last n to leave the window
	return kept, kept[len(kept)-n].Add(span).Sub(now)
}
