package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/providerstest"
)

// heard is one request a callback sink was sent.
type heard struct {
	method, uri string
	body        []byte
}

// sink answers 200 to everything and hands each request on, in order.
func sink(t *testing.T) (string, chan heard) {
	ch := make(chan heard, 64)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- heard{r.Method, r.URL.RequestURI(), b}
		w.Write([]byte("OK"))
	}))
	t.Cleanup(hs.Close)
	return hs.URL, ch
}

func wait[T any](t *testing.T, ch chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Minute): // a bound for a broken test, never a measure
		t.Fatal("nothing came")
		var zero T
		return zero
	}
}

// mcpPayout sends one My-CoolPay payout and returns its transaction_ref.
func mcpPayout(t *testing.T, url string) string {
	req, _ := http.NewRequest(http.MethodPost, url+"/mycoolpay/api/pub/payout", bytes.NewBufferString(
		`{"transaction_amount":1000,"transaction_currency":"XAF","transaction_operator":"CM_MOMO","app_transaction_ref":"ours-1","customer_phone_number":"677123456"}`))
	req.Header.Set("X-PRIVATE-KEY", "the-private-key")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.NotEmpty(t, out["transaction_ref"], out)
	return out["transaction_ref"]
}

type callbackRig struct {
	srv       *Server
	url       string
	clock     *providerstest.Clock
	delivered chan Delivery
	heard     chan heard
}

func newCallbackRig(t *testing.T, rules string, opts Options) *callbackRig {
	rs, err := ParseRules(rules)
	require.NoError(t, err)
	target, ch := sink(t)
	rig := &callbackRig{clock: providerstest.NewClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)),
		delivered: make(chan Delivery, 64), heard: ch}
	opts.Now, opts.SettleDelay, opts.Rules = rig.clock.Now, time.Minute, rs
	opts.Callbacks.URLs = map[string]string{"mycoolpay": target + "/callbacks/mycoolpay"}
	opts.Callbacks.OnDelivery = func(d Delivery) { rig.delivered <- d }
	rig.srv, err = New(opts)
	require.NoError(t, err)
	hs := httptest.NewServer(rig.srv)
	t.Cleanup(func() { rig.srv.Close(); hs.Close() })
	rig.url = hs.URL
	return rig
}

// advance moves the clock on and ticks: it returns how many callbacks went out.
func (r *callbackRig) advance(t *testing.T, d time.Duration) int {
	require.NoError(t, r.clock.Sleep(context.Background(), d))
	return r.srv.Tick()
}

func TestCallbacksOnlyWhenEnabled(t *testing.T) {
	t.Parallel()
	rig := newCallbackRig(t, "", Options{})
	mcpPayout(t, rig.url)
	assert.Zero(t, rig.advance(t, time.Hour))
	assert.Equal(t, "SUCCESS", rig.srv.Payouts()[0].Status)
	assert.Empty(t, rig.srv.Deliveries(), "callbacks are off unless enabled: the sandbox behaves as before")
	assert.Empty(t, rig.heard)
}

func TestCallbackFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule  string
		kinds []string // deliveries, in order
		st    []string // the status each carries
	}{
		{"", []string{"final"}, []string{"SUCCESS"}},
		{"mycoolpay:callback-lost", []string{"lost"}, []string{"SUCCESS"}},
		{"mycoolpay:callback-duplicate", []string{"final", "duplicate"}, []string{"SUCCESS", "SUCCESS"}},
		{"mycoolpay:callback-out-of-order", []string{"final", "stale"}, []string{"SUCCESS", "PENDING"}},
		{"mycoolpay:callback-forged", []string{"forged", "final"}, []string{"FAILED", "SUCCESS"}},
		{"camoo:callback-lost", []string{"final"}, []string{"SUCCESS"}},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			rig := newCallbackRig(t, tc.rule, Options{Callbacks: CallbackOptions{Enabled: true}})
			ref := mcpPayout(t, rig.url)
			assert.Equal(t, len(tc.kinds), rig.advance(t, time.Minute))
			var bodies [][]byte
			for i, kind := range tc.kinds {
				d := wait(t, rig.delivered)
				assert.Equal(t, kind, d.Kind)
				assert.Equal(t, tc.st[i], d.Status)
				assert.Equal(t, ref, d.ProviderReference)
				assert.Equal(t, "ours-1", d.ClientReference)
				if kind == "lost" {
					assert.Zero(t, d.HTTPStatus)
					continue
				}
				assert.Equal(t, http.StatusOK, d.HTTPStatus)
				h := wait(t, rig.heard)
				assert.Equal(t, http.MethodPost, h.method)
				bodies = append(bodies, h.body)
			}
			if len(tc.kinds) == 2 && tc.kinds[1] == "duplicate" {
				assert.Equal(t, bodies[0], bodies[1], "a duplicate is the same callback again")
			}
			assert.Zero(t, rig.advance(t, 24*time.Hour), "nothing more")
			assert.Len(t, rig.srv.Deliveries(), len(tc.kinds))
		})
	}
}

func TestCallbackLate(t *testing.T) {
	t.Parallel()
	rig := newCallbackRig(t, "mycoolpay:callback-late=1h", Options{Callbacks: CallbackOptions{Enabled: true}})
	mcpPayout(t, rig.url)
	assert.Zero(t, rig.advance(t, time.Minute), "settled, its callback not yet")
	assert.Equal(t, "SUCCESS", rig.srv.Payouts()[0].Status)
	assert.Zero(t, rig.advance(t, 59*time.Minute), "an hour after it settled, not before")
	assert.Equal(t, 1, rig.advance(t, time.Minute))
	d := wait(t, rig.delivered)
	assert.Equal(t, "final", d.Kind)
	assert.Equal(t, time.Date(2026, 11, 24, 10, 1, 0, 0, time.UTC), d.At)
}

// A payout processed whose answer never comes (hang-after) still calls back:
// the callback arrives before bulkpay's own answer would have.
func TestCallbackBeforeTheAnswer(t *testing.T) {
	t.Parallel()
	rig := newCallbackRig(t, "mycoolpay.payout:hang-after; mycoolpay:pending=0s", Options{Callbacks: CallbackOptions{Enabled: true}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, rig.url+"/mycoolpay/api/pub/payout", bytes.NewBufferString(
			`{"transaction_amount":1000,"transaction_operator":"CM_MOMO","app_transaction_ref":"ours-1","customer_phone_number":"677123456"}`))
		req.Header.Set("X-PRIVATE-KEY", "k")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	h := wait(t, rig.heard)
	assert.Contains(t, string(h.body), `"app_transaction_ref":"ours-1"`)
	assert.Contains(t, string(h.body), `"transaction_status":"SUCCESS"`)
	cancel()
	require.Error(t, wait(t, done), "the payout's own answer never came")
}

func TestCallbacksEndpoint(t *testing.T) {
	t.Parallel()
	rig := newCallbackRig(t, "", Options{})
	target, heardCh := sink(t)
	post := func(body string) (int, map[string]any) {
		resp, err := http.Post(rig.url+"/_sandbox/callbacks", "application/json", bytes.NewBufferString(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	resp, err := http.Get(rig.url + "/_sandbox/notify")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the notify_url the sandbox's own lanes give answers")

	code, out := post(`{"urls":{"nosuch":"http://x"}}`)
	assert.Equal(t, http.StatusBadRequest, code, out)
	code, out = post(`{"urls":{"mycoolpay":"not a url"}}`)
	assert.Equal(t, http.StatusBadRequest, code, out)
	code, out = post(`{"urls":{"mycoolpay":"` + target + `/callbacks/mycoolpay"}}`)
	require.Equal(t, http.StatusOK, code, out)
	assert.Equal(t, true, out["enabled"])

	mcpPayout(t, rig.url)
	rig.advance(t, time.Minute)
	h := wait(t, heardCh)
	assert.Equal(t, "/callbacks/mycoolpay", h.uri)
	wait(t, rig.delivered)
	resp, err = http.Get(rig.url + "/_sandbox/callbacks")
	require.NoError(t, err)
	defer resp.Body.Close()
	var listed struct {
		Deliveries []Delivery `json:"deliveries"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&listed))
	require.Len(t, listed.Deliveries, 1)
	assert.Equal(t, "final", listed.Deliveries[0].Kind)
	assert.Equal(t, 200, listed.Deliveries[0].HTTPStatus)
}

func TestParseCallbackURLs(t *testing.T) {
	t.Parallel()
	got, err := ParseCallbackURLs("mycoolpay=https://pay.example.com/callbacks/mycoolpay, campay=http://127.0.0.1:8080/callbacks/campay")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"mycoolpay": "https://pay.example.com/callbacks/mycoolpay", "campay": "http://127.0.0.1:8080/callbacks/campay"}, got)
	for _, bad := range []string{"mycoolpay", "paypal=https://x", "camoo=ftp://x", "campay=/callbacks"} {
		_, err := ParseCallbackURLs(bad)
		assert.Error(t, err, bad)
	}
	_, err = New(Options{Callbacks: CallbackOptions{URLs: map[string]string{"paypal": "https://x"}}})
	assert.Error(t, err)
}

// The key a payout's callback is signed with stays in memory: the journal
// never holds it.
func TestCallbackKeyNotJournaled(t *testing.T) {
	t.Parallel()
	journal := filepath.Join(t.TempDir(), "sandbox.jsonl")
	rig := newCallbackRig(t, "", Options{JournalPath: journal, Callbacks: CallbackOptions{Enabled: true}})
	mcpPayout(t, rig.url)
	rig.advance(t, time.Minute)
	h := wait(t, rig.heard)
	assert.Contains(t, string(h.body), `"signature"`)
	b, err := os.ReadFile(journal)
	require.NoError(t, err)
	assert.Contains(t, string(b), "ours-1")
	assert.NotContains(t, string(b), "the-private-key")
}

// Served, the sandbox settles payouts and calls back by the wall clock,
// without a request to make it.
func TestServeCallsBackWithoutARequest(t *testing.T) {
	t.Parallel()
	target, heardCh := sink(t)
	srv, err := New(Options{SettleDelay: time.Millisecond,
		Callbacks: CallbackOptions{Enabled: true, URLs: map[string]string{"mycoolpay": target}}})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-served }()
	mcpPayout(t, "http://"+ln.Addr().String())
	h := wait(t, heardCh)
	assert.Contains(t, string(h.body), `"transaction_status":"SUCCESS"`)
}

func TestParseCallbackRules(t *testing.T) {
	t.Parallel()
	rules, err := ParseRules("callback-late=10m@5%; camoo.callback:callback-lost@2%; mycoolpay:callback-duplicate; callback-out-of-order@1%; cinetpay:callback-forged@50%")
	require.NoError(t, err)
	require.Len(t, rules, 5)
	assert.Equal(t, Rule{Kind: "callback-late", Percent: 5, Min: 10 * time.Minute, text: "callback-late=10m@5%"}, rules[0])
	assert.Equal(t, Rule{Provider: "camoo", Op: "callback", Kind: "callback-lost", Percent: 2, text: "camoo.callback:callback-lost@2%"}, rules[1])
	assert.Equal(t, 100.0, rules[2].Percent)
	for _, bad := range []string{"callback-late", "callback-late=soon", "callback-sometimes@5%"} {
		_, err := ParseRules(bad)
		assert.Error(t, err, bad)
	}
}

// A payout nobody asked for (a tamper) calls back too: a callback for a
// reference bulkpay never sent.
func TestCallbackForAPayoutNeverAskedFor(t *testing.T) {
	t.Parallel()
	rig := newCallbackRig(t, "", Options{Callbacks: CallbackOptions{Enabled: true}})
	mcpPayout(t, rig.url)
	assert.Equal(t, 1, rig.advance(t, time.Minute))
	wait(t, rig.heard)
	require.NoError(t, rig.srv.ApplyTamper(Tamper{Provider: "mycoolpay", Status: "SUCCESS", Amount: 700, Phone: "237677123456"}))
	h := wait(t, rig.heard)
	var body map[string]any
	require.NoError(t, json.Unmarshal(h.body, &body))
	assert.Equal(t, "", body["app_transaction_ref"])
	assert.Equal(t, rig.srv.Payouts()[1].ProviderReference, body["transaction_ref"])
	assert.Equal(t, "pub", body["application"], "the application the sandbox was last used as")
	assert.EqualValues(t, 700, body["transaction_amount"])
}
