package sheet

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The payees table answers as a map of first rows does, through its growth,
// for key 0 and for keys that share their slot.
func TestPayeesAnswersAsAMap(t *testing.T) {
	t.Parallel()
	for _, hint := range []int{0, 10, 1000} {
		p := newPayees(hint)
		want := map[uint64]int32{}
		r := rand.New(rand.NewPCG(1, uint64(hint)))
		for row := int32(1); row <= 5000; row++ {
			key := r.Uint64N(3000) * (1 << 40) // many repeats, every low bit the same
			if row%97 == 0 {
				key = 0
			}
			first, ok := want[key]
			if !ok {
				want[key], first = row, row
			}
			assert.Equal(t, first, p.firstOr(key, row), "hint %d, row %d, key %d", hint, row, key)
		}
	}
}
