package door

import (
	"context"

	"bulkpay/batch"
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
