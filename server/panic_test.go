package server

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bulkpay/identity"
	"bulkpay/internal/testsupport"
)

// panickyAdmin is a user store whose list of users panics.
type panickyAdmin struct{ UserAdmin }

func (panickyAdmin) Users(context.Context) ([]identity.User, error) {
	panic("users: index out of range [secret-detail]")
}

// TestAPagePanicIsA500PageWithoutItsText: a page whose handler panics
// answers the 500 page, in the reader's language, with no panic text nor
// stack; the log has the text; the server goes on serving.
func TestAPagePanicIsA500PageWithoutItsText(t *testing.T) {
	t.Parallel()
	logs := &testsupport.Buffer{}
	h := newHarness(t, func(o *Options) {
		o.Admin = panickyAdmin{o.Users.(UserAdmin)}
		o.Log = slog.New(slog.NewTextHandler(logs, nil))
	})
	dana := h.signIn("dana")
	got := dana.get("/settings/users")
	assert.Equal(t, http.StatusInternalServerError, got.code)
	assert.Equal(t, "text/html; charset=utf-8", got.header.Get("Content-Type"))
	assert.Contains(t, got.body, html.EscapeString(catalog["en"]["internal"]))
	for _, leak := range []string{"secret-detail", "panic", "goroutine", ".go:"} {
		assert.NotContains(t, got.body, leak)
	}
	assert.NotEmpty(t, got.header.Get("Content-Security-Policy"), "the security headers are there")
	assert.Contains(t, logs.String(), `msg="page handler panicked" route="GET /settings/users" user=dana`)
	assert.Contains(t, logs.String(), "secret-detail", "the log has what went wrong")

	req, err := http.NewRequest(http.MethodGet, h.ts.URL+"/settings/users", nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Language", "fr")
	got = dana.do(req)
	assert.Equal(t, http.StatusInternalServerError, got.code)
	assert.Contains(t, got.body, html.EscapeString(catalog["fr"]["internal"]), "in the reader's language")

	assert.Equal(t, http.StatusOK, dana.get("/").code, "still serving")
}
