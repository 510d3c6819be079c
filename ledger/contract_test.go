package ledger

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/batch/batchtest"
	"bulkpay/internal/testsupport/pgtest"
)

func TestLedgerKeepsTheStoreContract(t *testing.T) {
	t.Parallel()
	batchtest.Suite(t, func(t *testing.T, env batchtest.Env) batch.Store {
		st, err := Open(context.Background(), filepath.Join(t.TempDir(), "ledger.db"), WithClock(env.Now), WithProcessCheck(env.Alive))
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		return st
	})
}

func TestPostgresLedgerKeepsTheStoreContract(t *testing.T) {
	t.Parallel()
	pgtest.RequirePostgres(t)
	batchtest.Suite(t, func(t *testing.T, env batchtest.Env) batch.Store {
		st, err := Open(context.Background(), pgtest.PostgresDSN(t), WithClock(env.Now), WithProcessCheck(env.Alive))
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		return st
	})
}
