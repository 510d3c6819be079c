package providers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/providers"
)

type entry struct {
	Ref string `json:"ref"`
}

// EachJSON reads an array of any length one element at a time: the limit is
// each element's, and the decoder never holds much more than one element.
func TestEachJSONReadsALongArrayWithinTheLimitOfEachElement(t *testing.T) {
	t.Parallel()
	const n = 20_000
	pr, pw := io.Pipe()
	go func() {
		fmt.Fprint(pw, `{"data":[`)
		for i := range n {
			if i > 0 {
				fmt.Fprint(pw, ",")
			}
			fmt.Fprintf(pw, `{"ref":"r%d"}`, i)
		}
		fmt.Fprint(pw, `]}`)
		pw.Close()
	}()
	counted := &countingReader{r: pr}
	got := 0
	err := providers.EachJSON(counted, "data", 64, func(e entry) error {
		require.Equal(t, fmt.Sprintf("r%d", got), e.Ref)
		got++
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, n, got)
	assert.Greater(t, counted.n, int64(n*10), "an answer far longer than the limit of 64 bytes")
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// A body whose reading fails part way is an answer cut off, whatever the
// decoder makes of it; an answer of another status is read whole as Exchange
// reads it, and read is never called.
func TestStreamClassesItsAnswers(t *testing.T) {
	t.Parallel()
	broken := errors.New("connection reset by peer")
	t.Run("cut off", func(t *testing.T) {
		t.Parallel()
		url := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"data":[{"ref":"a"}]}`) })
		r := request(url, true)
		_, err := providers.Stream(context.Background(), http.DefaultClient, r, func(body io.Reader) error {
			return providers.EachJSON(io.MultiReader(strings.NewReader(`{"data":[{"ref":"a"},{"re`), brokenBody{broken}), "data", 0,
				func(entry) error { return nil })
		})
		require.ErrorIs(t, err, providers.ErrTransient, "a safe request: it may be asked again")
		require.ErrorIs(t, err, broken)
		assert.Contains(t, err.Error(), "answer cut off")

		_, err = providers.Stream(context.Background(), http.DefaultClient, request(url, false), func(body io.Reader) error {
			return providers.EachJSON(io.MultiReader(strings.NewReader(`{"data":[`), brokenBody{broken}), "data", 0,
				func(entry) error { return nil })
		})
		require.ErrorIs(t, err, providers.ErrUnknownOutcome, "a payout's answer cut off leaves it in doubt")
	})
	t.Run("not 200", func(t *testing.T) {
		t.Parallel()
		url := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"message":"start_date is required"}`)
		})
		resp, err := providers.Stream(context.Background(), http.DefaultClient, request(url, true), func(io.Reader) error {
			t.Error("read called for a 400")
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadRequest, resp.Status)
		assert.Contains(t, string(resp.Body), "start_date")
	})
	t.Run("the caller's error", func(t *testing.T) {
		t.Parallel()
		url := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"data":[{"ref":"a"}]}`) })
		mine := errors.New("the store is gone")
		_, err := providers.Stream(context.Background(), http.DefaultClient, request(url, true), func(body io.Reader) error {
			return providers.EachJSON(body, "data", 0, func(entry) error { return mine })
		})
		assert.Equal(t, mine, err, "returned as it is")
	})
}

type brokenBody struct{ err error }

func (b brokenBody) Read([]byte) (int, error) { return 0, b.err }

// An element of exactly the limit, with the comma before it, is read,
// whatever comes after it, and one byte more is refused.
func TestEachJSONElementOfExactlyTheLimit(t *testing.T) {
	t.Parallel()
	elem := func(n int) string { // {"ref":"xx…"} of n bytes
		return `{"ref":"` + strings.Repeat("x", n-10) + `"}`
	}
	for _, tail := range []string{"]}", "," + elem(63) + "]}", `],"more":` + elem(63) + "}"} {
		body := `{"data":[` + elem(64) + tail
		n := 0
		err := providers.EachJSON(iotest.OneByteReader(strings.NewReader(body)), "data", 64, func(entry) error { n++; return nil })
		require.NoError(t, err, body)
		assert.Equal(t, strings.Count(body, `"ref"`)-strings.Count(tail, `"more"`), n, body)
	}
	for _, body := range []string{`{"data":[` + elem(65) + `]}`, `{"data":[` + elem(64) + `, ` + elem(63) + `]}`} {
		err := providers.EachJSON(iotest.OneByteReader(strings.NewReader(body)), "data", 64, func(entry) error { return nil })
		var large *providers.EntryTooLarge
		require.ErrorAs(t, err, &large, body)
	}
}
