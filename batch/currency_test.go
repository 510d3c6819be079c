package batch_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/ledger"
	"bulkpay/providers"
)

// recorder is a provider that pays at once and keeps what it was sent.
type recorder struct {
	name string
	mu   sync.Mutex
	sent []providers.Payout
}

func (r *recorder) Name() string { return r.name }

func (r *recorder) Send(_ context.Context, p providers.Payout) (providers.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, p)
	return providers.Result{ProviderReference: fmt.Sprintf("%s-%d", r.name, len(r.sent)), Status: providers.StatusSucceeded}, nil
}

func (r *recorder) Check(context.Context, string) (providers.Result, error) {
	return providers.Result{Status: providers.StatusSucceeded}, nil
}

// The batch currency reaches every request: as it is where the provider pays
// in it, and as the receiving country's CFA franc where the two are at par.
func TestPayoutsCarryTheBatchCurrency(t *testing.T) {
	cases := []struct {
		name     string
		currency string
		row      batch.Row
		provider string
		want     string
	}{
		{"Cameroon in XAF", "XAF", batch.Row{Phone: "237677123456", Country: "CM", Operator: "MTN"}, "campay", "XAF"},
		{"Côte d'Ivoire from a CFA-franc batch", "XAF", batch.Row{Phone: "2250701020304", Country: "CI", Operator: "Orange"}, "cinetpay", "XOF"},
		{"Senegal in XOF", "XOF", batch.Row{Phone: "221771234567", Country: "SN", Operator: "Orange"}, "cinetpay", "XOF"},
		{"Guinea in GNF", "GNF", batch.Row{Phone: "224621234567", Country: "GN", Operator: "Orange"}, "cinetpay", "GNF"},
		{"DR Congo in CDF", "CDF", batch.Row{Phone: "243811234567", Country: "CD", Operator: "Vodacom"}, "cinetpay", "CDF"},
		{"a cashout", "XAF", batch.Row{Phone: "237699009900", Country: "CM", Operator: "Orange", Mode: batch.ModeCashout}, "camoo", "XAF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, err := ledger.Open(ctx, filepath.Join(t.TempDir(), "l.db"))
			require.NoError(t, err)
			defer st.Close()
			row := tc.row
			row.Row, row.Name, row.Amount = 2, "Payee", 5000
			if row.Mode == "" {
				row.Mode = batch.ModeMobileMoney
			}
			router := batch.Routes{Rules: batch.DefaultRules, Configured: map[string]bool{tc.provider: true}}
			b, items, errs := batch.Plan("c", "c.csv", tc.currency, []batch.Row{row}, router)
			require.Empty(t, errs)
			b, _, err = batch.Prepare(ctx, st, b, items, []batch.Row{row})
			require.NoError(t, err)
			rec := &recorder{name: tc.provider}
			r := &batch.Runner{Store: st, Lanes: map[string]batch.Lane{tc.provider: {Provider: rec, Rate: 100, Burst: 1, Concurrency: 1}}}
			sum, err := r.Run(ctx, b)
			require.NoError(t, err)
			assert.Equal(t, 1, sum.Counts[batch.Succeeded])
			require.Len(t, rec.sent, 1)
			assert.Equal(t, tc.want, rec.sent[0].Currency)
		})
	}
}
