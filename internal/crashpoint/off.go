//go:build !crashpoints

package crashpoint

import "net/http"

// At is nil: the production binary has no crash points, so no environment
// variable can make it kill itself.
func At() func(string) { return nil }

// Wrap is nil: see At.
func Wrap() func(*http.Client) *http.Client { return nil }
