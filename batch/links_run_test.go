package batch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
)

// TestClaimedLinkCrashBetweenClaimAndSendSettles pays a batch of two rows by
// link and one direct, through the ledger and the CamPay simulator: a run
// pays only the direct row; a claimed link is paid by the next run; a crash
// after the run claimed it (the request may have left) settles like any item,
// and the payout exists once at the provider; an unclaimed link expires and
// moves no money.
func TestClaimedLinkCrashBetweenClaimAndSendSettles(t *testing.T) {
	t.Parallel()
	for _, reached := range []bool{false, true} {
		t.Run(fmt.Sprintf("request reached provider %v", reached), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnv(t, 0, sandbox.Options{}, 2*time.Second)
			rows := []batch.Row{
				{Row: 2, Name: "Awa Ndiaye", Phone: "237677100001", Country: "CM", Operator: "MTN", Mode: batch.ModeLink, Amount: 5000},
				{Row: 3, Name: "Paul Mbarga", Phone: "237677100002", Country: "CM", Operator: "MTN", Mode: batch.ModeLink, Amount: 7000},
				{Row: 4, Name: "Direct Payee", Phone: "237677100003", Country: "CM", Operator: "MTN", Mode: batch.ModeMobileMoney, Amount: 1000},
			}
			router := batch.Routes{Rules: batch.DefaultRules, Configured: map[string]bool{"campay": true}}
			b, items, errs := batch.Plan("links-run", "s.csv", "XAF", rows, router)
			require.Empty(t, errs)
			b, _, err := batch.Prepare(ctx, e.st, b, items, rows)
			require.NoError(t, err)
			e.b = b
			clk := providerstest.NewClock(e.clock.Now())
			n, err := batch.IssueLinks(ctx, e.st, e.st, b, clk.Now(), 7*24*time.Hour, false, "awa")
			require.NoError(t, err)
			require.Equal(t, 2, n)

			sum := e.run()
			assert.Equal(t, 1, sum.Counts[batch.Succeeded], "only the direct row is paid")
			assert.Equal(t, 2, sum.Counts[batch.Planned], "the links wait")
			require.Len(t, e.srv.Payouts(), 1)

			msg := &fakeMessenger{}
			svc := batch.LinkService{Store: e.st, Items: e.st, Messenger: msg, Now: clk.Now}
			links, err := e.st.Links(ctx, b.ID)
			require.NoError(t, err)
			require.NoError(t, svc.RequestCode(ctx, batch.CodeRequest{LinkID: links[0].ID, Actor: "203.0.113.9"}))
			req := batch.ClaimRequest{LinkID: links[0].ID, Code: msg.lastCode(t), Router: router, Actor: "203.0.113.9"}
			it, err := svc.Claim(ctx, req)
			require.NoError(t, err)

			// a run claims it and dies before the answer is recorded
			claims, err := e.st.Claim(ctx, b.ID, "campay", 10)
			require.NoError(t, err)
			require.Len(t, claims, 1)
			require.Equal(t, it.ID, claims[0].Item.ID)
			if reached {
				_, err := e.client.Send(ctx, providers.Payout{Reference: it.Reference, Phone: it.Phone, Amount: it.Amount, Currency: "XAF"})
				require.NoError(t, err)
			}
			again, err := svc.Claim(ctx, req)
			require.NoError(t, err, "submitted again while in doubt")
			assert.Equal(t, it.Reference, again.Reference, "the same payout, never a second")

			sum = e.run()
			assert.Equal(t, 2, sum.Counts[batch.Succeeded])
			assert.Equal(t, 1, sum.Counts[batch.Planned])
			evs, err := e.st.Events(ctx, b.ID, it.ID)
			require.NoError(t, err)
			var path []batch.State
			for _, ev := range evs {
				if ev.To != "" {
					path = append(path, ev.To)
				}
			}
			assert.Equal(t, []batch.State{batch.Planned, batch.Submitting, batch.Unknown, batch.Pending, batch.Succeeded}, path)
			l, err := e.st.Link(ctx, links[0].ID)
			require.NoError(t, err)
			assert.Equal(t, batch.LinkProcessed, l.Shown())

			clk.Add(7 * 24 * time.Hour)
			rep, err := svc.Expire(ctx, b.ID, "cron")
			require.NoError(t, err)
			assert.Equal(t, batch.ExpireReport{Expired: 1, Amount: 7000}, rep)
			sum = e.run()
			assert.True(t, sum.Complete())
			assert.Equal(t, 1, sum.Counts[batch.Cancelled])

			byRef := map[string]int{}
			for _, p := range e.srv.Payouts() {
				byRef[p.ClientReference]++
			}
			assert.Len(t, e.srv.Payouts(), 2, "the direct row and the claimed link, nothing for the expired one")
			assert.Equal(t, 1, byRef[it.Reference], "the claimed link is paid once")
			findings, err := batch.Verify(ctx, e.st, b)
			require.NoError(t, err)
			assert.Empty(t, findings, "the ledger keeps its invariants with links")
		})
	}
}
