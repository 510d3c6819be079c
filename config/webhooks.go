package config

import (
	"fmt"
	"regexp"
	"strings"

	"bulkpay/webhooks"
)

// Webhook is one of the customer's endpoints for signed events: where, which
// events (none listed: every one), and the environment variable that holds
// the signing secret.
type Webhook struct {
	URL       string   `yaml:"url"`
	Events    []string `yaml:"events"`
	SecretEnv string   `yaml:"secret_env"`
}

// MinWebhookSecret is the shortest signing secret bulkpay signs with.
const MinWebhookSecret = 16

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkWebhooks refuses an endpoint bulkpay could not post to safely, an
// event it does not know, a secret_env that names no variable, and the same
// endpoint twice.
func (c Config) checkWebhooks() error {
	seen := map[string]bool{}
	for i, w := range c.Webhooks {
		at := fmt.Sprintf("webhooks[%d]", i)
		if strings.TrimSpace(w.URL) == "" {
			return fmt.Errorf("%s.url: give the address events are posted to", at)
		}
		if err := CheckBaseURL(w.URL); err != nil {
			return fmt.Errorf("%s.url: %w", at, err)
		}
		ep := webhooks.NewEndpoint(w.URL, w.Events, nil)
		if seen[ep.Key()] {
			return fmt.Errorf("%s.url: %s is already listed: give each endpoint once, with every event it takes", at, ep.Key())
		}
		seen[ep.Key()] = true
		for _, e := range w.Events {
			if !webhooks.Known(e) {
				return fmt.Errorf("%s.events: %q is not an event bulkpay sends (%s)", at, e, strings.Join(webhooks.Types, ", "))
			}
		}
		if !envName.MatchString(w.SecretEnv) { // never quoted: it may be a secret written here by mistake
			return fmt.Errorf("%s.secret_env: name the environment variable that holds the endpoint's signing secret (letters, digits and _); the secret itself never goes in the file", at)
		}
	}
	return nil
}

// WebhookEndpoints are the config's endpoints, each with its signing secret
// read from the environment variable its secret_env names (getenv: os.Getenv).
// A variable unset or too short is an error naming the variable, never its value.
func (c Config) WebhookEndpoints(getenv func(string) string) ([]webhooks.Endpoint, error) {
	var out []webhooks.Endpoint
	for i, w := range c.Webhooks {
		secret := getenv(w.SecretEnv)
		if len(secret) < MinWebhookSecret {
			what := "is not set"
			if secret != "" {
				what = fmt.Sprintf("is shorter than %d characters", MinWebhookSecret)
			}
			return nil, fmt.Errorf("webhooks[%d] (%s): the signing secret in %s %s: set it in the environment (a long random string the endpoint shares)",
				i, webhooks.NewEndpoint(w.URL, nil, nil).Key(), w.SecretEnv, what)
		}
		out = append(out, webhooks.NewEndpoint(w.URL, w.Events, []byte(secret)))
	}
	return out, nil
}
