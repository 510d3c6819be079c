package config

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"bulkpay/batch"
	"bulkpay/ledger/location"
	"bulkpay/providers"
	"bulkpay/providers/camoo"
	"bulkpay/providers/campay"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/cinetpay2"
	"bulkpay/providers/momo"
	"bulkpay/providers/mycoolpay"
	"bulkpay/providers/registry"
	"bulkpay/providers/sandbox"
)

// Target says where a command pays: the sandbox at SandboxURL when given, else
// the config's real providers, else (with neither) a sandbox started in the
// process whose memory is kept beside the ledger, so that reruns see what
// earlier runs paid.
type Target struct {
	SandboxURL string // --sandbox
	ConfigPath string // the config file, recorded with the batch for hints
	LedgerPath string // the ledger file (or PostgreSQL DSN): the built-in sandbox keeps its memory beside it
	// WrapHTTP, when set, wraps every provider's HTTP client (the test
	// build's crash points).
	WrapHTTP func(*http.Client) *http.Client
	// CallbackURL is where bulkpay serve receives callbacks when the config
	// gives no public_url: the server's own address. The built-in sandbox
	// then calls back there, and CinetPay and Camoo are given notification
	// URLs below it.
	CallbackURL string
	// Pacer, when set, keeps each provider's rate for several processes
	// together (a ledger several workers share): every request to a provider
	// waits for a turn from it, tokens and lookups as well as payouts.
	Pacer batch.Pacer
	// BuiltinSettle is how long the built-in sandbox takes to settle a
	// payout: one second when zero, as a provider would take a moment.
	BuiltinSettle time.Duration
}

// callbackBase is where providers are told to call back under t: the
// config's public_url, else the server's own address, else nowhere.
func (c Config) callbackBase(t Target) string {
	return strings.TrimRight(cmp.Or(c.PublicURL, t.CallbackURL), "/")
}

// Endpoint says where payouts go for t, as Connect would choose, without
// connecting: the sandbox at the URL, the config's real providers at their
// base URLs, or the built-in sandbox.
func (c Config) Endpoint(t Target) batch.Endpoint {
	var e batch.Endpoint
	switch {
	case t.SandboxURL != "":
		e = batch.SandboxEndpoint(t.SandboxURL)
	case len(c.Providers) > 0:
		bases := map[string]string{}
		for _, name := range c.ProviderNames() {
			p, _ := registry.Lookup(name)
			bases[name] = cmp.Or(c.Providers[name].BaseURL, p.BaseURL)
			if pc := c.Providers[name]; name == cinetpay.Name && pc.API == cinetpay2.API {
				bases[name] = base2026(pc)
			}
		}
		e = batch.LiveEndpoint(bases)
	default:
		e = batch.Endpoint{Kind: batch.EndpointBuiltin}
	}
	if t.ConfigPath != "" {
		e.Config = absPath(t.ConfigPath)
	}
	return e
}

// Configured lists the providers a sheet may be routed to when paying through
// the sandbox at sandboxURL (every provider), or else the config's (every
// provider when it names none: the built-in sandbox).
func (c Config) Configured(sandboxURL string) []string {
	if sandboxURL != "" || len(c.Providers) == 0 {
		return registry.Names()
	}
	return c.ProviderNames()
}

// sandboxJournal is where the built-in sandbox keeps its memory: beside the
// ledger's file, or for a ledger on PostgreSQL in the current folder, named
// after the server, database and schema (never the password).
func sandboxJournal(ledgerPath string) string {
	if !location.IsPostgres(ledgerPath) {
		return ledgerPath + ".sandbox.jsonl"
	}
	sum := sha256.Sum256([]byte(location.Redact(ledgerPath)))
	return fmt.Sprintf("bulkpay-postgres-%x.sandbox.jsonl", sum[:6])
}

// Connect builds the provider lanes for t (see Target); close the connection
// when done.
func (c Config) Connect(ctx context.Context, t Target) (*batch.Connection, error) {
	conn, _, err := c.connect(ctx, t)
	return conn, err
}

// connect is Connect, with the root of the sandbox it pays through ("" for
// the live providers).
func (c Config) connect(ctx context.Context, t Target) (*batch.Connection, string, error) {
	switch {
	case t.SandboxURL != "":
		root := strings.TrimRight(t.SandboxURL, "/")
		conn, err := c.lanes(root, "sandbox at "+t.SandboxURL, c.callbackBase(t), t.WrapHTTP, t.Pacer, func() {})
		return conn, root, err
	case len(c.Providers) > 0:
		conn, err := c.lanes("", "live", c.callbackBase(t), t.WrapHTTP, t.Pacer, func() {})
		return conn, "", err
	}
	opts := sandbox.Options{JournalPath: sandboxJournal(t.LedgerPath), SettleDelay: cmp.Or(t.BuiltinSettle, time.Second)}
	cbBase := c.callbackBase(t)
	if cbBase != "" {
		// the built-in sandbox calls back to bulkpay serve itself, as the
		// providers would once their dashboards name its public URL
		opts.Callbacks = sandbox.CallbackOptions{Enabled: true, URLs: map[string]string{}}
		for _, name := range registry.Names() {
			opts.Callbacks.URLs[name] = cbBase + providers.CallbackPath(name)
		}
	}
	srv, err := sandbox.New(opts)
	if err != nil {
		return nil, "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, "", fmt.Errorf("start built-in sandbox: %w", err)
	}
	pctx, stopPump := context.WithCancel(context.Background())
	if cbBase != "" {
		go srv.Pump(pctx) // payouts settle and call back on time, not only when a request comes
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	root := "http://" + ln.Addr().String()
	conn, err := c.lanes(root, "built-in sandbox on "+ln.Addr().String(), cbBase, t.WrapHTTP, t.Pacer, func() {
		stopPump()
		srv.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	})
	return conn, root, err
}

// lanes builds every provider: against the sandbox at root when root is set
// (all of them, with the config's pace if it gives one, and the fees each
// simulator draws on top), else the config's own.
func (c Config) lanes(root, where, publicURL string, wrap func(*http.Client) *http.Client, pacer batch.Pacer, closeFn func()) (*batch.Connection, error) {
	conn := &batch.Connection{Lanes: map[string]batch.Lane{}, Costs: batch.Costs{}, Sandbox: root != "", Where: where, Close: closeFn}
	names := c.ProviderNames()
	if conn.Sandbox {
		names = registry.Names()
	}
	for _, name := range names {
		pc := c.Providers[name]
		if conn.Sandbox {
			pc.Rate, pc.Concurrency = Rate(cmp.Or(float64(pc.Rate), 50)), cmp.Or(pc.Concurrency, 8)
			pc.FeePercent = cmp.Or(pc.FeePercent, sandbox.FeeOnTop(name))
		}
		pc = DefaultPace(pc)
		if _, home := momo.Markets[c.Region]; name == momo.Name && len(pc.Markets) == 0 && home {
			// a MoMo account pays one market (each has its own base URL and
			// balance): the config's region unless markets says otherwise
			pc.Markets = []string{c.Region}
		}
		// as many idle connections as requests in flight, so a lane does not
		// reopen its connections (the default keeps 2 per host)
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = max(pc.Concurrency, 2)
		hc := &http.Client{Timeout: pc.Timeout, Transport: tr}
		if wrap != nil {
			hc = wrap(hc)
		}
		if rate := pc.Rate.PerSecond(); pacer != nil && rate > 0 {
			key := name
			hc = providers.Gated(hc, func(ctx context.Context) (func(), error) { return pacer.Take(ctx, key, rate, 0) })
		}
		prov, err := NewProvider(name, pc, root, publicURL, hc)
		if err != nil {
			closeFn()
			return nil, err
		}
		reg, _ := registry.Lookup(name)
		conn.Lanes[name] = batch.Lane{Provider: prov, Rate: pc.Rate.PerSecond(), Burst: pc.Burst, Concurrency: pc.Concurrency,
			Status: pc.StatusPace(), Callbacks: reg.CallsBack && publicURL != ""}
		if src, ok := nameSource(name, prov, pc); ok {
			conn.Names = append(conn.Names, src)
		}
		if pc.FeePercent != "" {
			conn.Costs[name] = pc.FeePercent
		}
	}
	if conn.Sandbox { // the sandbox's directory tells the names no provider does
		hc := &http.Client{Timeout: 30 * time.Second}
		if wrap != nil {
			hc = wrap(hc)
		}
		conn.Names = append(conn.Names, batch.NameSource{Provider: providers.SandboxNames,
			Checker: sandbox.NameClient{URL: root, HTTP: hc}, Covers: sandbox.NameClient{}.Covers, Concurrency: 8, Rate: 50})
	}
	return conn, nil
}

// NewProvider builds the client of provider name: against the sandbox at root
// when root is set (its secrets are placeholders the simulators accept), else
// at the config's base_url or the provider's own address, with the secrets
// read from the environment variables the config names. CinetPay, Camoo and
// MoMo are given a notification URL per item below publicURL when it is set.
func NewProvider(name string, pc ProviderConfig, root, publicURL string, hc *http.Client) (batch.Provider, error) {
	reg, ok := registry.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("provider %q is not one bulkpay knows (%v)", name, registry.Names())
	}
	base := reg.BaseURL
	switch {
	case root != "":
		base = root + reg.SandboxPath
	case pc.BaseURL != "":
		base = pc.BaseURL
	}
	switch name {
	case campay.Name:
		opts := []campay.Option{campay.WithHTTPClient(hc), campay.WithBaseURL(base)}
		if tok := os.Getenv(cmp.Or(pc.TokenEnv, "CAMPAY_TOKEN")); tok != "" && root == "" {
			return campay.New(append(opts, campay.WithPermanentToken(tok))...), nil
		}
		c, err := creds(name, root, [2]string{pc.UsernameEnv, "CAMPAY_USERNAME"}, [2]string{pc.PasswordEnv, "CAMPAY_PASSWORD"})
		if err != nil {
			return nil, fmt.Errorf("%w (or CAMPAY_TOKEN for a permanent token)", err)
		}
		return campay.New(append(opts, campay.WithCredentials(c[0], c[1]))...), nil
	case cinetpay.Name:
		if pc.API == cinetpay2.API {
			return newCinetPay2026(pc, root, publicURL, hc)
		}
		c, err := creds(name, root, [2]string{pc.APIKeyEnv, "CINETPAY_APIKEY"}, [2]string{pc.PasswordEnv, "CINETPAY_PASSWORD"})
		if err != nil {
			return nil, err
		}
		notify := pc.NotifyURL
		if notify == "" && publicURL != "" {
			notify = publicURL + providers.CallbackPath(name)
		}
		if notify == "" && root != "" {
			notify = root + "/_sandbox/notify"
		}
		if notify == "" {
			return nil, fmt.Errorf("cinetpay: set notify_url in the config: CinetPay refuses transfers without one")
		}
		opts := []cinetpay.Option{cinetpay.WithHTTPClient(hc), cinetpay.WithBaseURL(base),
			cinetpay.WithCredentials(c[0], c[1]), cinetpay.WithNotifyURL(notify), cinetpay.WithPublicURL(publicURL)}
		if pc.ChunkSize > 0 {
			opts = append(opts, cinetpay.WithChunkSize(pc.ChunkSize))
		}
		return cinetpay.New(opts...), nil
	case mycoolpay.Name:
		c, err := creds(name, root, [2]string{pc.PublicKeyEnv, "MYCOOLPAY_PUBLIC_KEY"}, [2]string{pc.PrivateKeyEnv, "MYCOOLPAY_PRIVATE_KEY"})
		if err != nil {
			return nil, err
		}
		return mycoolpay.New(mycoolpay.WithHTTPClient(hc), mycoolpay.WithBaseURL(base), mycoolpay.WithKeys(c[0], c[1])), nil
	case momo.Name:
		c, err := creds(name, root, [2]string{pc.SubscriptionKeyEnv, "MOMO_SUBSCRIPTION_KEY"}, [2]string{pc.APIUserEnv, "MOMO_API_USER"},
			[2]string{pc.APIKeyEnv, "MOMO_API_KEY"})
		if err != nil {
			return nil, err
		}
		opts := []momo.Option{momo.WithHTTPClient(hc), momo.WithBaseURL(base), momo.WithSubscriptionKey(c[0]),
			momo.WithAPIUser(c[1], c[2]), momo.WithMarkets(pc.Markets...), momo.WithCallbackURL(pc.NotifyURL), momo.WithPublicURL(publicURL)}
		if root == "" {
			opts = append(opts, momo.WithTargetEnvironment(pc.TargetEnvironment))
		}
		return momo.New(opts...), nil
	default: // camoo
		c, err := creds(name, root, [2]string{pc.KeyEnv, "CAMOO_API_KEY"}, [2]string{pc.SecretEnv, "CAMOO_API_SECRET"})
		if err != nil {
			return nil, err
		}
		return camoo.New(camoo.WithHTTPClient(hc), camoo.WithBaseURL(base), camoo.WithKeys(c[0], c[1]), camoo.WithNotifyURL(pc.NotifyURL),
			camoo.WithPublicURL(publicURL)), nil
	}
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
		name := cmp.Or(p[0], p[1])
		if out[i] = os.Getenv(name); out[i] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: no credentials: set %s in the environment (or name other variables in the config)", provider, strings.Join(missing, " and "))
	}
	return out, nil
}

// absPath is path made absolute where it can be.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// RunOptions are how the runner goes about a run under this config: the
// description sent with each payout, how long and how often pending payouts
// are polled (the sandbox, whose payouts settle fast, every 500ms unless the
// config sets its own interval), with log and crash (the test build's crash
// points, nil otherwise).
func (c Config) RunOptions(sandbox bool, log *slog.Logger, crash func(string)) batch.RunOptions {
	o := batch.RunOptions{Description: c.Description, PendingWait: c.PendingWait, PollInterval: c.PollInterval,
		CallbackPollDelay: c.CallbackPollDelay, Log: log, Crash: crash, Lease: c.Lease}
	if sandbox && c.PollInterval == Default().PollInterval {
		o.PollInterval = 500 * time.Millisecond
	}
	return o
}

// SettleOptions are how reconcile settles what is in doubt under this config:
// as a run does (RunOptions), without crash points. Settling sends nothing
// new, but may send again, with the same reference and description, a payout
// the provider never received.
func (c Config) SettleOptions(sandbox bool, log *slog.Logger) batch.RunOptions {
	return c.RunOptions(sandbox, log, nil)
}
