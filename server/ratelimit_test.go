package server

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClaimRatesSurviveAFloodOfKeys: a link and an address that used their
// burst stay limited through a flood of twice maxKept distinct addresses
// and links; the memory stays bounded; the flood's new keys share one
// limiter meanwhile; and keys idle long enough to be full again are
// forgotten, so that new ones get their own.
func TestClaimRatesSurviveAFloodOfKeys(t *testing.T) {
	t.Parallel()
	c := newClaims()
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for i := range ClaimLinkBurst {
		require.True(t, c.allow(fmt.Sprintf("198.51.100.%d", i), "attacked", t0), "request %d", i)
	}
	require.False(t, c.allow("198.51.100.200", "attacked", t0), "the link's burst is used")
	for i := range ClaimAddrBurst {
		require.True(t, c.allow("203.0.113.9", fmt.Sprintf("guess-%d", i), t0), "request %d", i)
	}
	require.False(t, c.allow("203.0.113.9", "guess-x", t0), "the address's burst is used")

	allowed := 0
	for i := range 2 * maxKept { // all at once: nothing refills meanwhile
		if c.allow(fmt.Sprintf("flood-%d", i), fmt.Sprintf("flood-link-%d", i), t0) {
			allowed++
		}
	}
	assert.LessOrEqual(t, c.addrs.len(), maxKept, "bounded")
	assert.LessOrEqual(t, c.links.len(), maxKept, "bounded")
	assert.False(t, c.allow("198.51.100.0", "attacked", t0), "the flood did not reset the link under attack")
	assert.False(t, c.allow("203.0.113.9", "guess-y", t0), "nor the address")
	assert.LessOrEqual(t, allowed, maxKept+ClaimAddrBurst, "the keys past maxKept share one limiter, not one burst each")

	// the link's rate goes on: one more request each ClaimLinkEvery
	assert.True(t, c.allow("198.51.100.0", "attacked", t0.Add(ClaimLinkEvery)))
	assert.False(t, c.allow("198.51.100.1", "attacked", t0.Add(ClaimLinkEvery)))

	// once idle for a whole burst's refill, keys are forgotten: a new key
	// has its own burst again, and the memory stays bounded
	later := t0.Add(max(ClaimAddrEvery*ClaimAddrBurst, ClaimLinkEvery*ClaimLinkBurst) + ClaimLinkEvery)
	for i := range ClaimAddrBurst {
		require.True(t, c.allow("192.0.2.1", fmt.Sprintf("new-%d", i), later), "request %d", i)
	}
	assert.False(t, c.allow("192.0.2.1", "new-x", later))
	assert.LessOrEqual(t, c.addrs.len(), maxKept)
}

// TestKeyedLimitersForgetOnlyIdleKeys: at its bound, a keyed limiter gives
// new keys the shared one until its oldest key is idle for burst × every.
func TestKeyedLimitersForgetOnlyIdleKeys(t *testing.T) {
	t.Parallel()
	k := newKeyedLimiters(time.Second, 2, 2)
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	a := k.get("a", t0)
	require.True(t, a.AllowN(t0, 2))
	b := k.get("b", t0.Add(time.Second))
	assert.NotSame(t, a, b)
	shared := k.get("c", t0.Add(time.Second))
	assert.Same(t, shared, k.get("d", t0.Add(time.Second)), "past the bound, new keys share one")
	assert.Same(t, a, k.get("a", t0.Add(time.Second)), "a key in use keeps its own")
	assert.Equal(t, 2, k.len())
	// a was last asked at t0+1s: idle until t0+3s; b too
	assert.Same(t, shared, k.get("c", t0.Add(2999*time.Millisecond)))
	c := k.get("c", t0.Add(3*time.Second))
	assert.NotSame(t, shared, c, "a and b idle: forgotten")
	assert.True(t, c.AllowN(t0.Add(3*time.Second), 2), "a whole burst of its own")
	assert.NotSame(t, a, k.get("a", t0.Add(3*time.Second)), "a forgotten is new and full")
	assert.Equal(t, 2, k.len())
}
