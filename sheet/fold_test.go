package sheet

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
)

func TestValidatorFoldCachesBounded(t *testing.T) {
	t.Parallel()
	var v validator
	for _, s := range []string{"Mobile Money", "Espèces", "ORANGE", "  mobile_money ", "Virement bancaire"} {
		assert.Equal(t, Normalize(s), v.fold(s), s)
		assert.Equal(t, Normalize(s), v.fold(s), "%s from the cache", s)
	}
	require.Len(t, v.folded, 5, "each distinct cell text is folded once and kept")

	for i := 0; i < 10*maxFolded; i++ {
		s := fmt.Sprintf("Mode %d é", i)
		require.Equal(t, Normalize(s), v.fold(s))
	}
	assert.Len(t, v.folded, maxFolded, "a column of distinct values stops filling the cache at its bound")
	for _, key := range []string{"", "mobilemoney", "mycoolpay", "cashout", "mycoolpay"} {
		wantD, wantOK := providers.WalletNamed(key)
		d, ok := v.walletNamed(key)
		assert.Equal(t, wantOK, ok, key)
		assert.Equal(t, wantD, d, key)
	}
	assert.Len(t, v.wallets, 4)
	long := string(make([]byte, 100))
	assert.Equal(t, Normalize(long), v.fold(long))
	assert.NotContains(t, v.folded, long)
}
