package server

import (
	clist "container/list"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// keyedLimiters are rate limiters by key (an address, a link), at most max of
// them. A key's limiter is forgotten only once the key has been idle long
// enough for its bucket to be full again (burst × every: a new limiter would
// be the same), never because other keys came; while max keys are kept and
// none is idle that long, new keys share one limiter. So a flood of new keys
// can neither grow the memory nor reset the rate of a key under attack.
type keyedLimiters struct {
	every time.Duration
	burst int
	max   int

	mu       sync.Mutex
	keys     map[string]*clist.Element
	order    *clist.List // of *keyedLimiter, least recently used first
	overflow *rate.Limiter
}

type keyedLimiter struct {
	key  string
	lim  *rate.Limiter
	last time.Time // the last time the key was asked for
}

func newKeyedLimiters(every time.Duration, burst, max int) *keyedLimiters {
	return &keyedLimiters{every: every, burst: burst, max: max, keys: map[string]*clist.Element{}, order: clist.New(),
		overflow: rate.NewLimiter(rate.Every(every), burst)}
}

// get is key's limiter at now: its own, or the one new keys share while max
// keys are kept and none is idle.
func (k *keyedLimiters) get(key string, now time.Time) *rate.Limiter {
	k.mu.Lock()
	defer k.mu.Unlock()
	if e, ok := k.keys[key]; ok {
		kl := e.Value.(*keyedLimiter)
		if now.After(kl.last) {
			kl.last = now
		}
		k.order.MoveToBack(e)
		return kl.lim
	}
	k.forgetIdle(now)
	if len(k.keys) >= k.max {
		return k.overflow
	}
	kl := &keyedLimiter{key: key, lim: rate.NewLimiter(rate.Every(k.every), k.burst), last: now}
	k.keys[key] = k.order.PushBack(kl)
	return kl.lim
}

// forgetIdle forgets the keys, least recently used first, idle at now for
// as long as their bucket takes to fill again.
func (k *keyedLimiters) forgetIdle(now time.Time) {
	idle := time.Duration(k.burst) * k.every
	for e := k.order.Front(); e != nil; e = k.order.Front() {
		kl := e.Value.(*keyedLimiter)
		if now.Before(kl.last.Add(idle)) {
			return
		}
		k.order.Remove(e)
		delete(k.keys, kl.key)
	}
}

// len is how many keys are kept.
func (k *keyedLimiters) len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.keys)
}
