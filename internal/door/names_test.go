package door

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
	"bulkpay/ledger"
	"bulkpay/providers/sandbox"
	"bulkpay/providers/sandbox/sandboxtest"
)

// Planning a sheet under review asks each number once (MTN numbers through
// MoMo, the Orange one through the sandbox's directory), stores the checks
// with the batch, and planning it again (as run does after plan) asks
// nothing more; under block a mismatch stores nothing.
func TestPlanStreamNamesAsksOnceAndKeepsTheChecks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rec, url := sandboxtest.Recorded(t, sandbox.Options{MoMo: sandbox.MoMoOptions{Names: map[string]string{
		"237677123456": "Jean-Pierre MBARGA", "237670987654": "Paul ESSOMBA", "237699009900": "Aïcha BELLO"}}})
	sheetPath := writeSheet(t, "paie-2026-11.csv", "Name,Phone,Amount\nJean-Pierre Mbarga,677123456,1000\nMarcel Nana,670987654,2000\n"+
		"Aïcha Bello,699009900,3000\nJean-Pierre Mbarga,677123456,4000\n")
	plan := func(policy, db string) (batch.Streamed, Names, error) {
		cfg := config.Default()
		cfg.NameCheck = policy
		var st *ledger.Store
		t.Cleanup(func() {
			if st != nil {
				st.Close()
			}
		})
		open := func(ctx context.Context) (batch.PlanStore, error) {
			var err error
			st, err = ledger.Open(ctx, db)
			return st, err
		}
		p := Plan{Sheet: Sheet{Path: sheetPath, AllowDuplicates: true}, By: "awa", Fees: cfg.Fees(), Policy: cfg.Policy(), Now: time.Now()}
		s, _, names, err := PlanStreamNames(ctx, cfg, config.Target{SandboxURL: url}, p, open, false, batch.SaveRequest{Planning: true, Login: "awa"})
		return s, names, err
	}
	userinfo := func() int {
		return rec.Count("GET /momo/disbursement/v1_0/accountholder/msisdn/237677123456/basicuserinfo") +
			rec.Count("GET /momo/disbursement/v1_0/accountholder/msisdn/237670987654/basicuserinfo")
	}
	db := filepath.Join(t.TempDir(), "l.db")
	s, names, err := plan("review", db)
	require.NoError(t, err)
	require.True(t, s.Stored)
	require.Len(t, names.Checks, 4)
	results := []batch.NameResult{}
	for _, c := range names.Checks {
		results = append(results, c.Result)
	}
	assert.Equal(t, []batch.NameResult{batch.NameMatch, batch.NameMismatch, batch.NameMatch, batch.NameMatch}, results)
	assert.Equal(t, "momo", names.Checks[0].Provider)
	assert.Equal(t, "sandbox", names.Checks[2].Provider, "the Orange number through the sandbox's directory")
	assert.Equal(t, 2, userinfo(), "each MTN number asked once, the repeated one included")
	assert.Equal(t, 1, rec.Count("GET /_sandbox/names/237699009900"))

	s, names, err = plan("review", db)
	require.NoError(t, err)
	assert.True(t, names.Stored)
	assert.Len(t, names.Checks, 4)
	assert.Equal(t, 2, userinfo(), "planned again: the stored checks, nothing asked")
	items, err := s.Store.Items(ctx, s.Batch.ID, batch.ToConfirm)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, 3, items[0].Row)

	blocked := filepath.Join(t.TempDir(), "b.db")
	_, _, err = plan("block", blocked)
	var nr *batch.NameRefusal
	require.ErrorAs(t, err, &nr)
	require.Len(t, nr.Checks, 1)
	assert.Equal(t, 3, nr.Checks[0].Row)
	st, err := ledger.Open(ctx, blocked)
	require.NoError(t, err)
	defer st.Close()
	_, err = st.Batch(ctx, "paie-2026-11")
	assert.ErrorIs(t, err, batch.ErrBatchNotFound, "under block nothing is stored")
}

func TestConfirmNameNeedsALedgerThatKeepsNameChecks(t *testing.T) {
	t.Parallel()
	req := batch.ConfirmRequest{Row: 2, By: "ada", Note: "ID seen"}
	_, err := ConfirmName(context.Background(), nil, batch.Batch{Reference: "paie"}, req)
	require.EqualError(t, err, "this ledger keeps no name checks")
}
