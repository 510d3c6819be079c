package config

import (
	"cmp"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"

	"bulkpay/providers/cinetpay"
	"bulkpay/providers/cinetpay2"
)

// checkAPI refuses an api or accounts setting that does not fit the provider:
// only CinetPay has two APIs, and the 2026 one pays through one account per
// country it knows.
func checkAPI(name string, pc ProviderConfig) error {
	if name != cinetpay.Name {
		if pc.API != "" || len(pc.Accounts) > 0 {
			return fmt.Errorf("api and accounts are CinetPay settings (providers.cinetpay)")
		}
		return nil
	}
	switch pc.API {
	case "", "v1":
		if len(pc.Accounts) > 0 {
			return fmt.Errorf("accounts are for CinetPay's 2026 API: add api: \"2026\", or give the legacy API's apikey_env and password_env instead")
		}
		return nil
	case cinetpay2.API:
	default:
		return fmt.Errorf("api %q: write \"2026\" for CinetPay's newer API, or leave it out for the legacy transfer API", pc.API)
	}
	if len(pc.Accounts) == 0 {
		return fmt.Errorf("api 2026 pays through one account per country: list them under accounts (CI: {api_key_env: ..., api_password_env: ...})")
	}
	for cc := range pc.Accounts {
		if _, ok := cinetpay2.Countries[strings.ToUpper(cc)]; !ok || len(cc) != 2 {
			return fmt.Errorf("accounts: %q is not a country of CinetPay's 2026 API (%s)", cc, countries2026())
		}
	}
	return nil
}

func countries2026() string {
	var cs []string
	for cc := range cinetpay2.Countries {
		cs = append(cs, cc)
	}
	sort.Strings(cs)
	return strings.Join(cs, ", ")
}

// base2026 is where the 2026 client of pc goes, live: the config's base_url,
// else CinetPay's sandbox when every account's key is a test key (sk_test_),
// else its production.
func base2026(pc ProviderConfig) string {
	if pc.BaseURL != "" {
		return pc.BaseURL
	}
	for cc, a := range pc.Accounts {
		if !strings.HasPrefix(os.Getenv(cmp.Or(a.APIKeyEnv, "CINETPAY_"+strings.ToUpper(cc)+"_API_KEY")), "sk_test_") {
			return cinetpay2.LiveURL
		}
	}
	return cinetpay2.SandboxURL
}

// newCinetPay2026 builds the client of CinetPay's 2026 API from pc: base is
// the sandbox's simulator when root is set (placeholder secrets), else the
// config's base_url, else CinetPay's sandbox for sk_test_ keys and its
// production for the others.
func newCinetPay2026(pc ProviderConfig, root, publicURL string, hc *http.Client) (*cinetpay2.Client, error) {
	opts := []cinetpay2.Option{cinetpay2.WithHTTPClient(hc), cinetpay2.WithPublicURL(publicURL), cinetpay2.WithNotifyURL(pc.NotifyURL)}
	var ccs []string
	for cc := range pc.Accounts {
		ccs = append(ccs, strings.ToUpper(cc))
	}
	sort.Strings(ccs)
	for _, cc := range ccs {
		a := pc.Accounts[cc]
		if a == (AccountConfig{}) {
			a = pc.Accounts[strings.ToLower(cc)]
		}
		c, err := creds("cinetpay "+cc+" account", root, [2]string{a.APIKeyEnv, "CINETPAY_" + cc + "_API_KEY"},
			[2]string{a.APIPasswordEnv, "CINETPAY_" + cc + "_API_PASSWORD"})
		if err != nil {
			return nil, err
		}
		opts = append(opts, cinetpay2.WithAccount(cc, c[0], c[1]))
	}
	switch {
	case root != "":
		opts = append(opts, cinetpay2.WithBaseURL(root+"/cinetpay-api"))
		if pc.NotifyURL == "" && publicURL == "" {
			opts = append(opts, cinetpay2.WithNotifyURL(root+"/_sandbox/notify"))
		}
	default:
		opts = append(opts, cinetpay2.WithBaseURL(base2026(pc)))
	}
	if root == "" && pc.NotifyURL == "" && publicURL == "" {
		return nil, fmt.Errorf("cinetpay: set public_url (or notify_url) in the config: CinetPay's 2026 API refuses transfers without a notify_url")
	}
	return cinetpay2.New(opts...), nil
}
