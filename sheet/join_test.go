package sheet

import (
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
