package batch_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/providers"
)

// TestConfirmChecksTheCallbackToken: a provider that authenticates its
// callbacks with a token per payout (CinetPay's 2026 notify_token) has it
// compared with the digest the item keeps; a callback for a payout whose
// answer (and token) never reached bulkpay is decided by the lookup alone.
func TestConfirmChecksTheCallbackToken(t *testing.T) {
	t.Parallel()
	paid := providers.Result{Status: providers.StatusSucceeded, ProviderReference: "TX-1", Amount: 1000}
	tests := []struct {
		name    string
		from    batch.State // Pending: the answer came with its token; Unknown: it was lost
		token   string      // what the callback carries
		res     providers.Result
		verdict string
		want    batch.State
		lookups int
		detail  string
	}{
		{name: "the token its payout was given", from: batch.Pending, token: "tok-1", res: paid,
			verdict: batch.VerdictSettled, want: batch.Succeeded, lookups: 1, detail: "confirmed"},
		{name: "another token", from: batch.Pending, token: "tok-2", res: paid,
			verdict: batch.VerdictRefused, want: batch.Pending, lookups: 0, detail: "not the one cinetpay gave"},
		{name: "answer lost: the lookup naming our reference decides", from: batch.Unknown, token: "tok-9", res: paid,
			verdict: batch.VerdictSettled, want: batch.Succeeded, lookups: 1, detail: "could not be checked"},
		{name: "answer lost: a lookup naming another reference moves nothing", from: batch.Unknown, token: "tok-9",
			res:     providers.Result{Status: providers.StatusSucceeded, ProviderReference: "TX-1", Amount: 1000, ClientReference: "someone-else"},
			verdict: batch.VerdictUnchanged, want: batch.Unknown, lookups: 1, detail: "not this item's"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, clock, st := callbackFixture()
			b := batch.Batch{Reference: "paie", Currency: "XOF", TotalAmount: 1000}
			require.NoError(t, st.CreateBatch(ctx, &b, []batch.Item{{Row: 2, Reference: "ours-1", Provider: "cinetpay",
				Route: []string{"cinetpay"}, Phone: "2250701020304", Operator: "Orange", Amount: 1000, PayAmount: 1000}}))
			claimed, err := st.Claim(ctx, b.ID, "cinetpay", 1)
			require.NoError(t, err)
			c := batch.Change{ItemID: claimed[0].Item.ID, From: batch.Submitting, To: tc.from, Cause: "test"}
			if tc.from == batch.Pending {
				c.ProviderReference, c.NotifyDigest = "TX-1", batch.TokenDigest("tok-1")
			}
			require.NoError(t, st.Apply(ctx, c))
			p := &looker{name: "cinetpay", res: tc.res}
			cb := providers.Callback{Provider: "cinetpay", ItemReference: "ours-1", ProviderReference: "TX-1", Token: tc.token, Raw: `{"notify_token":"{redacted}"}`}
			conf, err := batch.Confirm(ctx, st, map[string]batch.Lane{"cinetpay": {Provider: p}}, cb, clock)
			require.NoError(t, err)
			assert.Equal(t, tc.verdict, conf.Verdict)
			assert.Contains(t, conf.Detail, tc.detail)
			assert.Len(t, p.refs, tc.lookups)
			items, err := st.Items(ctx, b.ID)
			require.NoError(t, err)
			assert.Equal(t, tc.want, items[0].State)
			logged, err := st.Callbacks(ctx)
			require.NoError(t, err)
			require.Len(t, logged, 1)
			assert.Equal(t, tc.verdict, logged[0].Verdict)
			assert.Equal(t, items[0].ID, logged[0].ItemID, "kept with the item it named")
			assert.NotContains(t, logged[0].Raw, tc.token, "the token is not kept")
		})
	}
	assert.Empty(t, batch.TokenDigest(""))
	assert.Len(t, batch.TokenDigest("tok-1"), 64)
}
