package server

import (
	"sync"
	"time"
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
	addrs, links *keyedLimiters

	mu       sync.Mutex
	verified map[string]proved
}

type proved struct {
	code  string
	until time.Time
}

// maxKept bounds each map. Rates forget only keys idle long enough that a
// new limiter would be the same; the proofs, at most maxKept, are forgotten
// all at once past it (a proof needs the right code: no flood makes many).
const maxKept = 10000

func newClaims() *claims {
	return &claims{addrs: newKeyedLimiters(ClaimAddrEvery, ClaimAddrBurst, maxKept),
		links: newKeyedLimiters(ClaimLinkEvery, ClaimLinkBurst, maxKept), verified: map[string]proved{}}
}

// allow takes one request of addr on link (link "" for none) at now.
func (c *claims) allow(addr, link string, now time.Time) bool {
	if !c.addrs.get(addr, now).AllowN(now, 1) {
		return false
	}
	return link == "" || c.links.get(link, now).AllowN(now, 1)
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
