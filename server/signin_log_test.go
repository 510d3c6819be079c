package server

import (
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/internal/testsupport"
)

// A password or an API key typed where the name goes never reaches the log,
// from the sign-in form or from the API.
func TestASecretTypedAsTheNameIsNotLogged(t *testing.T) {
	t.Parallel()
	logs := &testsupport.Buffer{}
	h := newHarness(t, func(o *Options) { o.Log = slog.New(slog.NewTextHandler(logs, nil)) })
	for _, secret := range []string{"Correct Horse 9!", "bpk_0123456789abcdef"} {
		assert.Equal(t, http.StatusUnauthorized, h.browser().login(secret, "password-awa").code)
		assert.Equal(t, http.StatusUnauthorized, h.api(secret, "password-awa").call(http.MethodGet, "/payments/currency/", nil).code)
	}
	assert.Equal(t, http.StatusUnauthorized, h.browser().login("zoe", "x").code)
	out := logs.String()
	assert.NotContains(t, out, "Correct Horse")
	assert.NotContains(t, out, "correct horse")
	assert.NotContains(t, out, "bpk_0123456789abcdef")
	assert.Contains(t, out, "user=zoe", "a name a user could have is logged")
}
