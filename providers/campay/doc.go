// Package campay is a client for CamPay's withdraw API: token login, withdraw with
// an idempotent external_reference, transaction status, balance and history.
package campay
