package ledger

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
)

// Once a batch's registered names are forgotten, they are gone from the
// ledger's file itself (secure_delete overwrites the old cells), once the
// -wal is copied in.
func TestForgottenNamesLeaveNoTraceInTheFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openTemp(t)
	b, items := seed(t, st, 2)
	checks := []batch.NameCheck{
		{ItemID: items[0].ID, Row: items[0].Row, Result: batch.NameMismatch, Provider: "momo", Given: "Zéphirine", Family: "QUOTIDIENNEMENT"},
		{ItemID: items[1].ID, Row: items[1].Row, Result: batch.NameMatch, Provider: "momo", Given: "Awa", Family: "FALLXYZW"},
	}
	require.NoError(t, st.SaveNameChecks(ctx, b.ID, checks, nil))
	require.NoError(t, st.Checkpoint(ctx))
	data, err := os.ReadFile(st.Path())
	require.NoError(t, err)
	require.True(t, bytes.Contains(data, []byte("QUOTIDIENNEMENT")), "the name is in the file while the batch needs it")

	n, err := st.ForgetNames(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	require.NoError(t, st.Checkpoint(ctx))
	data, err = os.ReadFile(st.Path())
	require.NoError(t, err)
	assert.False(t, bytes.Contains(data, []byte("QUOTIDIENNEMENT")))
	assert.False(t, bytes.Contains(data, []byte("FALLXYZW")))
}
