package providers

import (
	"net/http"
	"strings"
	"time"
)

// DefaultTimeout bounds each call of a client whose http.Client was not given.
const DefaultTimeout = 30 * time.Second

// Base is what every provider client holds: the root of the provider's API
// and the http.Client its requests go through.
type Base struct {
	URL  string       // without a trailing slash
	HTTP *http.Client // its Timeout bounds every call
}

// NewBase is a Base at url whose http.Client gives up after DefaultTimeout.
func NewBase(url string) Base {
	return Base{URL: url, HTTP: &http.Client{Timeout: DefaultTimeout}}
}

// SetURL points the client at another root: the live API, or a simulator.
func (b *Base) SetURL(u string) { b.URL = strings.TrimRight(u, "/") }

// Apply gives c each of opts in turn and returns it: how every client's New
// ends.
func Apply[C any, O ~func(*C)](c *C, opts []O) *C {
	for _, o := range opts {
		o(c)
	}
	return c
}
