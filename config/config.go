package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"bulkpay/batch"
	"bulkpay/providers/momo"
	"bulkpay/providers/registry"
)

// Config is bulkpay.yaml. Every section is optional; what is left out keeps its
// default. Secrets are never written here: a provider names the environment
// variables that hold them.
type Config struct {
	Ledger       string        `yaml:"ledger"`
	ReportsDir   string        `yaml:"reports_dir"`
	Region       string        `yaml:"region"`
	Currency     string        `yaml:"currency"`
	Description  string        `yaml:"description"`
	PendingWait  time.Duration `yaml:"pending_wait"`
	PollInterval time.Duration `yaml:"poll_interval"`
	// CallbackPollDelay is poll_interval for the payouts of providers that
	// call back once public_url is set: polling is then the fallback, at a
	// slower pace (30s by default).
	CallbackPollDelay time.Duration `yaml:"callback_poll_delay"`
	// Lease is how long a worker's claim on an item holds without being
	// renewed, on a ledger several workers share (PostgreSQL); a worker that
	// dies leaves its items to the others once it has passed. 30s when 0.
	Lease     time.Duration             `yaml:"lease"`
	Providers map[string]ProviderConfig `yaml:"providers"`
	Routes    []batch.Rule              `yaml:"routes"`
	// PublicURL is where providers reach bulkpay serve's callbacks
	// (/callbacks/{provider}): CinetPay and Camoo are given a notification
	// URL below it per item. --public-url overrides it.
	PublicURL string `yaml:"public_url"`

	// Money: fees as the platform's profit configurations, who bears them,
	// fat-finger limits, and approval before a run.
	ProfitConfigurations []batch.ProfitConfig `yaml:"profit_configurations"`
	FeeBearer            string               `yaml:"fee_bearer"`
	Limits               batch.Limits         `yaml:"limits"`
	RequireApproval      bool                 `yaml:"require_approval"`
	FourEyes             bool                 `yaml:"four_eyes"`
	// NameCheck is what planning does with the names registered behind the
	// numbers: off, warn, review or block (names.go); left out, warn when a
	// provider that can tell names is configured, else off.
	NameCheck string `yaml:"name_check"`

	// Webhooks are the customer's endpoints for signed events (webhooks.go).
	Webhooks []Webhook `yaml:"webhooks"`

	// SMS and Email are the channels to beneficiaries (notify.go).
	SMS   *SMSConfig   `yaml:"sms"`
	Email *EmailConfig `yaml:"email"`

	// Pay by link (links.go): how long a link is valid, the reminders
	// before its expiry, whether the beneficiary may give another number,
	// and what the messages say.
	LinkExpiry      Span   `yaml:"link_expiry"`
	LinkReminders   []Span `yaml:"link_reminders"`
	LinkOtherNumber bool   `yaml:"link_other_number"`
	Organisation    string `yaml:"organisation"`
	Language        string `yaml:"language"`
}

// ProviderConfig is one provider account and its pace. Each *_env field names
// the environment variable holding a secret; unset, the provider's default
// name is used (CAMPAY_USERNAME, CINETPAY_APIKEY, MYCOOLPAY_PRIVATE_KEY, ...).
type ProviderConfig struct {
	BaseURL       string `yaml:"base_url"`
	UsernameEnv   string `yaml:"username_env"`    // campay
	PasswordEnv   string `yaml:"password_env"`    // campay, cinetpay
	TokenEnv      string `yaml:"token_env"`       // campay (a permanent token)
	APIKeyEnv     string `yaml:"apikey_env"`      // cinetpay, momo (the API key)
	PublicKeyEnv  string `yaml:"public_key_env"`  // mycoolpay
	PrivateKeyEnv string `yaml:"private_key_env"` // mycoolpay
	KeyEnv        string `yaml:"key_env"`         // camoo
	SecretEnv     string `yaml:"secret_env"`      // camoo
	// momo: the Disbursement product's subscription key, the API user and
	// its key (apikey_env) name environment variables like the others;
	// target_environment sends every market to one environment (sandbox for
	// MTN's developer sandbox, which pays EUR), else each market goes to its
	// own (mtncameroon, ...); markets limits the countries it pays.
	SubscriptionKeyEnv string   `yaml:"subscription_key_env"` // momo
	APIUserEnv         string   `yaml:"api_user_env"`         // momo
	TargetEnvironment  string   `yaml:"target_environment"`   // momo
	Markets            []string `yaml:"markets"`              // momo
	NotifyURL          string   `yaml:"notify_url"`           // cinetpay (required by it), camoo
	WebhookKeyEnv      string   `yaml:"webhook_key_env"`      // campay: the app's webhook key its callbacks are signed with
	// CallbackSources are the addresses (IPs or CIDR blocks) My-CoolPay's
	// callbacks may come from; left out, the one My-CoolPay documents. The
	// sandbox's are accepted from anywhere.
	CallbackSources []string `yaml:"callback_sources"`
	ChunkSize       int      `yaml:"chunk_size"`  // cinetpay: transfers per call
	FeePercent      string   `yaml:"fee_percent"` // what the provider takes from the balance on top of each payout, for the balance check
	Rate            Rate     `yaml:"rate"`
	Burst           int      `yaml:"burst"`
	Concurrency     int      `yaml:"concurrency"`
	// StatusRate and StatusConcurrency give status checks a budget of their
	// own, for a provider that limits its status endpoint apart from its
	// payouts; left out, checks share rate and concurrency with the payouts.
	StatusRate        Rate          `yaml:"status_rate"`
	StatusConcurrency int           `yaml:"status_concurrency"`
	Timeout           time.Duration `yaml:"timeout"`

	// API chooses CinetPay's API: "2026" for the newer one (api.cinetpay.net
	// and .co, one account per country in Accounts); left out (or "v1"),
	// the legacy transfer API (client.cinetpay.com/v1).
	API string `yaml:"api"` // cinetpay
	// Accounts are CinetPay 2026's country accounts, by ISO code (CI, SN, ...).
	Accounts map[string]AccountConfig `yaml:"accounts"` // cinetpay, api 2026
}

// AccountConfig is one country account of CinetPay's 2026 API: the
// environment variables holding its API key and API password (unset:
// CINETPAY_{CC}_API_KEY and CINETPAY_{CC}_API_PASSWORD).
type AccountConfig struct {
	APIKeyEnv      string `yaml:"api_key_env"`
	APIPasswordEnv string `yaml:"api_password_env"`
}

// Rate is a provider's pace in the config: requests per second, or
// `unlimited`. Left out, it is DefaultPace's.
type Rate float64

// Unlimited is `rate: unlimited`: bulkpay sets no pace of its own (the
// concurrency bound still holds, and a provider's 429s still slow the lane).
const Unlimited Rate = -1

// UnmarshalYAML reads a number of requests per second above 0, or unlimited.
func (r *Rate) UnmarshalYAML(n *yaml.Node) error {
	if n.Value == "unlimited" {
		*r = Unlimited
		return nil
	}
	var f float64
	if err := n.Decode(&f); err != nil || f <= 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Errorf("line %d: rate %q: write the requests per second the provider allows (a number above 0, such as 5 or 0.5), or unlimited", n.Line, n.Value)
	}
	*r = Rate(f)
	return nil
}

// PerSecond is the pace the call stack takes: 0 there means unlimited.
func (r Rate) PerSecond() float64 {
	if r < 0 {
		return 0
	}
	return float64(r)
}

// StatusPace is the status checks' own budget, or nil when the config gives
// none (they share the lane's): status_rate (the payouts' rate when only
// status_concurrency is given), with the payouts' burst, and
// status_concurrency (the payouts' when left out).
func (p ProviderConfig) StatusPace() *batch.Pace {
	if p.StatusRate == 0 && p.StatusConcurrency == 0 {
		return nil
	}
	r := p.StatusRate
	if r == 0 {
		r = p.Rate
	}
	return &batch.Pace{Rate: r.PerSecond(), Burst: p.Burst, Concurrency: cmp.Or(p.StatusConcurrency, p.Concurrency)}
}

// Default is the configuration without a file.
func Default() Config {
	return Config{
		Ledger:            "bulkpay.db",
		ReportsDir:        "bulkpay-reports",
		Region:            "CM",
		Currency:          "XAF",
		Description:       "bulkpay payout",
		PendingWait:       2 * time.Minute,
		PollInterval:      2 * time.Second,
		CallbackPollDelay: 30 * time.Second,
	}
}

// DefaultPace is a provider's pace unless the config says otherwise.
func DefaultPace(p ProviderConfig) ProviderConfig {
	if p.Rate == 0 {
		p.Rate = 5
	}
	if p.Burst == 0 {
		p.Burst = 1
	}
	if p.Concurrency == 0 {
		p.Concurrency = 4
	}
	if p.Timeout == 0 {
		p.Timeout = 30 * time.Second
	}
	return p
}

// Load reads path over the defaults; an empty path gives the defaults.
func Load(path string) (Config, error) {
	cfg := Default()
	if path == "" {
		return cfg, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("read config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	for _, name := range cfg.ProviderNames() {
		if !slices.Contains(registry.Names(), name) {
			return cfg, fmt.Errorf("config %s: provider %q is not one bulkpay knows (%v)", path, name, registry.Names())
		}
		if err := CheckBaseURL(cfg.Providers[name].BaseURL); err != nil {
			return cfg, fmt.Errorf("config %s: providers.%s.base_url: %w", path, name, err)
		}
		if pc := cfg.Providers[name]; name != momo.Name && (len(pc.Markets) > 0 || pc.TargetEnvironment != "") {
			return cfg, fmt.Errorf("config %s: providers.%s: markets and target_environment are MTN MoMo settings (providers.momo)", path, name)
		}
		for _, m := range cfg.Providers[name].Markets {
			if _, ok := momo.Markets[strings.ToUpper(m)]; !ok {
				return cfg, fmt.Errorf("config %s: providers.%s.markets: %q is not a market bulkpay pays through MTN MoMo (%s)", path, name, m, momo.Countries())
			}
		}
		if err := checkAPI(name, cfg.Providers[name]); err != nil {
			return cfg, fmt.Errorf("config %s: providers.%s: %w", path, name, err)
		}
		if err := (batch.Costs{name: cfg.Providers[name].FeePercent}).Validate(); err != nil {
			return cfg, fmt.Errorf("config %s: providers.%w", path, err)
		}
	}
	if cfg.PublicURL != "" {
		if err := CheckPublicURL(cfg.PublicURL); err != nil {
			return cfg, fmt.Errorf("config %s: public_url: %w", path, err)
		}
	}
	if err := cfg.Fees().Validate(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if err := cfg.Limits.Validate(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if _, err := batch.ParseNamePolicy(cfg.NameCheck); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if err := cfg.checkWebhooks(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if err := cfg.checkNotify(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if err := cfg.checkLinks(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// ProviderNames are the providers the config names, in order.
func (c Config) ProviderNames() []string {
	var out []string
	for n := range c.Providers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Policy is the approval rules the config sets.
func (c Config) Policy() batch.Policy {
	return batch.Policy{RequireApproval: c.RequireApproval, FourEyes: c.FourEyes}
}

// Fees is the fee configuration in force.
func (c Config) Fees() batch.Fees {
	return batch.Fees{Configs: c.ProfitConfigurations, Bearer: c.FeeBearer}
}

// Router routes rows by the config's rules (the default ones when it gives
// none) to the providers configured, as each declares what it pays.
func (c Config) Router(configured []string) batch.Routes {
	rules := c.Routes
	if len(rules) == 0 {
		rules = batch.DefaultRules
	}
	set := map[string]bool{}
	for _, p := range configured {
		set[p] = true
	}
	return batch.Routes{Rules: rules, Configured: set, Currency: c.Currency}
}

// CheckBaseURL refuses a provider base URL that would send credentials and
// payouts where others can read them: anything but https, except plain http to
// this machine (a local simulator). Credentials never belong in the URL itself.
func CheckBaseURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an address bulkpay can use: give it as https://host/path", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%s holds credentials: remove them from the URL; secrets are read only from the environment variables the config names", batch.CleanURL(raw))
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return fmt.Errorf("%s is plain http: the provider's credentials and every payout would cross the network unencrypted; use https:// (plain http is accepted only for this machine, 127.0.0.1, ::1 or localhost, e.g. a local simulator)", batch.CleanURL(raw))
	}
	return nil
}

// CheckPublicURL refuses a public URL providers could not call back: it must
// be an absolute http(s) URL without credentials.
func CheckPublicURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an address providers can call: give it as https://host", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%s holds credentials: remove them", batch.CleanURL(raw))
	}
	return nil
}

// loopback reports whether host names this machine only: localhost or a
// loopback address (127.0.0.0/8, ::1).
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
