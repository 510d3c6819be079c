package sheet

import (
	"fmt"
	"math/rand/v2"
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

// TestPlainTextAgreesWithBadText: whatever plainText lets through, badText
// has nothing to say about; over every one- and two-rune text around the
// characters it refuses, and random bytes.
func TestPlainTextAgreesWithBadText(t *testing.T) {
	t.Parallel()
	var runes []rune
	for r := rune(0); r < 0x800; r++ {
		runes = append(runes, r)
	}
	for r := rune(0x2000); r < 0x2100; r++ {
		runes = append(runes, r)
	}
	runes = append(runes, 0xFEFF, 0xFFFD, 0xFFFF, 0x10000, 0x1F600)
	for _, a := range runes {
		for _, b := range []rune{'a', 'é', 0x202E, 0x85} {
			s := string(a) + string(b)
			if plainText(s) {
				require.Empty(t, badText("name", s), "%U %U", a, b)
			}
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 20000; i++ {
		b := make([]byte, rng.IntN(8))
		for j := range b {
			b[j] = byte(rng.IntN(256))
		}
		if plainText(string(b)) {
			require.Empty(t, badText("name", string(b)), "%q", b)
		}
	}
	assert.True(t, plainText("Bénéficiaire numéro 12"))
	assert.False(t, plainText("Jean\u202EDupont"))
}
