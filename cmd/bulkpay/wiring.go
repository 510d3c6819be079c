package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"bulkpay/batch"
	"bulkpay/providers/camoo"
	"bulkpay/providers/campay"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/mycoolpay"
	"bulkpay/providers/sandbox"
)

// payees is the set of providers a command pays through, and how they were made.
type payees struct {
	lanes   map[string]batch.Lane
	sandbox bool   // no real money moves
	where   string // for people: which sandbox, or "live"
	close   func()
}

// connect builds the provider lanes: the sandbox at sandboxURL, the config's
// real providers, or (with neither) a sandbox started in this process whose
// memory is kept beside the ledger so reruns see what earlier runs paid.
func (a *app) connect(ctx context.Context, sandboxURL string) (*payees, error) {
	switch {
	case sandboxURL != "":
		return a.lanes(strings.TrimRight(sandboxURL, "/"), "sandbox at "+sandboxURL, func() {})
	case len(a.cfg.Providers) > 0:
		return a.lanes("", "live", func() {})
	default:
		srv, err := sandbox.New(sandbox.Options{JournalPath: a.dbPath() + ".sandbox.jsonl", SettleDelay: time.Second})
		if err != nil {
			return nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			srv.Close()
			return nil, fmt.Errorf("start built-in sandbox: %w", err)
		}
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(ln)
		return a.lanes("http://"+ln.Addr().String(), "built-in sandbox on "+ln.Addr().String(), func() {
			srv.Close()
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			hs.Shutdown(sctx)
		})
	}
}

// lanes builds every provider: against the sandbox at root when root is set
// (all four, with the config's pace if it gives one), else the config's own.
func (a *app) lanes(root, where string, closeFn func()) (*payees, error) {
	p := &payees{lanes: map[string]batch.Lane{}, sandbox: root != "", where: where, close: closeFn}
	names := a.cfg.providerNames()
	if p.sandbox {
		names = knownProviders
	}
	for _, name := range names {
		pc := a.cfg.Providers[name]
		if p.sandbox {
			pc.Rate, pc.Concurrency = orF(pc.Rate, 50), orI(pc.Concurrency, 8)
		}
		pc = defaultPace(pc)
		prov, err := newProvider(name, pc, root, a.crash.wrap(&http.Client{Timeout: pc.Timeout}))
		if err != nil {
			closeFn()
			return nil, err
		}
		p.lanes[name] = batch.Lane{Provider: prov, Rate: pc.Rate, Burst: pc.Burst, Concurrency: pc.Concurrency}
	}
	return p, nil
}

func orF(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

func orI(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

// creds reads secrets from the environment: pairs of (configured name, default
// name). Missing ones are listed in the error. In the sandbox (root set) every
// secret is a placeholder the simulators accept.
func creds(provider, root string, pairs ...[2]string) ([]string, error) {
	out := make([]string, len(pairs))
	var missing []string
	for i, p := range pairs {
		if root != "" {
			out[i] = "sandbox"
			continue
		}
		name := p[0]
		if name == "" {
			name = p[1]
		}
		if out[i] = os.Getenv(name); out[i] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: no credentials: set %s in the environment (or name other variables in the config)", provider, strings.Join(missing, " and "))
	}
	return out, nil
}

func newProvider(name string, pc ProviderConfig, root string, hc *http.Client) (batch.Provider, error) {
	base := func(prefix, live string) string {
		switch {
		case root != "":
			return root + prefix
		case pc.BaseURL != "":
			return pc.BaseURL
		}
		return live
	}
	switch name {
	case campay.Name:
		opts := []campay.Option{campay.WithHTTPClient(hc), campay.WithBaseURL(base("/campay/api", campay.DefaultBaseURL))}
		if tok := os.Getenv(orS(pc.TokenEnv, "CAMPAY_TOKEN")); tok != "" && root == "" {
			return campay.New(append(opts, campay.WithPermanentToken(tok))...), nil
		}
		c, err := creds(name, root, [2]string{pc.UsernameEnv, "CAMPAY_USERNAME"}, [2]string{pc.PasswordEnv, "CAMPAY_PASSWORD"})
		if err != nil {
			return nil, fmt.Errorf("%w (or CAMPAY_TOKEN for a permanent token)", err)
		}
		return campay.New(append(opts, campay.WithCredentials(c[0], c[1]))...), nil
	case cinetpay.Name:
		c, err := creds(name, root, [2]string{pc.APIKeyEnv, "CINETPAY_APIKEY"}, [2]string{pc.PasswordEnv, "CINETPAY_PASSWORD"})
		if err != nil {
			return nil, err
		}
		notify := pc.NotifyURL
		if notify == "" && root != "" {
			notify = root + "/_sandbox/notify"
		}
		if notify == "" {
			return nil, fmt.Errorf("cinetpay: set notify_url in the config: CinetPay refuses transfers without one")
		}
		opts := []cinetpay.Option{cinetpay.WithHTTPClient(hc), cinetpay.WithBaseURL(base("/cinetpay/v1", cinetpay.DefaultBaseURL)),
			cinetpay.WithCredentials(c[0], c[1]), cinetpay.WithNotifyURL(notify)}
		if pc.ChunkSize > 0 {
			opts = append(opts, cinetpay.WithChunkSize(pc.ChunkSize))
		}
		return cinetpay.New(opts...), nil
	case mycoolpay.Name:
		c, err := creds(name, root, [2]string{pc.PublicKeyEnv, "MYCOOLPAY_PUBLIC_KEY"}, [2]string{pc.PrivateKeyEnv, "MYCOOLPAY_PRIVATE_KEY"})
		if err != nil {
			return nil, err
		}
		return mycoolpay.New(mycoolpay.WithHTTPClient(hc), mycoolpay.WithBaseURL(base("/mycoolpay/api", mycoolpay.DefaultBaseURL)),
			mycoolpay.WithKeys(c[0], c[1])), nil
	case camoo.Name:
		c, err := creds(name, root, [2]string{pc.KeyEnv, "CAMOO_API_KEY"}, [2]string{pc.SecretEnv, "CAMOO_API_SECRET"})
		if err != nil {
			return nil, err
		}
		return camoo.New(camoo.WithHTTPClient(hc), camoo.WithBaseURL(base("/camoo/v1/payment", camoo.DefaultBaseURL)),
			camoo.WithKeys(c[0], c[1]), camoo.WithNotifyURL(pc.NotifyURL)), nil
	}
	return nil, fmt.Errorf("provider %q is not one bulkpay knows (%v)", name, knownProviders)
}

func orS(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// defaultBaseURLs are the providers' own addresses, used unless the config gives a base_url.
var defaultBaseURLs = map[string]string{
	campay.Name:    campay.DefaultBaseURL,
	cinetpay.Name:  cinetpay.DefaultBaseURL,
	mycoolpay.Name: mycoolpay.DefaultBaseURL,
	camoo.Name:     camoo.DefaultBaseURL,
}

// endpoint says where payouts go with these flags and this config, as connect
// would choose, without connecting: the sandbox at sandboxURL, the config's
// real providers at their base URLs, or the built-in sandbox.
func (a *app) endpoint(sandboxURL string) batch.Endpoint {
	var e batch.Endpoint
	switch {
	case sandboxURL != "":
		e = batch.SandboxEndpoint(sandboxURL)
	case len(a.cfg.Providers) > 0:
		bases := map[string]string{}
		for _, name := range a.cfg.providerNames() {
			bases[name] = orS(a.cfg.Providers[name].BaseURL, defaultBaseURLs[name])
		}
		e = batch.LiveEndpoint(bases)
	default:
		e = batch.Endpoint{Kind: batch.EndpointBuiltin}
	}
	if a.configPath != "" {
		e.Config = absPath(a.configPath)
	}
	return e
}

// configuredProviders lists the providers a sheet may be routed to in this mode,
// without connecting to anything.
func (a *app) configuredProviders(sandboxURL string) []string {
	if sandboxURL != "" || len(a.cfg.Providers) == 0 {
		return knownProviders
	}
	return a.cfg.providerNames()
}
