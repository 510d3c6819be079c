package door

import (
	"context"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/internal/render"
)

// Balances is each provider's balance as it answers now.
type Balances struct {
	Lines   []render.BalanceLine // CamPay's per carrier
	Sandbox bool                 // no real money moves
	Where   string               // which sandbox, or "live"
}

// AskBalances asks every provider connect reaches for its balance; the
// error says which did not answer (their lines say why), or, without any
// line, that none could be reached.
func AskBalances(ctx context.Context, connect func(context.Context) (*batch.Connection, error), currency string) (Balances, error) {
	conn, err := connect(ctx)
	if err != nil {
		return Balances{}, err
	}
	defer conn.Close()
	bals, failed := batch.Balances(ctx, conn.Lanes, nil)
	return Balances{Lines: render.NewBalanceLines(bals, currency), Sandbox: conn.Sandbox, Where: conn.Where}, failed
}

// Needs are what the providers' balances, asked now under cfg through t,
// cannot cover of the batch s stored (batch.StoredBalances); none when s
// stored nothing.
func Needs(ctx context.Context, cfg config.Config, t config.Target, st batch.ItemReader, s batch.Streamed) ([]batch.Need, error) {
	if !s.Stored {
		return nil, nil
	}
	connect := func(ctx context.Context) (*batch.Connection, error) { return cfg.Connect(ctx, t) }
	return batch.StoredBalances(ctx, st, s.Batch, connect, nil)
}
