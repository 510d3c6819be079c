package config

import (
	"cmp"
	"fmt"
	"os"

	"bulkpay/providers"
	"bulkpay/providers/camoo"
	"bulkpay/providers/campay"
	"bulkpay/providers/cinetpay"
	"bulkpay/providers/cinetpay2"
	"bulkpay/providers/momo"
	"bulkpay/providers/mycoolpay"
	"bulkpay/providers/sandbox"
)

// Callbacks are the verifiers of the callbacks bulkpay serve receives under
// t, by provider: the sandbox's (signed with its placeholder keys, accepted
// from any address) when t pays through one, else one per configured
// provider whose keys the environment holds. Skipped says, for each
// configured provider whose callbacks cannot be verified, why: its callbacks
// are refused and polling alone settles its payouts.
func (c Config) Callbacks(t Target) (parsers map[string]providers.CallbackParser, skipped []string, err error) {
	// CinetPay and MoMo sign nothing: their callbacks are only a reason to
	// look the payout up by our reference
	parsers = map[string]providers.CallbackParser{cinetpay.Name: cinetpay.NewCallbacks(), momo.Name: momo.NewCallbacks()}
	if c.Providers[cinetpay.Name].API == cinetpay2.API {
		// the 2026 API's webhooks carry the notify_token its transfers were given
		parsers[cinetpay.Name] = cinetpay2.NewCallbacks()
	}
	if c.Endpoint(t).IsSandbox() {
		key := sandbox.DefaultCallbackKey
		cp, err := campay.NewCallbacks(key)
		if err != nil {
			return nil, nil, err
		}
		mc, err := mycoolpay.NewCallbacks(key, key, mycoolpay.WithSources())
		if err != nil {
			return nil, nil, err
		}
		cm, err := camoo.NewCallbacks(key)
		if err != nil {
			return nil, nil, err
		}
		parsers[campay.Name], parsers[mycoolpay.Name], parsers[camoo.Name] = cp, mc, cm
		return parsers, nil, nil
	}
	for _, name := range []string{cinetpay.Name, momo.Name} {
		if _, ok := c.Providers[name]; !ok {
			delete(parsers, name)
		}
	}
	env := func(name, def string) string { return os.Getenv(cmp.Or(name, def)) }
	for _, name := range c.ProviderNames() {
		pc := c.Providers[name]
		var p providers.CallbackParser
		switch name {
		case campay.Name:
			key := env(pc.WebhookKeyEnv, "CAMPAY_WEBHOOK_KEY")
			if key == "" {
				skipped = append(skipped, fmt.Sprintf("campay: no webhook key: set %s in the environment (or name another variable in webhook_key_env)",
					cmp.Or(pc.WebhookKeyEnv, "CAMPAY_WEBHOOK_KEY")))
				continue
			}
			p, err = campay.NewCallbacks(key)
		case mycoolpay.Name:
			pub, priv := env(pc.PublicKeyEnv, "MYCOOLPAY_PUBLIC_KEY"), env(pc.PrivateKeyEnv, "MYCOOLPAY_PRIVATE_KEY")
			if pub == "" || priv == "" {
				skipped = append(skipped, "mycoolpay: no keys in the environment to verify its callbacks with")
				continue
			}
			var opts []mycoolpay.CallbackOption
			if pc.CallbackSources != nil {
				opts = append(opts, mycoolpay.WithSources(pc.CallbackSources...))
			}
			p, err = mycoolpay.NewCallbacks(pub, priv, opts...)
		case camoo.Name:
			secret := env(pc.SecretEnv, "CAMOO_API_SECRET")
			if secret == "" {
				skipped = append(skipped, "camoo: no API secret in the environment to verify its notifications with")
				continue
			}
			p, err = camoo.NewCallbacks(secret)
		default:
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		parsers[name] = p
	}
	return parsers, skipped, nil
}
