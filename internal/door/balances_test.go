package door

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/batch"
	"bulkpay/config"
)

func TestNeedsNothingOfAPlanNotStored(t *testing.T) {
	t.Parallel()
	// an invalid sheet stores no batch: no provider is asked, no ledger read
	needs, err := Needs(context.Background(), config.Default(), config.Target{SandboxURL: "http://127.0.0.1:9"}, nil,
		batch.Streamed{Batch: batch.Batch{Reference: "paie"}})
	require.NoError(t, err)
	assert.Nil(t, needs)
}
