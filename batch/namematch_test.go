package batch_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/batch"
)

func TestMatchNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		sheet          string
		given, family  string
		want           batch.NameResult
		minScore, maxS int
	}{
		// Cameroon
		{"same name", "Jean-Pierre Mbarga", "Jean-Pierre", "MBARGA", batch.NameMatch, 100, 100},
		{"initials", "J. P. Mbarga", "Jean-Pierre", "MBARGA", batch.NameMatch, 80, 95},
		{"initials run together", "J.P. MBARGA", "Jean-Pierre", "MBARGA", batch.NameMatch, 80, 95},
		{"family first", "MBARGA Jean-Pierre", "Jean-Pierre", "MBARGA", batch.NameMatch, 100, 100},
		{"accents and case", "aicha bello", "Aïcha", "BELLO", batch.NameMatch, 100, 100},
		{"apostrophe", "Samuel Etoo Ndjock", "Samuel", "ETO'O NDJOCK", batch.NameMatch, 100, 100},
		{"compound family, particle left out", "Christelle Biyong", "Christelle", "NGO BIYONG", batch.NamePartial, 50, 75},
		{"missing middle name", "Jean Mbarga", "Jean Pierre", "MBARGA", batch.NamePartial, 50, 75},
		{"middle name only on the sheet", "Hervé Blaise Tchinda", "Hervé", "TCHINDA", batch.NamePartial, 50, 75},
		{"other family name", "Jean-Pierre Mbarga", "Jean-Pierre", "ESSOMBA", batch.NameMismatch, 0, 30},
		{"same family, other person", "Paul Mbarga", "Jean", "MBARGA", batch.NameMismatch, 0, 40},
		{"family as an initial only", "Jean-Pierre M.", "Jean-Pierre", "MBARGA", batch.NameMismatch, 0, 30},
		{"family name alone", "Mbarga", "Jean-Pierre", "MBARGA", batch.NameMismatch, 0, 40},
		{"one registered name, capitals split it", "Guy-Roger Ekambi", "Guy-Roger EKAMBI", "", batch.NameMatch, 100, 100},
		{"one registered name, last word", "Marcel Nana", "Marcel Nana", "", batch.NameMatch, 100, 100},
		// Côte d'Ivoire
		{"ivorian, order", "KOUASSI Konan Serge", "Konan Serge", "KOUASSI", batch.NameMatch, 100, 100},
		{"ivorian, accents", "Adjoua Yéo", "Adjoua", "YEO", batch.NameMatch, 100, 100},
		{"ivorian, other surname", "Adjoua Yao", "Adjoua", "YEO", batch.NameMismatch, 0, 30},
		{"ivorian, initial", "K. Serge Kouassi", "Konan Serge", "KOUASSI", batch.NameMatch, 80, 95},
		// Senegal
		{"senegalese apostrophe", "Fatou N'Diaye", "Fatou", "NDIAYE", batch.NameMatch, 100, 100},
		{"senegalese, middle name missing", "Mamadou Diop", "Mamadou Lamine", "DIOP", batch.NamePartial, 50, 75},
		{"senegalese, first names differ", "Moussa Sow", "Aminata", "SOW", batch.NameMismatch, 0, 40},
		{"senegalese, hyphen and case", "ABDOU-KARIM faye", "Abdou Karim", "FAYE", batch.NameMatch, 100, 100},
		// nothing to compare
		{"empty sheet name", "", "Awa", "FALL", batch.NameMismatch, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, score := batch.MatchNames(tt.sheet, tt.given, tt.family)
			assert.Equal(t, tt.want, got)
			assert.GreaterOrEqual(t, score, tt.minScore)
			assert.LessOrEqual(t, score, tt.maxS)
		})
	}
}

func TestNameResultsThatStopARow(t *testing.T) {
	t.Parallel()
	for _, r := range []batch.NameResult{batch.NameMismatch, batch.NameInactive, batch.NameUnknownAccount} {
		assert.True(t, r.Doubtful(), r)
	}
	for _, r := range []batch.NameResult{batch.NameMatch, batch.NamePartial, batch.NameNotCheckable} {
		assert.False(t, r.Doubtful(), r)
		assert.False(t, r.NeverPay(), r)
	}
	assert.True(t, batch.NameInactive.NeverPay())
	assert.True(t, batch.NameUnknownAccount.NeverPay())
	assert.Equal(t, "unknown account", batch.NameUnknownAccount.Text())
}
