package campay_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers/campay"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
)

// A history whose answer is larger than the limit is asked again in halves of
// the day range, down to single days, which are read whole: every payout comes
// back once, and the requests are the halving tree's.
func TestHistoryLargerThanTheLimitIsSplitAndComplete(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		perDay   []int // payouts made on each day of the range, from day
		limit    int64
		requests int
	}{
		{"fits in one answer", []int{3, 3, 3, 3}, 1 << 20, 1},
		{"four days, each alone too large", []int{3, 3, 3, 3}, 1, 7},      // 4 → 2+2 → 1+1+1+1
		{"three days", []int{5, 1, 2}, 1, 5},                              // 3 → 2 → 1+1, and 1
		{"five days, some empty", []int{4, 0, 0, 0, 4}, 1, 9},             // 5 → 3 (→ 2 → 1+1, 1) and 2 (→ 1+1)
		{"a day larger than the limit on its own", []int{40, 1}, 2000, 3}, // 2 → 1+1, the first read whole
		{"two days fit, four do not", []int{4, 4, 4, 4}, 4000, 3},         // 4 → 2+2
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := providerstest.NewClock(day.Add(9 * time.Hour))
			srv, c, cnt := sim(t, sandbox.Options{Now: clock.Now, SettleDelay: time.Minute}, campay.WithHistoryLimit(tc.limit))
			ctx := context.Background()
			want := map[string]bool{}
			for d, n := range tc.perDay {
				for i := range n {
					res, err := c.Send(ctx, payout(fmt.Sprintf("%s-%d-%d", tc.name, d, i), "237677123456", 10))
					require.NoError(t, err)
					want[res.ProviderReference] = true
				}
				require.NoError(t, clock.Sleep(ctx, 24*time.Hour))
			}
			require.Len(t, srv.Payouts(), len(want))
			_, err := c.Balance(ctx) // the token expired with the days: log in again before counting
			require.NoError(t, err)
			before := cnt.Count("POST /campay/api/history/")
			h, err := c.History(ctx, day, day.AddDate(0, 0, len(tc.perDay)-1))
			require.NoError(t, err)
			got := map[string]bool{}
			for _, e := range h {
				assert.False(t, got[e.ReferenceUUID], "a payout comes back once: %s", e.ReferenceUUID)
				got[e.ReferenceUUID] = true
			}
			assert.Equal(t, want, got, "every payout of the range, none twice")
			assert.Equal(t, tc.requests, cnt.Count("POST /campay/api/history/")-before)
		})
	}
}
