package sandbox

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The request log keeps the latest requests, oldest first, once it has
// wrapped around as before.
func TestRequestLogKeepsTheLatestInOrder(t *testing.T) {
	t.Parallel()
	at := func(i int) Request { return Request{Path: "/", At: time.Unix(int64(i), 0)} }
	var l requestLog
	for i := range 3 {
		l.add(at(i), 4)
	}
	assert.Equal(t, []Request{at(0), at(1), at(2)}, l.list())
	for i := 3; i < 10; i++ {
		l.add(at(i), 4)
	}
	assert.Equal(t, []Request{at(6), at(7), at(8), at(9)}, l.list())
	l.add(at(10), 4)
	assert.Equal(t, []Request{at(7), at(8), at(9), at(10)}, l.list())
}
