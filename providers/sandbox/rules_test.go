package sandbox

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/providerstest"
)

func TestParseRules(t *testing.T) {
	t.Parallel()
	rules, err := ParseRules("campay.withdraw:hang-after@2%; *:error=429@5%,retry-after=3; latency=10ms..80ms; mycoolpay:balance-after=50; cinetpay:token-ttl=30s; camoo:pending=1m; flip-failed@10")
	require.NoError(t, err)
	require.Len(t, rules, 7)
	assert.Equal(t, Rule{Provider: "campay", Op: "withdraw", Kind: "hang-after", Percent: 2, text: "campay.withdraw:hang-after@2%"}, rules[0])
	assert.Equal(t, 429, rules[1].Status)
	assert.Equal(t, 3, rules[1].RetryAfter)
	assert.Equal(t, "", rules[1].Provider)
	assert.Equal(t, [2]time.Duration{10 * time.Millisecond, 80 * time.Millisecond}, [2]time.Duration{rules[2].Min, rules[2].Max})
	assert.Equal(t, 50, rules[3].N)
	assert.Equal(t, 30*time.Second, rules[4].Min)
	assert.Equal(t, 10.0, rules[6].Percent)

	for _, bad := range []string{"explode@5%", "error=200", "error=500@150%", "latency=soon", "error=500,wait=3"} {
		_, err := ParseRules(bad)
		assert.Error(t, err, bad)
	}
}

func TestRulesAreDeterministicWithSeed(t *testing.T) {
	t.Parallel()
	draw := func(seed int64) []int {
		rules, _ := ParseRules("campay.balance:error=503@30%")
		s, _ := New(Options{Seed: seed, Rules: rules})
		c := newRaw(t, s)
		var codes []int
		for i := 0; i < 40; i++ {
			code, _ := c.do("GET", "/campay/api/balance/", "")
			codes = append(codes, code)
		}
		return codes
	}
	a, b := draw(7), draw(7)
	assert.Equal(t, a, b, "the same seed gives the same faults")
	n := 0
	for _, c := range a {
		if c == 503 {
			n++
		}
	}
	assert.InDelta(t, 12, n, 9, "about 30%% of 40")
}

func TestBalanceAfterNthPayout(t *testing.T) {
	t.Parallel()
	rules, _ := ParseRules("campay:balance-after=2")
	s, _ := New(Options{Rules: rules})
	c := newRaw(t, s)
	for i, want := range []int{200, 200, 400} {
		code, body := c.do("POST", "/campay/api/withdraw/", `{"amount":10,"to":"237677123456","external_reference":"0b5e6f1a-3c2d-4e8f-9a7b-1c2d3e4f5a6`+string(rune('0'+i))+`"}`)
		assert.Equal(t, want, code)
		if code == 400 {
			assert.Equal(t, "ER301", body["error_code"])
		}
	}
}

func TestFaultsEndpointAndMalformed(t *testing.T) {
	t.Parallel()
	s, _ := New(Options{})
	hs := httptest.NewServer(s)
	defer hs.Close()
	resp, err := http.Post(hs.URL+"/_sandbox/faults", "text/plain", strings.NewReader("camoo.cashout:malformed"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Len(t, s.Rules(), 1)

	req, _ := http.NewRequest("POST", hs.URL+"/camoo/v1/payment/cashout", bytes.NewBufferString(`{"amount":10,"phone_number":"237677123456","external_reference":"m"}`))
	req.Header.Set("X-Api-Key", "k")
	req.Header.Set("X-Api-Secret", "s")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	resp.Body.Close()
	assert.Equal(t, `{"status": "succ`, buf.String())
	assert.Len(t, s.Payouts(), 1, "processed, then the answer is broken")

	resp, _ = http.Post(hs.URL+"/_sandbox/faults", "text/plain", strings.NewReader("nonsense"))
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode)
	req, _ = http.NewRequest("DELETE", hs.URL+"/_sandbox/faults", nil)
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	assert.Empty(t, s.Rules())
}

func TestFlipFailedLate(t *testing.T) {
	t.Parallel()
	rules, _ := ParseRules("campay:flip-failed")
	clock := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	s, _ := New(Options{Rules: rules, SettleDelay: time.Millisecond, Now: clock.Now})
	c := newRaw(t, s)
	c.do("POST", "/campay/api/withdraw/", `{"amount":10,"to":"237677123456","external_reference":"7c1f2e3d-4b5a-4968-8776-a5b4c3d2e1f0"}`)
	require.NoError(t, clock.Sleep(context.Background(), 20*time.Millisecond))
	assert.Equal(t, "PENDING", s.Payouts()[0].Status, "still pending well past the settle delay")
	assert.Equal(t, "FAILED", s.Payouts()[0].Final)
	require.NoError(t, clock.Sleep(context.Background(), 2*time.Second))
	assert.Equal(t, "FAILED", s.Payouts()[0].Status, "and it does end failed")
}
