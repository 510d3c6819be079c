package server

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/providers"
	"bulkpay/providers/cinetpay2"
)

// bulkpay serve with CinetPay's 2026 API configured: a webhook is believed
// to come from CinetPay only when its notify_token is the one the transfer's
// initiation returned (a forged one is refused 401 and moves nothing); a
// webhook for a transfer whose answer was lost is looked up by CinetPay's
// transaction_id, and the lookup naming our reference settles the item a
// person was left with.
func TestCallbacksCinetPay2026CheckTheNotifyToken(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		faults string
		lost   bool // the initiation's answer (and its token) never reached bulkpay
		forged int  // the status the forged webhook gets
	}{
		{name: "answered: the token is checked", faults: "cinetpay-api:callback-forged", forged: http.StatusUnauthorized},
		{name: "answer lost: the lookup decides", faults: "cinetpay-api.transfer:malformed; cinetpay-api:callback-forged", lost: true,
			forged: http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg := config.Default()
			cfg.Providers = map[string]config.ProviderConfig{"cinetpay": {API: cinetpay2.API, Accounts: map[string]config.AccountConfig{"CI": {}}}}
			r := newCBRigWith(t, cfg, "cinetpay", c.faults, true)
			require.IsType(t, &cinetpay2.Callbacks{}, r.parsers["cinetpay"], "the 2026 API's webhooks are read as such")
			st, rig := r.st, r.rig

			b := batch.Batch{Reference: "cb-2026", Currency: "XOF", TotalAmount: 1500}
			require.NoError(t, st.CreateBatch(ctx, &b, []batch.Item{{Row: 2, Reference: uuid.NewString(), Provider: "cinetpay",
				Route: []string{"cinetpay"}, Name: "Awa Koné", Phone: "2250701020304", Country: "CI", Operator: "Orange",
				Mode: batch.ModeMobileMoney, Amount: 1500, PayAmount: 1500}}))
			claims, err := st.Claim(ctx, b.ID, "cinetpay", 1)
			require.NoError(t, err)
			it := claims[0].Item
			res, err := r.lanes["cinetpay"].Provider.Send(ctx, providers.Payout{Reference: it.Reference, Phone: it.Phone, Country: "CI",
				Operator: "Orange", Amount: 1500, Currency: "XOF", Name: it.Name})
			change := batch.Change{ItemID: it.ID, From: batch.Submitting, To: batch.Pending, Cause: "provider accepted the payout",
				ProviderReference: res.ProviderReference, NotifyDigest: batch.TokenDigest(res.NotifyToken)}
			if c.lost {
				require.ErrorIs(t, err, providers.ErrUnknownOutcome)
				change = batch.Change{ItemID: it.ID, From: batch.Submitting, To: batch.Unknown, Cause: "no definite answer"}
			} else {
				require.NoError(t, err)
				require.NotEmpty(t, res.NotifyToken)
			}
			require.NoError(t, st.Apply(ctx, change))
			if c.lost {
				require.NoError(t, st.Apply(ctx, batch.Change{ItemID: it.ID, From: batch.Unknown, To: batch.Review,
					Cause: "CinetPay cannot be asked about our reference: a person must check"}))
			}

			got := map[string][]int{}
			for range rig.Advance(t, time.Minute) {
				d := <-rig.Delivered
				got[d.Kind] = append(got[d.Kind], d.HTTPStatus)
				assert.Contains(t, d.URL, r.url+"/callbacks/cinetpay/"+it.Reference, "the item's own notify_url")
			}
			assert.Equal(t, []int{c.forged}, got["forged"])
			assert.Equal(t, []int{http.StatusOK}, got["final"])
			items, err := st.Items(ctx, b.ID)
			require.NoError(t, err)
			assert.Equal(t, batch.Succeeded, items[0].State, "the sandbox paid it: the lookup says so")
			logged, err := st.Callbacks(ctx)
			require.NoError(t, err)
			require.Len(t, logged, 2)
			if c.lost {
				// no token to check it with: the forged one only makes bulkpay
				// ask CinetPay, whose answer (naming our reference) settles the
				// item; the genuine one then finds it final
				assert.Equal(t, []string{batch.VerdictSettled, batch.VerdictUnchanged}, []string{logged[0].Verdict, logged[1].Verdict})
				assert.Contains(t, logged[0].Detail, "could not be checked")
			} else {
				assert.Equal(t, []string{batch.VerdictRefused, batch.VerdictSettled}, []string{logged[0].Verdict, logged[1].Verdict})
				assert.Equal(t, it.ID, logged[0].ItemID, "kept with the item it named, as evidence")
			}
			for _, l := range logged {
				assert.Contains(t, l.Raw, `"notify_token":"{redacted}"`, "no token kept")
			}
		})
	}
}
