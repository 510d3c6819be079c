package config

import (
	"slices"

	"bulkpay/batch"
	"bulkpay/providers"
)

// NamePolicy is name_check, or its default: warn when the config names a
// provider that can tell the name behind a number (MTN MoMo), else off. The
// sandbox tells names too, but a sandbox run checks them only when the
// config asks (name_check: warn, review or block) or names such a provider.
func (c Config) NamePolicy() batch.NamePolicy {
	p, _ := batch.ParseNamePolicy(c.NameCheck)
	if p != "" {
		return p
	}
	for _, name := range c.ProviderNames() {
		if slices.Contains(providers.NameTellers(), name) {
			return batch.NamesWarn
		}
	}
	return batch.NamesOff
}

// nameSource is provider name's client as a name source, when the provider
// declares it can tell names and its client asks them, at its pace.
func nameSource(name string, prov batch.Provider, pc ProviderConfig) (batch.NameSource, bool) {
	c, ok := prov.(interface {
		batch.NameChecker
		Covers(country, carrier string) bool
	})
	if !ok || !slices.Contains(providers.NameTellers(), name) {
		return batch.NameSource{}, false
	}
	return batch.NameSource{Provider: name, Checker: c, Covers: c.Covers, Concurrency: pc.Concurrency, Rate: pc.Rate.PerSecond()}, true
}
