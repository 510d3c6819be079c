package sheet

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// joinFields decodes only the characters whose first byte may start a space:
// every space beyond ASCII starts with one of those bytes.
func TestEverySpaceBeyondASCIIStartsWithALeadByteJoinFieldsDecodes(t *testing.T) {
	t.Parallel()
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		if !unicode.IsSpace(r) {
			continue
		}
		lead := string(r)[0]
		assert.Contains(t, []byte{0xC2, 0xE1, 0xE2, 0xE3}, lead, "%U", r)
		assert.Equal(t, "a b", joinFields("a"+string(r)+"b"), "%U", r)
	}
}

// plainName says a name needs neither joinFields nor badText only when
// neither would change or refuse it.
func TestPlainNameOnlyWhenNothingToDo(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	alphabet := []string{"a", "Z", " ", "  ", "é", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\u202e", "\ufffd", "\x00", "\x7f",
		"\xc3", "\xa9", "\xe2\x80", "ß", "日", "-", "'", "tot"}
	for range 20_000 {
		var b strings.Builder
		for range r.IntN(8) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		if plainName(s) {
			assert.Equal(t, s, joinFields(s), "%q", s)
			assert.Empty(t, badText("name", s), "%q", s)
		}
	}
	for _, s := range []string{"Jean Dupont", "Bénéficiaire numéro 12", "Ngo'o Mbarga-Ze", "李 伟"} {
		assert.True(t, plainName(s), s)
	}
}
