package batch

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// Endpoint kinds: where a batch's payouts are sent.
const (
	EndpointBuiltin = "builtin" // the sandbox started inside bulkpay, its memory beside the ledger
	EndpointSandbox = "sandbox" // a running `bulkpay sandbox` at a URL
	EndpointLive    = "live"    // the real providers at their base URLs
)

// Endpoint is where a batch is paid, recorded with it so that it is resumed
// and reconciled against the same providers. It holds no secret: base URLs are
// kept without user information, query or fragment.
type Endpoint struct {
	Kind      string            `json:"kind"`
	URL       string            `json:"url,omitempty"`       // the sandbox's, for EndpointSandbox
	Providers map[string]string `json:"providers,omitempty"` // provider → base URL, for EndpointLive
	Config    string            `json:"config,omitempty"`    // the config file it was paid with, for hints only
}

// SandboxEndpoint is the sandbox at rawURL.
func SandboxEndpoint(rawURL string) Endpoint {
	return Endpoint{Kind: EndpointSandbox, URL: CleanURL(rawURL)}
}

// LiveEndpoint is the real providers at their base URLs.
func LiveEndpoint(bases map[string]string) Endpoint {
	e := Endpoint{Kind: EndpointLive, Providers: map[string]string{}}
	for name, u := range bases {
		e.Providers[name] = CleanURL(u)
	}
	return e
}

// IsZero reports whether no endpoint was recorded (a batch planned by an older bulkpay).
func (e Endpoint) IsZero() bool { return e.Kind == "" }

// IsSandbox reports whether no real money moves there.
func (e Endpoint) IsSandbox() bool { return e.Kind == EndpointBuiltin || e.Kind == EndpointSandbox }

// String describes the endpoint for people.
func (e Endpoint) String() string {
	switch e.Kind {
	case EndpointBuiltin:
		return "the built-in sandbox (its memory beside the ledger)"
	case EndpointSandbox:
		return "the sandbox at " + e.URL
	case EndpointLive:
		names := slices.Sorted(maps.Keys(e.Providers))
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = n + " at " + e.Providers[n]
		}
		return "the live providers (" + strings.Join(parts, ", ") + ")"
	case "":
		return "an endpoint that was not recorded"
	}
	return e.Kind
}

// Same reports whether o sends payouts where e does: the built-in sandbox (the
// same ledger has the same memory), the same sandbox URL, or live providers at
// the same base URL for every provider both name. The config file is not
// compared: the same accounts may be reached through a moved config.
func (e Endpoint) Same(o Endpoint) bool {
	if e.Kind != o.Kind {
		return false
	}
	switch e.Kind {
	case EndpointSandbox:
		return CleanURL(e.URL) == CleanURL(o.URL)
	case EndpointLive:
		for name, u := range e.Providers {
			if v, ok := o.Providers[name]; ok && CleanURL(u) != CleanURL(v) {
				return false
			}
		}
	}
	return true
}

// Differences lists, for people, what differs between e and o.
func (e Endpoint) Differences(o Endpoint) []string {
	if e.Kind != o.Kind || e.Kind != EndpointLive {
		return []string{fmt.Sprintf("%s, now %s", e, o)}
	}
	var out []string
	names := slices.Sorted(maps.Keys(e.Providers))
	for _, n := range names {
		if v, ok := o.Providers[n]; ok && CleanURL(e.Providers[n]) != CleanURL(v) {
			out = append(out, fmt.Sprintf("%s at %s, now %s", n, e.Providers[n], v))
		}
	}
	return out
}

// CleanURL keeps a URL's scheme, host and path (lower-case scheme and host, no
// trailing slash), dropping user information, query and fragment, where a
// secret could hide.
func CleanURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		s := strings.TrimSpace(raw)
		if i := strings.LastIndexByte(s, '@'); i >= 0 { // never keep what may be credentials
			s = s[i+1:]
		}
		return strings.TrimRight(s, "/")
	}
	c := url.URL{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Host), Path: strings.TrimRight(u.Path, "/")}
	return c.String()
}
