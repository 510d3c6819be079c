package cinetpay2_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
	"bulkpay/providers/cinetpay2"
	"bulkpay/providers/providerstest"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

const login = "POST /cinetpay-api/v1/oauth/login"
const transfer = "POST /cinetpay-api/v1/transfer"

// accounts are the simulator's country accounts, as the client is given them.
var accounts = map[string]sandbox.CinetPayAPIAccount{
	"CI": {APIKey: "sk_test_ci", APIPassword: "ci-password"},
	"SN": {APIKey: "sk_test_sn", APIPassword: "sn-password"},
}

type rig struct {
	srv   *sandbox.Server
	rec   *sandboxtest.Recorder
	root  string
	clock *providerstest.Clock
}

func newRig(t *testing.T, opts sandbox.Options) rig {
	t.Helper()
	clock := providerstest.NewClock(sandboxtest.Start)
	opts.Now = clock.Now
	if opts.CinetPayAPI.Accounts == nil {
		opts.CinetPayAPI.Accounts = accounts
	}
	srv, rec, root := sandboxtest.Recorded(t, opts)
	return rig{srv: srv, rec: rec, root: root, clock: clock}
}

func (r rig) client(opts ...cinetpay2.Option) *cinetpay2.Client {
	base := []cinetpay2.Option{cinetpay2.WithBaseURL(r.root + "/cinetpay-api"), cinetpay2.WithHTTPClient(&http.Client{Timeout: 2 * time.Second}),
		cinetpay2.WithClock(r.clock.Now), cinetpay2.WithNotifyURL("http://127.0.0.1/notify")}
	for cc, a := range accounts {
		base = append(base, cinetpay2.WithAccount(cc, a.APIKey, a.APIPassword))
	}
	return cinetpay2.New(append(base, opts...)...)
}

var (
	ivorian    = providers.Payout{Phone: "2250701020304", Country: "CI", Operator: "Orange", Amount: 5000, Currency: "XOF", Name: "Awa Koné"}
	senegalese = providers.Payout{Phone: "221771234567", Country: "SN", Operator: "Orange", Amount: 5000, Currency: "XOF", Name: "Moussa Diop"}
)

func fresh(p providers.Payout) providers.Payout {
	p.Reference = uuid.NewString()
	return p
}

func TestTokenPerCountryAccount(t *testing.T) {
	t.Parallel()
	r := newRig(t, sandbox.Options{})
	c := r.client()
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		for _, p := range []providers.Payout{ivorian, senegalese} {
			res, err := c.Send(ctx, fresh(p))
			require.NoError(t, err)
			assert.Equal(t, providers.StatusPending, res.Status)
			assert.NotEmpty(t, res.NotifyToken, "the initiation returns the webhook's token")
		}
	}
	assert.Equal(t, 2, r.rec.Count(login), "one token per country account, kept")
	assert.Equal(t, 6, r.rec.Count(transfer))
	bodies := r.rec.Bodies()
	methods := map[string]int{}
	for _, b := range bodies {
		if m, ok := b["payment_method"].(string); ok {
			methods[m]++
			assert.Regexp(t, `^\+\d+$`, b["phone_number"])
			assert.Len(t, b["merchant_transaction_id"], 28)
			assert.Equal(t, "XOF", b["currency"])
		}
	}
	assert.Equal(t, map[string]int{"OM_CI": 3, "OM_SN": 3}, methods)

	// the SN account pays SN only: a client with no SN account refuses, sending nothing
	only := cinetpay2.New(cinetpay2.WithBaseURL(r.root+"/cinetpay-api"), cinetpay2.WithAccount("CI", "sk_test_ci", "ci-password"),
		cinetpay2.WithNotifyURL("http://127.0.0.1/notify"))
	_, err := only.Send(ctx, fresh(senegalese))
	require.ErrorIs(t, err, providers.ErrRejected)
	assert.True(t, providers.IsProviderSide(err), "another provider may pay it")
	assert.Contains(t, err.Error(), "no CinetPay account for SN")
	assert.Equal(t, 6, r.rec.Count(transfer))
}

func TestTokenRefresh(t *testing.T) {
	t.Parallel()
	r := newRig(t, sandbox.Options{})
	c := r.client()
	ctx := context.Background()
	_, err := c.Send(ctx, fresh(ivorian))
	require.NoError(t, err)
	require.Equal(t, 1, r.rec.Count(login))

	// 23 h 30 min on: within the last hour of its 24, the token is renewed before it is refused
	require.NoError(t, r.clock.Sleep(ctx, 23*time.Hour+30*time.Minute))
	_, err = c.Send(ctx, fresh(ivorian))
	require.NoError(t, err)
	assert.Equal(t, 2, r.rec.Count(login), "renewed ahead of its end")
	assert.Equal(t, 2, r.rec.Count(transfer), "no transfer refused for its token")

	// CinetPay ends the token early: code 1003, a new login, the transfer sent again once
	r.srv.ExpireCinetPayAPITokens()
	p := fresh(ivorian)
	_, err = c.Send(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, 3, r.rec.Count(login))
	assert.Equal(t, 4, r.rec.Count(transfer), "the one refused with 1003, then the one accepted")
	assert.Len(t, r.srv.Payouts(), 3, "nothing paid twice")
}

func TestTokenRefusedTwice(t *testing.T) {
	t.Parallel()
	rules, err := sandbox.ParseRules("cinetpay-api:token-ttl=0s")
	require.NoError(t, err)
	r := newRig(t, sandbox.Options{Rules: rules})
	_, err = r.client().Send(context.Background(), fresh(ivorian))
	require.ErrorIs(t, err, providers.ErrTransient, "a token refused is refused before processing")
	require.ErrorIs(t, err, providers.ErrAuth)
	assert.Equal(t, 2, r.rec.Count(login), "one new login, not a loop")
	assert.Equal(t, 2, r.rec.Count(transfer))
	assert.Empty(t, r.srv.Payouts())
}

func TestBadCredentials(t *testing.T) {
	t.Parallel()
	r := newRig(t, sandbox.Options{})
	c := cinetpay2.New(cinetpay2.WithBaseURL(r.root+"/cinetpay-api"), cinetpay2.WithAccount("CI", "sk_test_ci", "wrong-password"),
		cinetpay2.WithNotifyURL("http://127.0.0.1/notify"))
	_, err := c.Send(context.Background(), fresh(ivorian))
	require.ErrorIs(t, err, providers.ErrAuth)
	require.ErrorIs(t, err, providers.ErrTransient)
	assert.NotContains(t, err.Error(), "wrong-password")
	assert.Zero(t, r.rec.Count(transfer))
}

func TestSendAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("insufficient balance", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, sandbox.Options{})
		require.NoError(t, r.srv.SetBalance("cinetpay-api/CI", 1000))
		_, err := r.client().Send(ctx, fresh(ivorian))
		require.ErrorIs(t, err, providers.ErrRejected)
		require.ErrorIs(t, err, providers.ErrInsufficientFunds)
		assert.Contains(t, err.Error(), "2005")
		assert.Empty(t, r.srv.Payouts())
	})
	t.Run("reference used twice", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, sandbox.Options{})
		c := r.client()
		p := fresh(ivorian)
		_, err := c.Send(ctx, p)
		require.NoError(t, err)
		_, err = c.Send(ctx, p)
		require.ErrorIs(t, err, providers.ErrDuplicate, "the transfer exists: never paid again, a person looks")
		assert.Len(t, r.srv.Payouts(), 1)
	})
	t.Run("reference used twice, answered with the first", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, sandbox.Options{CinetPayAPI: sandbox.CinetPayAPIOptions{Accounts: accounts, DuplicateFirst: true}})
		c := r.client()
		p := fresh(ivorian)
		first, err := c.Send(ctx, p)
		require.NoError(t, err)
		again, err := c.Send(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, first.ProviderReference, again.ProviderReference)
		assert.Len(t, r.srv.Payouts(), 1)
	})
	t.Run("operator without a payment method", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, sandbox.Options{})
		p := fresh(ivorian)
		p.Operator = "Moov"
		_, err := r.client().Send(ctx, p)
		require.ErrorIs(t, err, providers.ErrRejected)
		assert.Contains(t, err.Error(), "MTN, ORANGE, WAVE")
		assert.Zero(t, r.rec.Count(transfer))
	})
	t.Run("amount below the minimum", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, sandbox.Options{})
		p := fresh(ivorian)
		p.Amount = 200
		_, err := r.client().Send(ctx, p)
		require.ErrorIs(t, err, providers.ErrRejected)
		assert.Contains(t, err.Error(), "422")
		assert.Empty(t, r.srv.Payouts())
	})
	t.Run("lookup reads our reference back", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, sandbox.Options{SettleDelay: time.Minute})
		c := r.client()
		p := fresh(ivorian)
		res, err := c.Send(ctx, p)
		require.NoError(t, err)
		require.NoError(t, r.clock.Sleep(ctx, time.Minute))
		got, err := c.Check(ctx, res.ProviderReference)
		require.NoError(t, err)
		assert.Equal(t, providers.StatusSucceeded, got.Status)
		assert.Equal(t, p.Reference, got.ClientReference)
		assert.Equal(t, int64(5000), got.Amount)
		assert.Equal(t, int64(50), got.Fee)
		_, err = c.Check(ctx, "no-such-transfer")
		require.ErrorIs(t, err, providers.ErrNotFound, "asked of every account")
	})
	t.Run("balances per account", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, sandbox.Options{})
		require.NoError(t, r.srv.SetBalance("cinetpay-api/SN", 7000))
		bs, err := r.client().Balances(ctx)
		require.NoError(t, err)
		require.Len(t, bs, 2)
		assert.Equal(t, providers.Balance{Account: "SN", Amount: 7000, Currency: "XOF"}, bs[1])
		assert.Equal(t, "CI", bs[0].Account)
	})
}

// A transfer is asked for at the account it was sent from; one this client
// did not send is asked of each account until one knows it.
func TestCheckAsksTheAccountItWasSentFrom(t *testing.T) {
	t.Parallel()
	r := newRig(t, sandbox.Options{})
	ctx := context.Background()
	res, err := r.client().Send(ctx, fresh(senegalese))
	require.NoError(t, err)
	path := "GET /cinetpay-api/v1/transfer/" + res.ProviderReference

	_, err = r.client().Check(ctx, res.ProviderReference)
	require.NoError(t, err, "another client: CI is asked (404), then SN")
	assert.Equal(t, 2, r.rec.Count(path))

	c := r.client()
	res, err = c.Send(ctx, fresh(senegalese))
	require.NoError(t, err)
	path = "GET /cinetpay-api/v1/transfer/" + res.ProviderReference
	_, err = c.Check(ctx, res.ProviderReference)
	require.NoError(t, err)
	assert.Equal(t, 1, r.rec.Count(path), "the sender asks SN first")
}
