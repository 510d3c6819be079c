package batch

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
)

// A refSet holds a reference exactly: a UUID in lower case as its bytes, the
// same UUID written otherwise (upper case, without dashes) as another text,
// and any other reference as its text.
func TestRefSetHoldsEachReferenceExactly(t *testing.T) {
	t.Parallel()
	var s refSet
	in := []string{"2ceefe04-1a79-4914-9dd0-c61748c2aecb", "CP-1", "", "2CEEFE04-1A79-4914-9DD0-C61748C2AECB", "2ceefe041a7949149dd0c61748c2aecb"}
	for _, ref := range in {
		s.add(ref)
	}
	for _, ref := range in {
		assert.True(t, s.has(ref), "%q", ref)
	}
	for _, ref := range []string{"2ceefe04-1a79-4914-9dd0-c61748c2aecc", "2Ceefe04-1a79-4914-9dd0-c61748c2aecb", "CP-2", "cp-1",
		"2ceefe04-1a79-4914-9dd0-c61748c2aec", "2ceefe04-1a79-4914-9dd0-c61748c2aecbb", "2ceefe04x1a79-4914-9dd0-c61748c2aecb"} {
		assert.False(t, s.has(ref), "%q", ref)
	}
	assert.Len(t, s.uuids, 1, "the lower-case UUID as its bytes")
	for range 1000 {
		u := uuid.New()
		b, ok := uuidBytes(u.String())
		assert.True(t, ok)
		assert.Equal(t, [16]byte(u), b)
		_, ok = uuidBytes(strings.ToUpper(u.String()))
		assert.False(t, ok, "upper case is another text")
	}
}
