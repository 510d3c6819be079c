package momo

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTheEnvironmentsRememberedAreBounded(t *testing.T) {
	t.Parallel()
	var h envHints
	for i := range 3 * maxHints {
		h.put(fmt.Sprintf("ref-%d", i), "mtncameroon")
		h.put(fmt.Sprintf("ref-%d", i), "mtncameroon") // sent again: remembered once
	}
	assert.Equal(t, maxHints, h.len(), "the oldest are forgotten")
	assert.LessOrEqual(t, len(h.order), maxHints, "and so is their order")
	_, ok := h.get("ref-0")
	assert.False(t, ok, "the oldest first")
	env, ok := h.get(fmt.Sprintf("ref-%d", 3*maxHints-1))
	assert.True(t, ok, "the latest kept")
	assert.Equal(t, "mtncameroon", env)
}
