package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/providerstest"
)

type rawClient struct {
	t     *testing.T
	url   string
	token string
}

func newRaw(t *testing.T, s *Server) *rawClient {
	hs := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); hs.Close() })
	c := &rawClient{t: t, url: hs.URL}
	code, body := c.do("POST", "/campay/api/token/", `{"username":"u","password":"p"}`)
	require.Equal(t, 200, code)
	c.token = body["token"].(string)
	assert.EqualValues(t, 3600, body["expires_in"])
	return c
}

func (c *rawClient) do(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.url+path, bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Token "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestCamPayAcceptsAmountAsNumberOrString(t *testing.T) {
	t.Parallel()
	s, _ := New(Options{})
	c := newRaw(t, s)
	for _, amount := range []string{`25`, `"25"`, `"25.00"`} {
		code, body := c.do("POST", "/campay/api/withdraw/", `{"amount":`+amount+`,"to":"237677123456","description":"x"}`)
		assert.Equal(t, 200, code, amount)
		assert.Equal(t, "PENDING", body["status"])
	}
	code, body := c.do("POST", "/campay/api/withdraw/", `{"amount":"25.5","to":"237677123456"}`)
	assert.Equal(t, 400, code)
	assert.Equal(t, "ER201", body["error_code"])
	assert.Len(t, s.Payouts(), 3)
}

func TestCamPayIdempotentOnExternalReference(t *testing.T) {
	t.Parallel()
	s, _ := New(Options{})
	c := newRaw(t, s)
	req := `{"amount":100,"to":"237699009900","external_reference":"5f1d7c3e-1b2a-4c3d-8e9f-0a1b2c3d4e5f"}`
	_, first := c.do("POST", "/campay/api/withdraw/", req)
	_, again := c.do("POST", "/campay/api/withdraw/", req)
	assert.Equal(t, first["reference"], again["reference"])
	ps := s.Payouts()
	require.Len(t, ps, 1)
	assert.Equal(t, "campay", ps[0].Provider)
	assert.Equal(t, "Orange", ps[0].Operator)

	code, _ := c.do("GET", "/campay/api/transaction/"+first["reference"].(string), "")
	assert.Equal(t, 200, code, "status without trailing slash")
}

func TestUnauthorizedWithoutToken(t *testing.T) {
	t.Parallel()
	s, _ := New(Options{})
	c := newRaw(t, s)
	c.token = "forged"
	code, _ := c.do("GET", "/campay/api/balance/", "")
	assert.Equal(t, 401, code)
}

func TestJournalRemembersPayoutsAndBalances(t *testing.T) {
	t.Parallel()
	journal := filepath.Join(t.TempDir(), "sandbox.jsonl")
	clock := providerstest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	s, err := New(Options{JournalPath: journal, SettleDelay: time.Millisecond, Now: clock.Now})
	require.NoError(t, err)
	c := newRaw(t, s)
	_, first := c.do("POST", "/campay/api/withdraw/", `{"amount":100,"to":"237677123456","external_reference":"0b5e6f1a-3c2d-4e8f-9a7b-1c2d3e4f5a6b"}`)
	s.Close()

	s2, err := New(Options{JournalPath: journal, SettleDelay: time.Millisecond, Now: clock.Now})
	require.NoError(t, err)
	c2 := newRaw(t, s2)
	_, again := c2.do("POST", "/campay/api/withdraw/", `{"amount":100,"to":"237677123456","external_reference":"0b5e6f1a-3c2d-4e8f-9a7b-1c2d3e4f5a6b"}`)
	assert.Equal(t, first["reference"], again["reference"], "a restarted sandbox still knows the reference")
	require.Len(t, s2.Payouts(), 1)
	_, bal := c2.do("GET", "/campay/api/balance/", "")
	assert.EqualValues(t, 1_000_000_000, bal["mtn_balance"], "pending: the payout is held, not yet taken")
	require.NoError(t, clock.Sleep(context.Background(), 5*time.Millisecond)) // past the settle delay
	_, bal = c2.do("GET", "/campay/api/balance/", "")
	assert.EqualValues(t, 1_000_000_000-100, bal["mtn_balance"])
}

func TestPayoutsEndpointShape(t *testing.T) {
	t.Parallel()
	s, _ := New(Options{})
	c := newRaw(t, s)
	c.do("POST", "/campay/api/withdraw/", `{"amount":100,"to":"237677123456","external_reference":"0b5e6f1a-3c2d-4e8f-9a7b-1c2d3e4f5a6b"}`)
	resp, err := http.Get(c.url + "/_sandbox/payouts")
	require.NoError(t, err)
	defer resp.Body.Close()
	var list []map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	require.Len(t, list, 1)
	for _, k := range []string{"provider", "provider_reference", "client_reference", "phone", "amount", "status"} {
		assert.Contains(t, list[0], k)
	}
}

func TestFaultsAreTakenInOrderAndUsedUp(t *testing.T) {
	t.Parallel()
	s, _ := New(Options{})
	c := newRaw(t, s)
	s.AddFault(Fault{Provider: "campay", Op: "balance", Kind: Status, Status: 503, Times: 2})
	code, _ := c.do("GET", "/campay/api/balance/", "")
	assert.Equal(t, 503, code)
	code, _ = c.do("GET", "/campay/api/balance/", "")
	assert.Equal(t, 503, code)
	code, _ = c.do("GET", "/campay/api/balance/", "")
	assert.Equal(t, 200, code)
}
