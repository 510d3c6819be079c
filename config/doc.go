// Package config reads bulkpay.yaml (defaults, providers, routes, fees,
// limits, approval rules) and connects the providers it names, or a sandbox,
// for every door: the CLI now, the server next.
package config
