package sheet

import (
	"context"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// refGuard is recordGuard's rule applied byte by byte, as it was first
// written: the state after every byte, and a stop as soon as the count passes max.
type refGuard struct {
	comma                    byte
	max, state, bytes, field int
	row                      int
}

func (g *refGuard) feed(data []byte) (stopped bool) {
	for _, b := range data {
		g.bytes++
		switch g.state {
		case gFieldStart, gUnquoted, gQuoteSeen:
			switch {
			case b == '\n':
				g.state, g.bytes, g.field = gFieldStart, 0, 0
				g.row++
			case b == g.comma:
				g.state = gFieldStart
				g.field++
			case b == '"' && g.state == gFieldStart, b == '"' && g.state == gQuoteSeen, g.state == gQuoteSeen:
				g.state = gQuoted
			case g.state == gFieldStart:
				g.state = gUnquoted
			}
		case gQuoted:
			if b == '"' {
				g.state = gQuoteSeen
			}
		}
		if g.bytes+16*g.field > g.max {
			return true
		}
	}
	return false
}

// TestRecordGuardSkipsLikeByteByByte: counting runs of plain bytes at once,
// and text without quotes a line at a time, stops at the same row, in the
// same read, as the byte-by-byte rule.
func TestRecordGuardSkipsLikeByteByByte(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 6000; i++ {
		alphabet := []byte("ab,;\"\n  xy")
		if i%2 == 1 { // no quote: whole reads take the line-at-a-time path
			alphabet = []byte("ab,;\n\n  xy")
		}
		data := make([]byte, rng.IntN(400))
		for j := range data {
			data[j] = alphabet[rng.IntN(len(alphabet))]
		}
		comma := ",;"[rng.IntN(2)]
		max := 16 + rng.IntN(120)
		g := &recordGuard{ctx: context.Background(), path: "x.csv", comma: comma, max: max, row: 1}
		ref := &refGuard{comma: comma, max: max, row: 1}
		chunk := 1 + rng.IntN(64)
		g.r = &chunkReader{data: data, n: chunk}
		buf := make([]byte, chunk)
		for {
			n, err := g.Read(buf)
			refStop := ref.feed(data[:min(chunk, len(data))])
			data = data[min(chunk, len(data)):]
			if refStop {
				var ie *InputError
				require.ErrorAs(t, err, &ie)
				require.Zero(t, n)
				require.Equal(t, ref.row, ie.Row)
				break
			}
			require.Nil(t, g.err, "no stop when the rule does not stop")
			require.Equal(t, ref.state, int(g.state))
			require.Equal(t, ref.bytes, g.bytes)
			require.Equal(t, ref.field, g.fields)
			require.Equal(t, ref.row, g.row)
			if err == io.EOF {
				break
			}
		}
	}
}

type chunkReader struct {
	data []byte
	n    int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.n)], r.data)
	r.data = r.data[n:]
	return n, nil
}
