//go:build !unix

package contract

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// RefusedURL returns the URL of a server already closed, where connections
// are refused (unless a server started meanwhile took its port).
func RefusedURL(t testing.TB) string {
	hs := httptest.NewServer(http.NotFoundHandler())
	hs.Close()
	return hs.URL
}
