package providers_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"bulkpay/providers"
)

func TestBase(t *testing.T) {
	t.Parallel()
	b := providers.NewBase("https://api.example/v1")
	assert.Equal(t, "https://api.example/v1", b.URL)
	assert.Equal(t, providers.DefaultTimeout, b.HTTP.Timeout, "no call without a bound")
	for given, want := range map[string]string{
		"http://127.0.0.1:8089/campay/api/": "http://127.0.0.1:8089/campay/api",
		"http://127.0.0.1:8089/campay/api":  "http://127.0.0.1:8089/campay/api",
		"http://sim//":                      "http://sim",
	} {
		b.SetURL(given)
		assert.Equal(t, want, b.URL, given)
	}
}

func TestApplyGivesEachOptionInTurn(t *testing.T) {
	t.Parallel()
	type client struct {
		providers.Base
		seen []string
	}
	type option func(*client)
	with := func(s string) option { return func(c *client) { c.seen = append(c.seen, s) } }
	h := &http.Client{}
	c := providers.Apply(&client{Base: providers.NewBase("u")}, []option{with("a"), func(c *client) { c.HTTP = h }, with("b")})
	assert.Equal(t, []string{"a", "b"}, c.seen)
	assert.Same(t, h, c.HTTP)
}
