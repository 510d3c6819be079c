package sheet

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The fast paths give what the general code gives.
func TestFastPathsAgree(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", " ", "Jean", "Jean Dupont", "Jean  Dupont", " Jean", "Jean ", "Jean\tDupont",
		"Bénéficiaire numéro 12", "Ama\u00a0Mensah", "Ama\u2003Mensah", "Ama\u0085Mensah", "a\xffb c", "\xff ", "TOTAL", "Total général",
		"Sous-Tot", "tOt", "to", "stot ", "TȮT", "x\u212aot"} {
		assert.Equal(t, strings.Join(strings.Fields(s), " "), joinFields(s), "%q", s)
		assert.Equal(t, strings.Contains(strings.ToLower(s), "tot"), containsTot(s), "%q", s)
	}
	for _, s := range []string{"1", "150000", "0150000", "0", "000", "999999999999999999", "9999999999999999999", "150 000", "1e5", "+5", "-5", " 5", "5 ", "５"} {
		want, wantErr := parseAmount(s)
		n, ok := plainDigits(s)
		if s == "1" || s == "150000" || s == "0150000" {
			assert.True(t, ok, "%q: plain digits take the fast path", s)
		}
		if ok && n > 0 {
			assert.NoError(t, wantErr, "%q", s)
			assert.Equal(t, want, n, "%q", s)
		}
	}
}
