package campay_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/campay"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
)

// A history answer far larger than the history limit is read in the one
// request that asked for it, one transaction at a time: the limit holds for
// each transaction, not for the answer. Every payout of the range comes back
// once.
func TestHistoryLargerThanTheLimitIsReadWholeInOneRequest(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	clock := providerstest.NewClock(day.Add(9 * time.Hour))
	srv, c, cnt := sim(t, sandbox.Options{Now: clock.Now, SettleDelay: time.Minute}, campay.WithHistoryLimit(1000))
	ctx := context.Background()
	want := map[string]bool{}
	for d := range 3 {
		for i := range 20 {
			res, err := c.Send(ctx, payout(fmt.Sprintf("stream-%d-%d", d, i), "237677123456", 10))
			require.NoError(t, err)
			want[res.ProviderReference] = true
		}
		require.NoError(t, clock.Sleep(ctx, 24*time.Hour))
	}
	require.Len(t, srv.Payouts(), len(want))
	_, err := c.Balance(ctx) // the token expired with the days: log in again before counting
	require.NoError(t, err)
	before := cnt.Count("POST /campay/api/history/")
	got := map[string]bool{}
	err = c.Records(ctx, day, day.AddDate(0, 0, 2), func(r providers.Record) error {
		assert.False(t, got[r.ProviderReference], "a payout comes back once: %s", r.ProviderReference)
		got[r.ProviderReference] = true
		assert.Equal(t, providers.StatusSucceeded, r.Status)
		assert.Equal(t, int64(10), r.Amount)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, want, got, "every payout of the range, none twice")
	assert.Equal(t, 1, cnt.Count("POST /campay/api/history/")-before, "one request, however long its answer")
}

// answering serves CamPay's login and a history answer of body.
func answering(t *testing.T, body string) *campay.Client {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/token/":
			fmt.Fprint(w, `{"token":"t0k3n-abcdef","expires_in":3600}`)
		case "/api/history/":
			fmt.Fprint(w, body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(hs.Close)
	return campay.New(campay.WithBaseURL(hs.URL+"/api"), campay.WithCredentials("user", "pass"), campay.WithHistoryLimit(400))
}

const line = `{"datetime":"2026-11-20T09:00:00Z","phone_number":"237677123456","amount":10,"status":"SUCCESSFUL","reference_uuid":"%s","description":"%s"}`

// A transaction longer than the history limit (a broken or hostile answer) is
// not read: the history fails as a lookup that may pass (nothing is cut
// silently), and so does an answer cut off or that is not CamPay's JSON. A
// transaction within the limit is read however long the answer.
func TestHistoryLimitHoldsForEachTransaction(t *testing.T) {
	t.Parallel()
	many := make([]string, 50)
	for i := range many {
		many[i] = fmt.Sprintf(line, fmt.Sprintf("ref-%d", i), "withdraw")
	}
	cases := []struct {
		name string
		body string
		n    int    // records read
		err  string // "" when none
	}{
		{"fifty transactions, each within the limit", `{"data":[` + strings.Join(many, ",") + `]}`, 50, ""},
		{"other fields around the data", `{"count":2,"data":[` + strings.Join(many[:2], ",") + `],"next":null}`, 2, ""},
		{"no data", `{"data":null}`, 0, ""},
		{"an answer without data", `{"message":"Invalid token"}`, 0, "answer unreadable"},
		{"an empty object", `{}`, 0, "answer unreadable"},
		{"a transaction longer than the limit", `{"data":[` + many[0] + "," + fmt.Sprintf(line, "big", strings.Repeat("x", 500)) + `]}`, 1,
			"larger than 400 bytes"},
		{"another field longer than the limit", `{"note":"` + strings.Repeat("x", 500) + `","data":[]}`, 0, "larger than 400 bytes"},
		{"spaces longer than the limit", `{"data":[` + many[0] + "," + strings.Repeat(" ", 500) + many[1] + `]}`, 1, "larger than 400 bytes"},
		{"cut off", `{"data":[` + many[0] + "," + many[1][:40], 1, "answer cut off"},
		{"not an object", `[` + many[0] + `]`, 0, "answer unreadable"},
		{"data not an array", `{"data":{"a":1}}`, 0, "answer unreadable"},
		{"a transaction of the wrong shape", `{"data":[` + many[0] + `,{"amount":{"x":1}}]}`, 1, "answer unreadable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := answering(t, tc.body)
			n := 0
			err := c.Records(context.Background(), time.Now(), time.Now(), func(providers.Record) error { n++; return nil })
			assert.Equal(t, tc.n, n)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, providers.ErrTransient, "a history moves no money: it may be asked again")
			assert.Contains(t, err.Error(), tc.err)
			assert.NotContains(t, err.Error(), "t0k3n-abcdef")
		})
	}
}

// An error of the caller's function stops the reading and comes back as it is.
func TestHistoryStopsOnTheCallersError(t *testing.T) {
	t.Parallel()
	body := `{"data":[` + fmt.Sprintf(line, "a", "w") + "," + fmt.Sprintf(line, "b", "w") + "," + fmt.Sprintf(line, "c", "w") + `]}`
	c := answering(t, body)
	stop := errors.New("enough")
	var seen []string
	err := c.Records(context.Background(), time.Now(), time.Now(), func(r providers.Record) error {
		seen = append(seen, r.ProviderReference)
		if len(seen) == 2 {
			return stop
		}
		return nil
	})
	require.Equal(t, stop, err)
	assert.Equal(t, []string{"a", "b"}, seen)
}
