package registry

import (
	"net/http"
	"strings"

	"bulkpay/providers"
	"bulkpay/providers/camoo"
	"bulkpay/providers/campay"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/cinetpay2"
	"bulkpay/providers/momo"
	"bulkpay/providers/mycoolpay"
)

// Provider is what one provider declares (providers.Declaration: its name,
// title, paths, what it pays and its wallets) with what its client package
// adds: its live address and how to read its answers.
type Provider struct {
	providers.Declaration
	BaseURL string // its live address, unless the config gives a base_url
	// Explain says one of its answers (an item's message) in plain words.
	Explain func(message string) providers.Reason
}

// clients are what each provider's client package adds to its declaration.
var clients = map[string]Provider{
	camoo.Name:     {BaseURL: camoo.DefaultBaseURL, Explain: camoo.Explain},
	campay.Name:    {BaseURL: campay.DefaultBaseURL, Explain: campay.Explain},
	cinetpay.Name:  {BaseURL: cinetpay.DefaultBaseURL, Explain: explainCinetPay},
	momo.Name:      {BaseURL: momo.DefaultBaseURL, Explain: momo.Explain},
	mycoolpay.Name: {BaseURL: mycoolpay.DefaultBaseURL, Explain: mycoolpay.Explain},
}

// explainCinetPay reads the answers of either of CinetPay's APIs: the 2026
// one's first, whose codes the legacy one does not use.
func explainCinetPay(message string) providers.Reason {
	if r := cinetpay2.Explain(message); r.Plain != "" {
		return r
	}
	return cinetpay.Explain(message)
}

// all are the providers, in order of name: those declared that have a client.
var all = func() []Provider {
	var out []Provider
	for _, d := range providers.Declarations() {
		if p, ok := clients[d.Name]; ok {
			p.Declaration = d
			out = append(out, p)
		}
	}
	return out
}()

// All returns every provider, in order of name.
func All() []Provider { return append([]Provider(nil), all...) }

// Names returns every provider's name, in order.
func Names() []string {
	out := make([]string, len(all))
	for i, p := range all {
		out[i] = p.Name
	}
	return out
}

// Lookup finds a provider by name.
func Lookup(name string) (Provider, bool) {
	for _, p := range all {
		if p.Name == name {
			return p, true
		}
	}
	return Provider{}, false
}

// Title is a provider's name as it writes it, or name itself for one bulkpay
// does not know.
func Title(name string) string {
	if p, ok := Lookup(name); ok {
		return p.Title
	}
	return name
}

// MovesMoney reports whether a request is one that moves money at one of the
// providers (or its simulator): a POST to its send path.
func MovesMoney(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	for _, p := range all {
		if strings.Contains(r.URL.Path, p.SendPath) {
			return true
		}
	}
	// CinetPay's 2026 API, chosen in the config, speaks for cinetpay
	return strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), cinetpay2.SendPath)
}
