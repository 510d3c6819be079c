package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"bulkpay/batch"
)

// Config is bulkpay.yaml. Every section is optional; what is left out keeps its
// default. Secrets are never written here: a provider names the environment
// variables that hold them.
type Config struct {
	Ledger       string                    `yaml:"ledger"`
	ReportsDir   string                    `yaml:"reports_dir"`
	Region       string                    `yaml:"region"`
	Currency     string                    `yaml:"currency"`
	Description  string                    `yaml:"description"`
	PendingWait  time.Duration             `yaml:"pending_wait"`
	PollInterval time.Duration             `yaml:"poll_interval"`
	Providers    map[string]ProviderConfig `yaml:"providers"`
	Routes       []batch.Rule              `yaml:"routes"`

	// Money: fees as the platform's profit configurations, who bears them,
	// fat-finger limits, and approval before a run.
	ProfitConfigurations []batch.ProfitConfig `yaml:"profit_configurations"`
	FeeBearer            string               `yaml:"fee_bearer"`
	Limits               Limits               `yaml:"limits"`
	RequireApproval      bool                 `yaml:"require_approval"`
	FourEyes             bool                 `yaml:"four_eyes"`
}

// Limits refuse rows and batches above them at validation (0: no limit).
type Limits struct {
	MaxPerRow   int64 `yaml:"max_per_row"`
	MaxPerBatch int64 `yaml:"max_per_batch"`
}

// policy is the approval rules the config sets.
func (c Config) policy() batch.Policy {
	return batch.Policy{RequireApproval: c.RequireApproval, FourEyes: c.FourEyes}
}

// fees is the fee configuration in force.
func (c Config) fees() batch.Fees {
	return batch.Fees{Configs: c.ProfitConfigurations, Bearer: c.FeeBearer}
}

// ProviderConfig is one provider account and its pace. Each *_env field names
// the environment variable holding a secret; unset, the provider's default
// name is used (CAMPAY_USERNAME, CINETPAY_APIKEY, MYCOOLPAY_PRIVATE_KEY, ...).
type ProviderConfig struct {
	BaseURL       string        `yaml:"base_url"`
	UsernameEnv   string        `yaml:"username_env"`    // campay
	PasswordEnv   string        `yaml:"password_env"`    // campay, cinetpay
	TokenEnv      string        `yaml:"token_env"`       // campay (a permanent token)
	APIKeyEnv     string        `yaml:"apikey_env"`      // cinetpay
	PublicKeyEnv  string        `yaml:"public_key_env"`  // mycoolpay
	PrivateKeyEnv string        `yaml:"private_key_env"` // mycoolpay
	KeyEnv        string        `yaml:"key_env"`         // camoo
	SecretEnv     string        `yaml:"secret_env"`      // camoo
	NotifyURL     string        `yaml:"notify_url"`      // cinetpay (required by it), camoo
	ChunkSize     int           `yaml:"chunk_size"`      // cinetpay: transfers per call
	FeePercent    string        `yaml:"fee_percent"`     // what the provider takes from the balance on top of each payout, for the balance check
	Rate          float64       `yaml:"rate"`
	Burst         int           `yaml:"burst"`
	Concurrency   int           `yaml:"concurrency"`
	Timeout       time.Duration `yaml:"timeout"`
}

// knownProviders are the providers this bulkpay has clients for.
var knownProviders = []string{"campay", "camoo", "cinetpay", "mycoolpay"}

func defaultConfig() Config {
	return Config{
		Ledger:       "bulkpay.db",
		ReportsDir:   "bulkpay-reports",
		Region:       "CM",
		Currency:     "XAF",
		Description:  "bulkpay payout",
		PendingWait:  2 * time.Minute,
		PollInterval: 2 * time.Second,
	}
}

// defaultPace is each provider's pace unless the config says otherwise.
func defaultPace(p ProviderConfig) ProviderConfig {
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

// loadConfig reads path over the defaults; an empty path gives the defaults.
func loadConfig(path string) (Config, error) {
	cfg := defaultConfig()
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
	for _, name := range cfg.providerNames() {
		if !contains(knownProviders, name) {
			return cfg, fmt.Errorf("config %s: provider %q is not one bulkpay knows (%v)", path, name, knownProviders)
		}
		if err := checkBaseURL(cfg.Providers[name].BaseURL); err != nil {
			return cfg, fmt.Errorf("config %s: providers.%s.base_url: %w", path, name, err)
		}
	}
	if err := cfg.fees().Validate(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if cfg.Limits.MaxPerRow < 0 || cfg.Limits.MaxPerBatch < 0 {
		return cfg, fmt.Errorf("config %s: limits must not be negative", path)
	}
	return cfg, nil
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func (c Config) providerNames() []string {
	var out []string
	for n := range c.Providers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (c Config) routes(configured []string) batch.Routes {
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

// checkBaseURL refuses a provider base URL that would send credentials and
// payouts where others can read them: anything but https, except plain http to
// this machine (a local simulator). Credentials never belong in the URL itself.
func checkBaseURL(raw string) error {
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

// loopback reports whether host names this machine only: localhost or a
// loopback address (127.0.0.0/8, ::1).
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
