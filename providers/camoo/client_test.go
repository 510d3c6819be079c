package camoo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/camoo"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

func TestStatusesWithoutCase(t *testing.T) {
	for s, want := range map[string]providers.Status{
		"CREATED": providers.StatusPending, "initialised": providers.StatusPending, "In_Progress": providers.StatusPending,
		"PENDING": providers.StatusPending, "UNDERINVESTIGATION": providers.StatusPending,
		"SUCCESS": providers.StatusSucceeded, "confirmed": providers.StatusSucceeded,
		"FAILED": providers.StatusFailed, "CANCELED": providers.StatusFailed, "Cancelled": providers.StatusFailed, "ERRORED": providers.StatusFailed,
	} {
		assert.Equal(t, want, camoo.StatusOf(s), s)
	}
}

func TestErrorsMappedAndFeesRead(t *testing.T) {
	srv, _, root := sandboxtest.Recorded(t, sandbox.Options{SettleDelay: time.Hour, Camoo: sandbox.CamooOptions{Balance: 10_000, Key: "k", Secret: "s"}})
	c := camoo.New(camoo.WithBaseURL(root+"/camoo/v1/payment"), camoo.WithKeys("k", "s"), camoo.WithHTTPClient(&http.Client{Timeout: time.Second}))
	ctx := context.Background()

	res, err := c.Send(ctx, providers.Payout{Reference: "r1", Phone: "237677123456", Amount: 5000})
	require.NoError(t, err)
	assert.Equal(t, providers.StatusPending, res.Status)
	assert.Equal(t, int64(100), res.Fee, "2% in the simulator")
	assert.Equal(t, int64(5000), res.NetAmount)

	cases := []struct {
		name   string
		p      providers.Payout
		client *camoo.Client
		status int
		class  error
	}{
		{"400 validation", providers.Payout{Reference: "a", Phone: "123", Amount: 10}, c, 400, providers.ErrRejected},
		{"402 insufficient funds", providers.Payout{Reference: "b", Phone: "237677123456", Amount: 9000}, c, 402, providers.ErrRejected},
		{"422 network", providers.Payout{Reference: "c", Phone: "2250123456789", Amount: 10}, c, 422, providers.ErrRejected},
		{"401 credentials", providers.Payout{Reference: "d", Phone: "237677123456", Amount: 10},
			camoo.New(camoo.WithBaseURL(root+"/camoo/v1/payment"), camoo.WithKeys("k", "wrong")), 401, providers.ErrAuth},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.Send(ctx, tc.p)
			require.ErrorIs(t, err, tc.class)
			var pe *providers.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.status, pe.HTTPStatus)
			assert.NotContains(t, err.Error(), "wrong", "no secret in errors")
		})
	}
	srv.AddFault(sandbox.Fault{Provider: "camoo", Op: "cashout", Kind: sandbox.Status, Status: 500})
	_, err = c.Send(ctx, providers.Payout{Reference: "e", Phone: "237677123456", Amount: 10})
	require.ErrorIs(t, err, providers.ErrUnknownOutcome, "500: the cashout may exist")
	assert.Len(t, srv.Payouts(), 1)
}

func TestSendsTheBatchCurrency(t *testing.T) {
	t.Parallel()
	srv, cp, root := sandboxtest.Recorded(t, sandbox.Options{SettleDelay: time.Hour})
	c := camoo.New(camoo.WithBaseURL(root+"/camoo/v1/payment"), camoo.WithKeys("k", "s"))
	ctx := context.Background()

	_, err := c.Send(ctx, providers.Payout{Reference: "a", Phone: "237677123456", Country: "CM", Operator: "MTN", Amount: 100, Currency: "XAF"})
	require.NoError(t, err)
	assert.Equal(t, "XAF", cp.Last()["currency"])

	_, err = c.Send(ctx, providers.Payout{Reference: "b", Phone: "237677123456", Country: "CM", Operator: "MTN", Amount: 100, Currency: "XOF"})
	assert.Equal(t, "XOF", cp.Last()["currency"], "the batch's currency as it is, never replaced by XAF")
	require.ErrorIs(t, err, providers.ErrRejected, "Camoo pays this number in XAF only")

	_, err = c.Send(ctx, providers.Payout{Reference: "c", Phone: "237699009900", Amount: 100})
	require.NoError(t, err)
	assert.Equal(t, "XAF", cp.Last()["currency"], "without one, the currency Camoo declares for the number")
	assert.Len(t, srv.Payouts(), 2)
}

// Camoo's openapi.yaml types amounts as integers, fees as a number and
// created_at as Unix seconds, with lower-case statuses in its examples; the
// simulator used to send strings, and older answers may still: both are read.
func TestReadsDocumentedTypesAndStrings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, cashout string
		want          providers.Result
	}{
		{"documented", `{"id":"934ca3f6-dad6-4503-ae36-c01ca3354183","external_reference":"r","amount":100,"currency":"XAF",
			"created_at":1768646496,"network":"orange","status":"success","fees":3,"net_amount":97,"completed_at":null,"phone_number":"+237699009900","country":"CM"}`,
			providers.Result{ProviderReference: "934ca3f6-dad6-4503-ae36-c01ca3354183", Status: providers.StatusSucceeded, Amount: 100, Fee: 3, NetAmount: 97}},
		{"strings", `{"id":"x1","amount":"100","currency":"XAF","created_at":"2026-01-17T10:45:57+00:00","network":"MTN","status":"PENDING",
			"fees":"3.00","net_amount":"97"}`,
			providers.Result{ProviderReference: "x1", Status: providers.StatusPending, Amount: 100, Fee: 3, NetAmount: 97}},
		{"numeric id, created_at as a string of seconds, float fee", `{"id":42,"amount":100.0,"created_at":"1768646496","status":"Failed","fees":2.5,"net_amount":null}`,
			providers.Result{ProviderReference: "42", Status: providers.StatusFailed, Amount: 100}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch r.URL.Path {
				case "/cashout":
					w.WriteHeader(http.StatusCreated)
					fmt.Fprintf(w, `{"message":"created","code":201,"cashOut":%s}`, tc.cashout)
				case "/verify":
					fmt.Fprintf(w, `{"code":200,"message":"success","verify":%s}`, tc.cashout)
				}
			}))
			defer hs.Close()
			c := camoo.New(camoo.WithBaseURL(hs.URL), camoo.WithKeys("k", "s"))
			for _, got := range []func() (providers.Result, error){
				func() (providers.Result, error) {
					return c.Send(context.Background(), providers.Payout{Reference: "r", Phone: "237699009900", Amount: 100})
				},
				func() (providers.Result, error) { return c.Check(context.Background(), "x") },
			} {
				res, err := got()
				require.NoError(t, err)
				res.Message = ""
				assert.Equal(t, tc.want, res)
			}
		})
	}
}

func TestCreatedAtInEveryForm(t *testing.T) {
	t.Parallel()
	want := time.Unix(1768646496, 0).UTC()
	for raw, w := range map[string]time.Time{
		`1768646496`: want, `"1768646496"`: want, `"2026-01-17T10:41:36Z"`: want, `"2026-01-17 10:41:36"`: want,
		`null`: {}, `"yesterday"`: {},
	} {
		var co camoo.Cashout
		require.NoError(t, json.Unmarshal([]byte(`{"created_at":`+raw+`}`), &co), raw)
		assert.True(t, w.Equal(co.CreatedAt.Time), "%s: %v", raw, co.CreatedAt.Time)
	}
}

func TestBalanceAsIntegerOrString(t *testing.T) {
	t.Parallel()
	for _, bal := range []string{`1000000`, `"1000000"`} {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"code":200,"message":"success","account":{"balance":%s,"currency":"XAF","date":"2026-01-17T10:45:57+00:00"}}`, bal)
		}))
		bs, err := camoo.New(camoo.WithBaseURL(hs.URL), camoo.WithKeys("k", "s")).Balances(context.Background())
		hs.Close()
		require.NoError(t, err)
		assert.Equal(t, []providers.Balance{{Amount: 1_000_000, Currency: "XAF"}}, bs, bal)
	}
}
