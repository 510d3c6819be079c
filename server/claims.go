package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rates of the claim pages and the links' public API, as the sign-in form's:
// an address may make ClaimAddrBurst requests at once, then one every
// ClaimAddrEvery; a link, ClaimLinkBurst at once, then one every
// ClaimLinkEvery (the links' own rules bound codes and wrong codes further).
const (
	ClaimAddrBurst = 40
	ClaimAddrEvery = 2 * time.Second
	ClaimLinkBurst = 30
	ClaimLinkEvery = 3 * time.Second
)

// claimCookie is the claim forms' CSRF token (a browser's, before and
// without any session); the codes proved with it are remembered by the
// server, never sent back to the browser.
const claimCookie = "bp_claim"

// claims is the claim pages' memory: the rates per address and per link, and
// which browser (by its claim cookie) proved the code of which link, until
// when. The code itself stays in this process's memory only, for the claim
// that follows (the use case checks it again); a restart forgets it and the
// beneficiary enters the code again.
type claims struct {
	mu       sync.Mutex
	addrs    map[string]*rate.Limiter
	links    map[string]*rate.Limiter
	verified map[string]proved
}

type proved struct {
	code  string
	until time.Time
}

// maxKept bounds each map: past it, everything is forgotten at once rather
// than grow.
const maxKept = 10000

func newClaims() *claims {
	return &claims{addrs: map[string]*rate.Limiter{}, links: map[string]*rate.Limiter{}, verified: map[string]proved{}}
}

func limiterIn(m map[string]*rate.Limiter, key string, every time.Duration, burst int) *rate.Limiter {
	l := m[key]
	if l == nil {
		if len(m) >= maxKept {
			clear(m)
		}
		l = rate.NewLimiter(rate.Every(every), burst)
		m[key] = l
	}
	return l
}

// allow takes one request of addr on link (link "" for none) at now.
func (c *claims) allow(addr, link string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !limiterIn(c.addrs, addr, ClaimAddrEvery, ClaimAddrBurst).AllowN(now, 1) {
		return false
	}
	return link == "" || limiterIn(c.links, link, ClaimLinkEvery, ClaimLinkBurst).AllowN(now, 1)
}

func (c *claims) prove(token, link, code string, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.verified) >= maxKept {
		clear(c.verified)
	}
	c.verified[token+"/"+link] = proved{code: code, until: until}
}

// proof is the code token proved for link, if it is still valid at now.
func (c *claims) proof(token, link string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.verified[token+"/"+link]
	if !ok || !now.Before(p.until) {
		delete(c.verified, token+"/"+link)
		return "", false
	}
	return p.code, true
}

func (c *claims) forget(token, link string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.verified, token+"/"+link)
}
