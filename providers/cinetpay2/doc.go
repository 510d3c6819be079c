// Package cinetpay2 is the client of CinetPay's 2026 transfer API
// (api.cinetpay.net and api.cinetpay.co: one account and bearer token per
// country, POST /v1/transfer) and the reader of its notify_token webhooks.
package cinetpay2
