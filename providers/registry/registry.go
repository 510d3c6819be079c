package registry

import (
	"net/http"
	"strings"

	"bulkpay/providers"
	"bulkpay/providers/camoo"
	"bulkpay/providers/campay"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/mycoolpay"
)

// Provider is what one provider declares.
type Provider struct {
	Name        string // its key in the config and the ledger: campay, cinetpay, ...
	Title       string // as the provider writes its name: CamPay, My-CoolPay, ...
	BaseURL     string // its live address, unless the config gives a base_url
	SandboxPath string // where a bulkpay sandbox serves its simulator, below the sandbox's root
	// SendPath is the path of the request that moves money (POST), below the base URL.
	SendPath string
	// Explain says one of its answers (an item's message) in plain words.
	Explain func(message string) providers.Reason
}

// all are the providers, in order of name.
var all = []Provider{
	{Name: camoo.Name, Title: "Camoo", BaseURL: camoo.DefaultBaseURL, SandboxPath: "/camoo/v1/payment", SendPath: "/cashout", Explain: camoo.Explain},
	{Name: campay.Name, Title: "CamPay", BaseURL: campay.DefaultBaseURL, SandboxPath: "/campay/api", SendPath: "/withdraw", Explain: campay.Explain},
	{Name: cinetpay.Name, Title: "CinetPay", BaseURL: cinetpay.DefaultBaseURL, SandboxPath: "/cinetpay/v1", SendPath: "/transfer/money/send/contact", Explain: cinetpay.Explain},
	{Name: mycoolpay.Name, Title: "My-CoolPay", BaseURL: mycoolpay.DefaultBaseURL, SandboxPath: "/mycoolpay/api", SendPath: "/payout", Explain: mycoolpay.Explain},
}

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
	return false
}
