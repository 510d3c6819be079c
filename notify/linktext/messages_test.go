package linktext_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"bulkpay/batch"
	"bulkpay/notify/linktext"
)

var expiry = time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)

// a claim link as long as the links domain makes them: its host and a
// 26-character unguessable id
const longURL = "https://pay.example-ngo.cm/claim/01JDZK8Q4W7X9V2M3N5P6R8T0Y"

func TestMessagesInFrenchAndEnglish(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, got, want string
	}{
		{"link fr", linktext.LinkMessage("fr", "ONG Espoir", 25000, "XAF", "https://b.cm/c/x1", expiry),
			"ONG Espoir vous envoie 25 000 FCFA. Réclamez-le: https://b.cm/c/x1 (expire le 02/12/2026)"},
		{"link en", linktext.LinkMessage("en-GB", "ONG Espoir", 25000, "XAF", "https://b.cm/c/x1", expiry),
			"ONG Espoir sends you 25 000 FCFA. Claim it: https://b.cm/c/x1 (expires 2 Dec 2026)"},
		{"link other currency", linktext.LinkMessage("EN", "Aid", 1500, "EUR", "u", expiry),
			"Aid sends you 1 500 EUR. Claim it: u (expires 2 Dec 2026)"},
		{"reminder fr", linktext.ReminderMessage("", "ONG Espoir", 1000000, "XOF", "https://b.cm/c/x1", expiry),
			"Rappel: ONG Espoir vous a envoyé 1 000 000 FCFA. Réclamez-le avant le 02/12/2026: https://b.cm/c/x1"},
		{"reminder en", linktext.ReminderMessage("en", "ONG Espoir", 500, "XAF", "https://b.cm/c/x1", expiry),
			"Reminder: ONG Espoir sent you 500 FCFA. Claim it before 2 Dec 2026: https://b.cm/c/x1"},
		{"code fr", linktext.CodeMessage("fr", "123456"),
			"Votre code bulkpay: 123456 (valable 10 min). Ne le partagez avec personne."},
		{"code en", linktext.CodeMessage("en", "123456"),
			"Your bulkpay code: 123456 (valid 10 min). Do not share it with anyone."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.got)
			_, gsm := linktext.Length(tt.got)
			assert.True(t, gsm, "every character is in the GSM alphabet")
			assert.Equal(t, 1, linktext.Parts(tt.got))
		})
	}
}

func TestMessagesFitOneSMS(t *testing.T) {
	t.Parallel()
	const biggest = int64(9_999_999_999)
	orgs := []string{
		"ONG Espoir",
		"Fondation Camerounaise pour l'Éducation des Filles",    // long, GSM
		"Crêpes & Fêtes Société Coopérative Agricole du Moungo", // long, accents GSM lacks
		"Association Œuvre",
	}
	for _, org := range orgs {
		for _, lang := range []string{"fr", "en"} {
			for name, text := range map[string]string{
				"link":     linktext.LinkMessage(lang, org, biggest, "XAF", longURL, expiry),
				"reminder": linktext.ReminderMessage(lang, org, biggest, "XAF", longURL, expiry),
			} {
				n, gsm := linktext.Length(text)
				assert.True(t, gsm, "%s %s %q: %q", lang, name, org, text)
				assert.LessOrEqual(t, n, linktext.MaxGSM, "%s %s %q: %q", lang, name, org, text)
				assert.Contains(t, text, longURL, "the link is never cut")
				assert.Contains(t, text, "9 999 999 999 FCFA", "the amount is never cut")
			}
		}
	}
	// a short name keeps its accents when they are GSM's, and loses the others only to fit
	assert.Contains(t, linktext.LinkMessage("fr", "Éducation Ça", 10, "XAF", "u", expiry), "Éducation Ça vous envoie")
	short := linktext.LinkMessage("fr", "Crêpes", 10, "XAF", "u", expiry)
	assert.Contains(t, short, "Crêpes", "a message that fits as UCS-2 in one SMS keeps the name as written")
	long := linktext.LinkMessage("fr", "Crêpes & Fêtes Société Coopérative Agricole du Moungo", 10, "XAF", longURL, expiry)
	assert.True(t, strings.HasPrefix(long, "Crepes & Fetes"), long)
}

func TestOrganisationTooLongToFitKeepsItsName(t *testing.T) {
	t.Parallel()
	url := "https://pay.example.cm/claim/" + strings.Repeat("x", 110)
	text := linktext.LinkMessage("fr", "Fondation pour le Développement", 10, "XAF", url, expiry)
	assert.Contains(t, text, "Fondation pour le Développement vous envoie", "never shortened below a readable name")
	assert.Equal(t, 2, linktext.Parts(text))
}

func TestLengthAndParts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text  string
		n     int
		gsm   bool
		parts int
	}{
		{"", 0, true, 1},
		{strings.Repeat("a", 160), 160, true, 1},
		{strings.Repeat("a", 161), 161, true, 2},
		{strings.Repeat("a", 306), 306, true, 2},
		{strings.Repeat("a", 307), 307, true, 3},
		{"€[]", 6, true, 1},
		{strings.Repeat("€", 80), 160, true, 1},
		{strings.Repeat("€", 81), 162, true, 2},
		{"é è à ù Ç É", 11, true, 1},
		{"ê", 1, false, 1},
		{strings.Repeat("ê", 70), 70, false, 1},
		{strings.Repeat("ê", 71), 71, false, 2},
		{"😀", 2, false, 1},
	}
	for _, tt := range tests {
		n, gsm := linktext.Length(tt.text)
		assert.Equal(t, tt.n, n, "%q", tt.text)
		assert.Equal(t, tt.gsm, gsm, "%q", tt.text)
		assert.Equal(t, tt.parts, linktext.Parts(tt.text), "%q", tt.text)
	}
}

func TestMoneyAsTheRestOfBulkpay(t *testing.T) {
	t.Parallel()
	for _, n := range []int64{0, 5, 999, 1000, 25000, 1234567, -4500, 9_999_999_999} {
		assert.Equal(t, batch.Money(n)+" FCFA", linktext.Money(n, "XAF"))
	}
	assert.Equal(t, "12 EUR", linktext.Money(12, "EUR"))
	assert.Equal(t, "12", linktext.Money(12, ""))
}

func TestLinkEmail(t *testing.T) {
	t.Parallel()
	subj, text := linktext.LinkEmail("fr", "ONG Espoir", 25000, "XAF", "https://b.cm/c/x1", expiry)
	assert.Equal(t, "ONG Espoir vous envoie 25 000 FCFA", subj)
	assert.Contains(t, text, "https://b.cm/c/x1")
	assert.Contains(t, text, "02/12/2026")
	subj, text = linktext.LinkEmail("en", "ONG Espoir", 25000, "XAF", "https://b.cm/c/x1", expiry)
	assert.Equal(t, "ONG Espoir sends you 25 000 FCFA", subj)
	assert.Contains(t, text, "2 Dec 2026")
}

func TestToGSM(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "Crepes & Fetes - l'oeuvre", linktext.ToGSM("Crêpes & Fêtes – l’œuvre"))
	assert.Equal(t, "Éducation", linktext.ToGSM("Éducation"))
	assert.Equal(t, "Тест", linktext.ToGSM("Тест"), "what has no plain form stays")
}

func FuzzLinkMessage(f *testing.F) {
	for _, org := range []string{"ONG Espoir", "Crêpes & Fêtes Société Coopérative Agricole du Moungo", "Œ", "", "  a  b ", "Тест организация", "€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€"} {
		f.Add(org, int64(25000), "fr")
	}
	f.Fuzz(func(t *testing.T, org string, amount int64, lang string) {
		for _, text := range []string{
			linktext.LinkMessage(lang, org, amount, "XAF", longURL, expiry),
			linktext.ReminderMessage(lang, org, amount, "XAF", longURL, expiry),
		} {
			if !strings.Contains(text, longURL) || !strings.Contains(text, linktext.Money(amount, "XAF")) {
				t.Fatalf("the link or the amount was cut: %q", text)
			}
			full := strings.Join(strings.Fields(org), " ")
			if linktext.Parts(text) > 1 && len([]rune(linktext.ToGSM(full))) > 40 {
				if _, gsm := linktext.Length(linktext.ToGSM(full)); gsm {
					t.Fatalf("a long GSM name was not shortened to one SMS: %q", text)
				}
			}
		}
	})
}
